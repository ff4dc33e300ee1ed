"""Building and running the project's vCenter simulator (scripts/vcsim, govmomi from Debian).

The binary is cached under .venv, keyed by the hash of its source, so only the first run pays
for the ~15 s Go build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "scripts" / "vcsim"
GOPATH = Path("/usr/share/gocode")


class SimulatorUnavailable(RuntimeError):
    """Go or Debian's govmomi sources are missing (scripts/apt-packages.txt installs them)."""


def binary() -> Path:
    source = (SOURCE / "main.go").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    target = ROOT / ".venv" / "vcsim" / f"vcsim-{digest}"
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None or not (GOPATH / "src/github.com/vmware/govmomi/simulator").is_dir():
        raise SimulatorUnavailable("needs golang-go and golang-github-vmware-govmomi-dev")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOCACHE": str(target.parent / "gocache"),
    }
    subprocess.run([go, "build", "-o", str(partial), "."], cwd=SOURCE, env=env, check=True, capture_output=True)
    partial.rename(target)
    return target


class Vcsim:
    """One simulator process on a free loopback port; `url` is what an account's endpoint is."""

    def __init__(
        self,
        *,
        username: str = "nimbus",
        password: str = "vc-secret",
        cluster_hosts: int = 3,
        hosts: int = 1,
        vms: int = 2,
        clusters: int = 1,
        datacenters: int = 1,
    ) -> None:
        self.username, self.password = username, password
        self.args = [
            f"-username={username}",
            f"-password={password}",
            f"-cluster-hosts={cluster_hosts}",
            f"-hosts={hosts}",
            f"-vms={vms}",
            f"-clusters={clusters}",
            f"-dc={datacenters}",
        ]
        self.proc: subprocess.Popen[str] | None = None
        self.address = ""

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> Vcsim:
        self.proc = subprocess.Popen(
            [str(binary()), *self.args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            self.stop()
            raise RuntimeError("the simulator did not start")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None

    def connect(self):  # type: ignore[no-untyped-def]
        """A pyvmomi service instance of the test's own, to change things behind Nimbus' back."""
        from pyVim.connect import SmartConnect

        host, port = self.address.rsplit(":", 1)
        return SmartConnect(host=host, port=int(port), user=self.username, pwd=self.password, protocol="http")
