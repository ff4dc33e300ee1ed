"""Moving disks between two LibvirtDrivers (each its own test:// node and storage dir) over NBD,
and the destination XML of a live migration."""

from __future__ import annotations

import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from agents.host.domain_xml import with_disk_paths
from agents.host.driver import DriverError
from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DiskSpec, DomainStatus, ServerSpec

NODE = """<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads>
<active>2</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>4194304</memory></node>"""


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[LibvirtDriver, LibvirtDriver]]:
    node = tmp_path / "node.xml"
    node.write_text(NODE)
    source = LibvirtDriver("test:///default", tmp_path / "a", "host-a")
    target = LibvirtDriver(f"test://{node}", tmp_path / "b", "host-b")
    yield source, target
    source.close()
    target.close()


def _spec() -> ServerSpec:
    disks = [DiskSpec(id=str(uuid.uuid4()), size_gb=1, boot_index=i) for i in range(2)]
    return ServerSpec(id=str(uuid.uuid4()), name="mover", vcpus=1, memory_mb=64, disks=disks)


def _io(disk: Path, command: str) -> int:
    return subprocess.run(["qemu-io", "-f", "qcow2", "-c", command, str(disk)], capture_output=True).returncode


def _listening(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def test_disks_travel_over_nbd_and_the_domain_is_defined_stopped(
    pair: tuple[LibvirtDriver, LibvirtDriver], tmp_path: Path
) -> None:
    source, target = pair
    spec = _spec()
    source.create(spec)
    with pytest.raises(DriverError, match="stop it before"):
        source.export_disks(spec.id)
    source.stop(spec.id, 0)
    first = tmp_path / "a" / spec.id / f"{spec.disks[0].id}.qcow2"
    assert _io(first, "write -P 0x33 4M 1M") == 0

    exports = source.export_disks(spec.id)
    assert set(exports) == {d.id for d in spec.disks}
    assert source.export_disks(spec.id) == exports  # a resent job gets the same exports
    state = target.receive(spec, exports, start=False)
    assert state.status is DomainStatus.STOPPED
    assert target.receive(spec, exports, start=True).status is DomainStatus.RUNNING  # retried: kept, started

    moved = tmp_path / "b" / spec.id / f"{spec.disks[0].id}.qcow2"
    assert _io(moved, "read -P 0x33 4M 1M") == 0
    assert (tmp_path / "b" / spec.id / f"{spec.disks[1].id}.qcow2").is_file()
    source.stop_exports(spec.id)
    assert not any(_listening(url) for url in exports.values())


def test_a_missing_export_fails_the_pull_and_leaves_no_partial_disk(
    pair: tuple[LibvirtDriver, LibvirtDriver], tmp_path: Path
) -> None:
    _source, target = pair
    spec = _spec()
    with pytest.raises(DriverError, match="exports no disk"):
        target.receive(spec, {}, start=False)
    dead = {d.id: f"nbd://127.0.0.1:9/{d.id}" for d in spec.disks}
    with pytest.raises(DriverError, match="cannot copy the disk"):
        target.receive(spec, dead, start=False)
    assert not list((tmp_path / "b").rglob("*.qcow2*"))
    assert target.state(spec.id).status is DomainStatus.MISSING


def test_the_destination_xml_names_the_target_disks_and_drops_the_source_chain() -> None:
    xml = """<domain type='qemu'><name>x</name><devices>
      <disk type='file' device='disk'><source file='/a/s/d1.qcow2'/>
        <backingStore type='file'><source file='/a/_image-cache/img'/></backingStore></disk>
      <disk type='file' device='cdrom'><source file='/iso/other.iso'/></disk>
    </devices></domain>"""
    out = with_disk_paths(xml, {"d1": "/b/s/d1.qcow2"})
    assert "/b/s/d1.qcow2" in out
    assert "/a/s/d1.qcow2" not in out
    assert "backingStore" not in out
    assert "/iso/other.iso" in out
