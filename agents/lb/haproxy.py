"""Running haproxy in master-worker mode: validate, start, reload without dropping connections.

The master (`-W`) re-executes itself on SIGUSR2 and hands the listening sockets to the new
workers, so a reload loses no connection; the old workers finish the ones they hold. The master
CLI (`-S`) tells whether a reload took (`show proc` counts reloads and failures) and, when it
did not, why (`show startup-logs`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

RELOAD_TIMEOUT_S = 15.0


class HaproxyError(Exception):
    """haproxy refused a configuration or could not be run; the message says why."""


@dataclass(frozen=True)
class ProcState:
    reloads: int
    failed: int
    workers: list[int]


def _reason(output: str) -> str:
    """haproxy's ALERT lines without their prefixes: what a user needs to fix."""
    alerts = []
    for line in output.splitlines():
        if "[ALERT]" in line:
            alerts.append(re.sub(r"^\[ALERT\]\s+\(\d+\)\s*:\s*", "", line.strip()))
    return "; ".join(alerts) or output.strip()[-2000:] or "haproxy exited with an error"


class Haproxy:
    def __init__(self, state_dir: Path, binary: str = "haproxy", wrapper: list[str] | None = None) -> None:
        self.state_dir = state_dir
        self.binary = binary
        # A command prefix, e.g. `ip netns exec NS`, for a node whose VIPs live in a namespace.
        self.wrapper = wrapper or []
        self.pidfile = state_dir / "haproxy.pid"
        self.master_socket = state_dir / "master.sock"
        self.stats_socket = state_dir / "stats.sock"
        self.config = state_dir / "current" / "haproxy.cfg"

    def version(self) -> str:
        out = subprocess.run([self.binary, "-v"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"version (\S+)", out)
        return match.group(1) if match else "unknown"

    def validate(self, config: Path) -> None:
        """`haproxy -c`: parse the configuration, resolve addresses, load certificates."""
        done = subprocess.run(
            [*self.wrapper, self.binary, "-c", "-f", str(config)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if done.returncode != 0:
            raise HaproxyError(_reason(done.stdout + done.stderr))

    def master_pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        # The pid file may outlive the master (a crash, a reboot): make sure it is ours.
        return pid if b"haproxy" in cmdline and str(self.config).encode() in cmdline else None

    def start(self) -> None:
        self.master_socket.unlink(missing_ok=True)
        done = subprocess.run(
            [
                *self.wrapper,
                self.binary,
                "-W",
                "-D",
                "-p",
                str(self.pidfile),
                "-S",
                f"{self.master_socket},mode,600",
                "-f",
                str(self.config),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if done.returncode != 0:
            raise HaproxyError(_reason(done.stdout + done.stderr))
        self._wait_for_workers(None)

    def reload(self) -> None:
        """Load the configuration at `self.config` into the running master; raise if it did not take."""
        pid = self.master_pid()
        if pid is None:
            self.start()
            return
        before = self.proc()
        os.kill(pid, signal.SIGUSR2)
        after = self._wait_for_workers(before)
        if after.failed > before.failed:
            raise HaproxyError(_reason(self.master_command("show startup-logs")))

    def stop(self) -> None:
        pid = self.master_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while self.master_pid() is not None and time.monotonic() < deadline:
            time.sleep(0.05)

    def _wait_for_workers(self, before: ProcState | None) -> ProcState:
        deadline = time.monotonic() + RELOAD_TIMEOUT_S
        while True:
            with contextlib.suppress(OSError, HaproxyError):
                state = self.proc()
                if before is None and state.workers:
                    return state
                if before is not None and (state.reloads > before.reloads or state.failed > before.failed):
                    return state
            if time.monotonic() > deadline:
                raise HaproxyError("haproxy did not report a new worker in time")
            time.sleep(0.02)

    def proc(self) -> ProcState:
        text = self.master_command("show proc")
        master = re.search(r"^\d+\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]", text, re.MULTILINE)
        if master is None:
            raise HaproxyError(f"unexpected answer from the master CLI: {text[:200]!r}")
        current = text.split("# workers", 1)[-1].split("#", 1)[0]
        workers = [int(m.group(1)) for m in re.finditer(r"^(\d+)\s+worker", current, re.MULTILINE)]
        return ProcState(int(master.group(1)), int(master.group(2)), workers)

    def master_command(self, command: str) -> str:
        return _ask(self.master_socket, command)

    def stats_command(self, command: str) -> str:
        return _ask(self.stats_socket, command)


def _ask(path: Path, command: str, timeout: float = 5.0) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
            sock.sendall(command.encode() + b"\n")
            sock.shutdown(socket.SHUT_WR)  # the master CLI answers, then closes, once input ends
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except OSError as exc:
            raise HaproxyError(f"haproxy's socket {path.name} does not answer: {exc}") from exc
    return b"".join(chunks).decode(errors="replace")
