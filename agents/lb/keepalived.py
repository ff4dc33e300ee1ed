"""keepalived (VRRP) for a cluster of lb agents: the node with the highest priority that is alive
holds the cluster's VIPs; when it stops advertising, the next one takes them within seconds."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from agents.lb.haproxy import HaproxyError


@dataclass(frozen=True)
class VrrpSettings:
    interface: str
    priority: int  # 1-254; the highest live one holds the VIPs
    advert_seconds: int = 1


@dataclass
class Keepalived:
    state_dir: Path
    cluster: str
    agent: str
    vrrp: VrrpSettings
    wrapper: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.state_dir / "keepalived.conf"

    @property
    def pidfile(self) -> Path:
        return self.state_dir / "keepalived.pid"

    def router_id(self) -> int:
        """One VRRP router per cluster, the same on every node of it."""
        return int.from_bytes(hashlib.sha256(self.cluster.encode()).digest()[:2], "big") % 255 + 1

    def render(self, vips: list[str]) -> str:
        addresses = "".join(f"        {vip}/32 dev {self.vrrp.interface}\n" for vip in vips)
        return (
            f"# Nimbus lb cluster {self.cluster}: written by the lb agent {self.agent}.\n"
            "global_defs {\n"
            f"    router_id nimbus-{self.agent}\n"
            "    enable_script_security\n"
            "}\n"
            "vrrp_instance nimbus {\n"
            # Every node starts as BACKUP: the election, not the configuration, picks the holder.
            "    state BACKUP\n"
            f"    interface {self.vrrp.interface}\n"
            f"    virtual_router_id {self.router_id()}\n"
            f"    priority {self.vrrp.priority}\n"
            f"    advert_int {self.vrrp.advert_seconds}\n"
            "    virtual_ipaddress {\n"
            f"{addresses}"
            "    }\n"
            "}\n"
        )

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().split()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            return None
        return pid if b"keepalived" in cmdline and str(self.config).encode() in cmdline else None

    def apply(self, vips: list[str]) -> None:
        """Hold `vips` (when elected); a running keepalived re-reads its configuration on SIGHUP."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self.render(sorted(set(vips))))
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGHUP)
            return
        done = subprocess.run(
            [
                *self.wrapper,
                "keepalived",
                "--vrrp",
                "-f",
                str(self.config),
                "-p",
                str(self.pidfile),
                "-r",
                str(self.state_dir / "keepalived-vrrp.pid"),
                "-c",
                str(self.state_dir / "keepalived-checkers.pid"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if done.returncode != 0:
            raise HaproxyError(f"keepalived did not start: {(done.stdout + done.stderr).strip()}")
        deadline = time.monotonic() + 5
        while self.pid() is None and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while self.pid() is not None and time.monotonic() < deadline:
                time.sleep(0.05)
