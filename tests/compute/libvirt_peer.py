"""A second libvirtd on this machine, as a second KVM host: its own mount namespace gives it
private state and run directories, and it answers on qemu+tcp://127.0.0.1:<port>/system."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import libvirt

from tests.conftest import free_port

SCRIPT = """set -e
for d in /run /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do mount -t tmpfs tmpfs "$d"; done
mkdir -p /var/lib/libvirt/qemu /var/log/libvirt/qemu /run/libvirt
virtlogd &
exec libvirtd --listen -f "$1"
"""


@contextlib.contextmanager
def second_libvirtd(directory: Path) -> Iterator[str]:
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    conf = directory / "libvirtd.conf"
    conf.write_text(
        f'listen_tls = 0\nlisten_tcp = 1\ntcp_port = "{port}"\nlisten_addr = "127.0.0.1"\n'
        f'auth_tcp = "none"\nunix_sock_dir = "{directory}"\n'
    )
    log = (directory / "libvirtd.log").open("w")
    proc = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", SCRIPT, "sh", str(conf)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    uri = f"qemu+tcp://127.0.0.1:{port}/system"
    try:
        _wait(uri, proc, directory)
        yield uri
    finally:
        _destroy_domains(uri)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def _wait(uri: str, proc: subprocess.Popen[bytes], directory: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the second libvirtd exited: {(directory / 'libvirtd.log').read_text()[-2000:]}")
        try:
            libvirt.open(uri).close()
            return
        except libvirt.libvirtError:
            time.sleep(0.2)
    raise RuntimeError("the second libvirtd did not answer within 30 s")


def _destroy_domains(uri: str) -> None:
    """Its guests would outlive the daemon: stop and forget every one before it goes."""
    with contextlib.suppress(libvirt.libvirtError):
        conn = libvirt.open(uri)
        for domain in conn.listAllDomains():
            with contextlib.suppress(libvirt.libvirtError):
                if domain.isActive():
                    domain.destroy()
                domain.undefine()
        conn.close()
