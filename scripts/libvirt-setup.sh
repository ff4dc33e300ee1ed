#!/usr/bin/env bash
# Makes sure libvirtd (qemu:///system) answers on this machine, which has no init system: QEMU runs
# as root (the default libvirt-qemu user cannot open /dev/kvm, and with it every defineXML re-probes
# capabilities for ~50 s), then virtlogd and libvirtd are started unless they already run.
# Idempotent and quiet when there is nothing to do. Exit 3: libvirt is not installed here.
set -euo pipefail

QEMU_CONF=${QEMU_CONF:-/etc/libvirt/qemu.conf}
PIDFILE=/run/libvirtd.pid
URI=qemu:///system
WAIT_S=${LIBVIRT_WAIT_S:-30}

for cmd in libvirtd virtlogd virsh; do
  if ! command -v "$cmd" >/dev/null; then
    echo "error: $cmd is not installed (apt-get install the packages in scripts/apt-packages.txt)" >&2
    exit 3
  fi
done
if [[ ! -f $QEMU_CONF ]]; then
  echo "error: $QEMU_CONF is missing (is libvirt-daemon-driver-qemu installed?)" >&2
  exit 3
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "error: scripts/libvirt-setup.sh must run as root (it edits $QEMU_CONF and starts libvirtd)" >&2
  exit 1
fi

# Alive and not a zombie (an exited daemon stays a zombie where no init process reaps it).
alive() {
  [[ -d /proc/$1 ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

libvirtd_pid() {
  local pid
  for pid in $(cat "$PIDFILE" 2>/dev/null) $(pgrep -x libvirtd); do
    if alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == libvirtd ]]; then
      echo "$pid"
      return
    fi
  done
}

# Seconds since the epoch at which a process started (/proc/PID/stat field 22 is in clock ticks
# since boot); /proc/PID's own mtime is when its inode was first looked at, not the start time.
started_at() {
  local stat ticks btime
  stat=$(cat "/proc/$1/stat") || return 1
  ticks=$(awk '{print $20}' <<<"${stat##*) }") # fields after "PID (comm) " start at 3
  btime=$(awk '/^btime/ {print $2}' /proc/stat)
  echo $((btime + ticks / $(getconf CLK_TCK)))
}

# Edit qemu.conf only when the effective user/group are not root already.
conf_ok() {
  grep -qE '^\s*user\s*=\s*"root"\s*$' "$QEMU_CONF" && grep -qE '^\s*group\s*=\s*"root"\s*$' "$QEMU_CONF"
}
if ! conf_ok; then
  echo "libvirt: setting user/group = \"root\" in $QEMU_CONF"
  sed -i -E 's/^(\s*(user|group)\s*=)/#\1/' "$QEMU_CONF"
  printf '\n# Nimbus (scripts/libvirt-setup.sh): QEMU runs as root on this host.\nuser = "root"\ngroup = "root"\n' >>"$QEMU_CONF"
fi

# A libvirtd started before the last edit of qemu.conf runs with the old settings: restart it.
# Guests keep running across a libvirtd restart (QEMU processes are not its children).
pid=$(libvirtd_pid)
if [[ -n $pid ]] && (($(stat -c %Y "$QEMU_CONF") > $(started_at "$pid"))); then
  echo "libvirt: restarting libvirtd ($pid) to load $QEMU_CONF"
  kill "$pid"
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then
    echo "error: libvirtd ($pid) did not exit after SIGTERM" >&2
    exit 1
  fi
  pid=""
fi

if ! pgrep -x virtlogd >/dev/null; then
  virtlogd -d
fi
if [[ -z $pid ]]; then
  libvirtd -d
fi

deadline=$((SECONDS + WAIT_S))
until virsh -q -c "$URI" version >/dev/null 2>&1; do
  if ((SECONDS >= deadline)); then
    echo "error: libvirtd does not answer on $URI after ${WAIT_S}s:" >&2
    virsh -c "$URI" version >&2 || true
    exit 1
  fi
  sleep 0.2
done
