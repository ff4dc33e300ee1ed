#!/usr/bin/env bash
# Installs what Nimbus needs into .venv (and Debian packages when listed), and does nothing
# when that is already done: the stamp records the hash of everything that decides the install.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.nimbus-install-stamp
APT_LIST=scripts/apt-packages.txt

want=$(cat pyproject.toml "$APT_LIST" 2>/dev/null | sha256sum | cut -d' ' -f1)
if [[ -f $STAMP && "$(cat "$STAMP")" == "$want" && -x $VENV/bin/nimbus ]]; then
  exit 0
fi

# Debian packages, only those missing (no-op when the list is empty).
if [[ -s $APT_LIST ]]; then
  missing=()
  while read -r pkg; do
    [[ -z $pkg || $pkg == \#* ]] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done <"$APT_LIST"
  if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
$VENV/bin/python -m pip install -q --upgrade pip
$VENV/bin/python -m pip install -q -e '.[dev]'
echo "$want" >"$STAMP"
