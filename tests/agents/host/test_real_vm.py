"""A real QEMU guest through LibvirtDriver on qemu:///system: create, VNC greeting, stop, delete."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.host import libvirt_driver
from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, DomainStatus, NicSpec, ServerSpec

URI = "qemu:///system"
SETUP = Path(__file__).resolve().parents[3] / "scripts" / "libvirt-setup.sh"
NOT_INSTALLED = 3  # libvirt-setup.sh's exit status when libvirt is not installed


@pytest.fixture(scope="module")
def libvirtd() -> None:
    done = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=45, check=False)
    if done.returncode == NOT_INSTALLED:
        pytest.skip(f"libvirt is not installed on this machine: {done.stderr.strip()}")
    assert done.returncode == 0, f"scripts/libvirt-setup.sh failed:\n{done.stdout}{done.stderr}"


@pytest.fixture
def driver(libvirtd: None, tmp_path: Path) -> Iterator[LibvirtDriver]:
    driver = LibvirtDriver(URI, tmp_path / "storage", "real-host")
    yield driver
    driver.close()


@pytest.fixture
def server(driver: LibvirtDriver) -> Iterator[ServerSpec]:
    spec = ServerSpec(
        id=str(uuid.uuid4()),
        name="pytest-real-vm",
        vcpus=1,
        memory_mb=64,
        disks=[DiskSpec(id=str(uuid.uuid4()), size_gb=1)],
        nics=[NicSpec(id="nic0", mac="52:54:00:4e:49:4d", ip="10.0.2.15")],
    )
    try:
        yield spec
    finally:
        driver.delete(spec.id)  # also when the test failed half-way


def _virsh(*args: str) -> str:
    return subprocess.run(["virsh", "-q", "-c", URI, *args], capture_output=True, text=True, check=True).stdout


def _rfb_greeting(port: int, within_s: float) -> bytes:
    deadline = time.monotonic() + within_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                return conn.recv(12)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("accel", ["best", "tcg"])
def test_real_guest_lifecycle(
    driver: LibvirtDriver, server: ServerSpec, accel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if accel == "tcg":  # what a host without usable KVM gets
        monkeypatch.setattr(libvirt_driver, "kvm_usable", lambda: False)
    hypervisor = driver.facts().hypervisor
    assert hypervisor in ({"qemu"} if accel == "tcg" else {"kvm", "qemu"})

    started = time.monotonic()
    state = driver.create(server)
    assert time.monotonic() - started < 15
    assert state.status is DomainStatus.RUNNING
    assert state.vnc_port is not None
    live = ET.fromstring(_virsh("dumpxml", server.id))
    assert live.get("type") == hypervisor
    assert server.id in _virsh("list", "--uuid")

    assert _rfb_greeting(state.vnc_port, within_s=10) == b"RFB 003.008\n"
    assert driver.create(server) == state  # idempotent: the same running domain
    assert server.id in {s.server_id for s in driver.list_domains()}

    # A guest with a blank disk has no OS to honour ACPI: stop falls back to destroy.
    assert driver.stop(server.id, timeout_s=1).status is DomainStatus.STOPPED
    assert server.id not in _virsh("list", "--uuid")

    disk = driver.storage_dir / server.id / f"{server.disks[0].id}.qcow2"
    assert disk.is_file()
    driver.delete(server.id)
    assert driver.state(server.id).status is DomainStatus.MISSING
    assert server.id not in _virsh("list", "--all", "--uuid")
    assert not disk.exists()
