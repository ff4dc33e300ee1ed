"""Moving a server's disks between hosts that share no storage.

The source host serves each disk read-only over NBD (qemu-nbd, one process per disk, on the
host's own address); the target pulls it with `qemu-img convert`, keeping its qcow2 backing on
the target's copy of the same image, so only what the guest wrote crosses the network. Exports
stop when the controller says so, when the agent stops, or after EXPORT_TIMEOUT_S at the latest.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import threading
import time
from pathlib import Path

from agents.host import disks
from agents.host.driver import DriverError
from agents.host.protocol import ServerSpec

EXPORT_TIMEOUT_S = 3600
EXPORT_READY_S = 10.0
IMPORT_TIMEOUT_S = 3600


class DiskExports:
    """The qemu-nbd processes serving the disks of servers leaving this host."""

    def __init__(self, storage_dir: Path, address: str, timeout_s: float = EXPORT_TIMEOUT_S) -> None:
        self.storage_dir, self.address, self.timeout_s = storage_dir, address, timeout_s
        self._lock = threading.Lock()
        self._servers: dict[str, dict[str, tuple[subprocess.Popen[bytes], str]]] = {}

    def export(self, server_id: str) -> dict[str, str]:
        """Serve every disk of the server: disk id -> nbd:// URL. A second call returns the same URLs."""
        with self._lock:
            running = self._servers.get(server_id)
            if running and all(proc.poll() is None for proc, _url in running.values()):
                return {disk_id: url for disk_id, (_proc, url) in running.items()}
        self.stop(server_id)
        directory = disks.server_dir(self.storage_dir, server_id)
        files = sorted(directory.glob("*.qcow2"))
        if not files:
            raise DriverError(f"server {server_id} has no disks on this host")
        started: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        try:
            for path in files:
                started[path.stem] = self._serve(path)  # keyed by disk id
        except DriverError:
            for proc, _url in started.values():
                _terminate(proc)
            raise
        with self._lock:
            self._servers[server_id] = started
        timer = threading.Timer(self.timeout_s, self.stop, args=(server_id,))
        timer.daemon = True
        timer.start()
        return {disk_id: url for disk_id, (_proc, url) in started.items()}

    def stop(self, server_id: str) -> None:
        with self._lock:
            running = self._servers.pop(server_id, {})
        for proc, _url in running.values():
            _terminate(proc)

    def stop_all(self) -> None:
        with self._lock:
            server_ids = list(self._servers)
        for server_id in server_ids:
            self.stop(server_id)

    def _serve(self, path: Path) -> tuple[subprocess.Popen[bytes], str]:
        port = _free_port(self.address)
        # NBD has no authentication: an unguessable export name keeps other clients of the
        # management network from reading the disk (TLS is the next step where that is not enough).
        name = f"{path.stem}-{secrets.token_urlsafe(18)}"
        try:
            proc = subprocess.Popen(
                [
                    "qemu-nbd",
                    "--read-only",
                    "--persistent",
                    "--shared=4",
                    "--format=qcow2",
                    f"--bind={self.address}",
                    f"--port={port}",
                    f"--export-name={name}",
                    str(path),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError as exc:
            raise DriverError("qemu-nbd is not installed on this host (Debian package qemu-utils)") from exc
        _wait_listening(proc, self.address, port)
        return proc, f"nbd://{_url_host(self.address)}:{port}/{name}"


def import_disks(storage_dir: Path, spec: ServerSpec, sources: dict[str, str]) -> None:
    """Pull every disk of `spec` from its NBD URL; a disk already in place is kept (retries)."""
    for disk in spec.disks:
        path = disks.disk_path(storage_dir, spec.id, disk.id)
        if path.exists():
            continue
        source = sources.get(disk.id)
        if source is None:
            raise DriverError(f"the source host exports no disk {disk.id}")
        partial = path.with_name(f".{path.name}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _pull(source, partial, disk.image_path)
            partial.rename(path)
        except OSError as exc:
            raise DriverError(f"cannot write the disk {path}: {exc.strerror or exc}") from exc
        finally:
            partial.unlink(missing_ok=True)


def _pull(source: str, target: Path, backing: str | None) -> None:
    args = ["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2"]
    if backing is not None:
        # Clusters equal to the image are left to the backing file: only the guest's writes are copied.
        image = Path(backing).resolve()
        args += ["-B", str(image), "-F", str(disks.image_info(image)["format"])]
    args += [source, str(target)]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise DriverError(f"copying {source} did not finish within {IMPORT_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise DriverError(f"cannot copy the disk from {source}: {done.stderr.strip() or done.returncode}")


def _free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def _wait_listening(proc: subprocess.Popen[bytes], address: str, port: int) -> None:
    deadline = time.monotonic() + EXPORT_READY_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stderr = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise DriverError(f"qemu-nbd exited: {stderr or proc.returncode}")
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    _terminate(proc)
    raise DriverError(f"qemu-nbd did not listen on {address}:{port} within {EXPORT_READY_S} s")


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


def _url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address
