#!/usr/bin/env bash
# Builds the vCenter simulator (scripts/vcsim/main.go) offline from Debian's govmomi sources and
# prints the binary's path. The binary is cached under .venv/vcsim, keyed by the source's hash.
set -euo pipefail
cd "$(dirname "$0")/.."

GOPATH_DIR=/usr/share/gocode
hash=$(sha256sum scripts/vcsim/main.go | cut -c1-16)
out=.venv/vcsim/vcsim-$hash
if [[ ! -x $out ]]; then
  if ! command -v go >/dev/null || [[ ! -d $GOPATH_DIR/src/github.com/vmware/govmomi/simulator ]]; then
    echo "needs golang-go and golang-github-vmware-govmomi-dev (scripts/apt-packages.txt)" >&2
    exit 3
  fi
  mkdir -p .venv/vcsim
  (cd scripts/vcsim && GO111MODULE=off GOPATH=$GOPATH_DIR GOCACHE="$PWD/../../.venv/vcsim/gocache" \
    go build -o "../../$out.part" .)
  mv "$out.part" "$out"
fi
echo "$PWD/$out"
