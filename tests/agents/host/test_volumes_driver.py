"""The host driver's volume and resize operations on libvirt's test driver and real qemu-img files,
and the domain XML that leaves room for live resize."""

from __future__ import annotations

import json
import subprocess
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import libvirt
import pytest

from agents.host.domain_xml import build_domain_xml, memory_dimm_xml
from agents.host.driver import DriverError, VolumeDriver
from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, ServerSpec

GIB = 1024**3


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return tmp_path / "disks"


@pytest.fixture
def driver(storage: Path) -> Iterator[LibvirtDriver]:
    driver = LibvirtDriver("test:///default", storage, "host-1")
    yield driver
    driver.close()


def _size(path: str | Path) -> int:
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)], capture_output=True, text=True)
    return int(json.loads(out.stdout)["virtual-size"])


def _spec(vcpus: int = 1, memory_mb: int = 64, **maxima: int) -> ServerSpec:
    root = DiskSpec(id=str(uuid.uuid4()), size_gb=1)
    return ServerSpec(id=str(uuid.uuid4()), name="vm", vcpus=vcpus, memory_mb=memory_mb, disks=[root], **maxima)


def test_it_is_a_volume_driver(driver: LibvirtDriver) -> None:
    honours: VolumeDriver = driver
    assert honours is driver


def test_a_volume_is_made_once_grown_never_shrunk_and_removed(driver: LibvirtDriver, storage: Path) -> None:
    disk_id = str(uuid.uuid4())
    path = driver.create_volume(disk_id, 1)
    assert path == str(storage / "_volumes" / f"{disk_id}.qcow2")
    assert driver.create_volume(disk_id, 1) == path  # a resent job finds it made
    driver.resize_disk(None, path, 3)
    driver.resize_disk(None, path, 3)
    assert _size(path) == 3 * GIB
    with pytest.raises(DriverError, match="disks only grow"):
        driver.resize_disk(None, path, 2)
    driver.delete_volume(disk_id)
    driver.delete_volume(disk_id)
    assert not Path(path).exists()


def test_a_server_is_defined_with_room_to_grow_and_redefined_stopped(driver: LibvirtDriver) -> None:
    spec = _spec(max_vcpus=4, max_memory_mb=1024)
    driver.create(spec)
    with pytest.raises(DriverError, match="must be stopped"):
        driver.redefine(spec)
    driver.stop(spec.id, 0)
    bigger = ServerSpec(**{**spec.to_dict(), "disks": spec.disks, "vcpus": 2, "memory_mb": 128})
    driver.redefine(bigger)
    conn = libvirt.open("test:///default")
    try:
        root = ET.fromstring(conn.lookupByUUIDString(spec.id).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    finally:
        conn.close()
    vcpu = root.find("vcpu")
    assert vcpu is not None
    assert (vcpu.get("current"), vcpu.text) == ("2", "4")
    driver.delete(spec.id)


def test_the_xml_leaves_room_only_when_asked(tmp_path: Path) -> None:
    plain = ET.fromstring(build_domain_xml(_spec(), "kvm", lambda d: tmp_path / d.id))
    assert plain.find("maxMemory") is None
    assert plain.find("cpu/numa") is None
    assert plain.findtext("vcpu") == "1"

    roomy = ET.fromstring(build_domain_xml(_spec(2, 512, max_vcpus=4, max_memory_mb=2048), "kvm", lambda d: tmp_path))
    max_memory = roomy.find("maxMemory")
    assert max_memory is not None
    assert (max_memory.text, max_memory.get("slots"), max_memory.get("unit")) == ("2048", "16", "MiB")
    assert roomy.findtext("memory") == "512"
    cell = roomy.find("cpu/numa/cell")
    assert cell is not None
    assert (cell.get("cpus"), cell.get("memory")) == ("0-3", "512")
    assert ET.fromstring(memory_dimm_xml(128)).findtext("target/size") == "128"
