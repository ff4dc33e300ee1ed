"""Running the project's vCenter simulator (scripts/vcsim, govmomi from Debian).

scripts/vcsim-build.sh caches the binary under .venv, keyed by the hash of its source, so only
the first run pays for the ~15 s Go build.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "scripts" / "vcsim-build.sh"


class SimulatorUnavailable(RuntimeError):
    """Go or Debian's govmomi sources are missing (scripts/apt-packages.txt installs them)."""


def binary() -> Path:
    """The simulator's binary, built by scripts/vcsim-build.sh on first use."""
    done = subprocess.run([str(BUILD)], capture_output=True, text=True)
    if done.returncode == 3:
        raise SimulatorUnavailable(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(f"building the simulator failed: {done.stderr.strip()}")
    return Path(done.stdout.strip())


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
