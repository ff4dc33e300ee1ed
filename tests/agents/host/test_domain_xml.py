"""Domain XML built from server specs, parsed back the way libvirt would read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agents.host.domain_xml import (
    NIMBUS_NS,
    build_domain_xml,
    disk_target,
    domain_name,
    nimbus_server_id,
    vnc_port,
)
from agents.host.protocol import DiskSpec, NicSpec, ServerSpec

SERVER_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def _spec(**overrides: object) -> ServerSpec:
    fields: dict[str, object] = {
        "id": SERVER_ID,
        "name": "web-1",
        "vcpus": 2,
        "memory_mb": 512,
        "disks": [
            DiskSpec(id="data", size_gb=20, boot_index=1),
            DiskSpec(id="root", size_gb=10, boot_index=0, image_path="/images/debian.qcow2"),
        ],
        "nics": [
            NicSpec(id="n1", mac="52:54:00:aa:bb:01", ip="10.0.0.5", bridge="br-tenant"),
            NicSpec(id="n2", mac="52:54:00:aa:bb:02", ip="192.168.0.9"),
        ],
    }
    fields.update(overrides)
    return ServerSpec(**fields)  # type: ignore[arg-type]


def _build(spec: ServerSpec, domain_type: str = "kvm") -> ET.Element:
    xml = build_domain_xml(spec, domain_type, lambda disk: Path("/var/lib/nimbus") / spec.id / f"{disk.id}.qcow2")
    return ET.fromstring(xml)


def test_identity_resources_and_machine() -> None:
    domain = _build(_spec())

    assert domain.get("type") == "kvm"
    assert domain.findtext("uuid") == SERVER_ID
    assert domain.findtext("name") == "nimbus-0f1e2d3c-web-1"
    assert domain.findtext("memory") == "512"
    assert domain.find("memory").get("unit") == "MiB"  # type: ignore[union-attr]
    assert domain.findtext("vcpu") == "2"
    os_type = domain.find("os/type")
    assert os_type is not None
    assert (os_type.text, os_type.get("arch"), os_type.get("machine")) == ("hvm", "x86_64", "pc")
    assert domain.find("features/acpi") is not None


@pytest.mark.parametrize("domain_type", ["kvm", "qemu", "test"])
def test_domain_type(domain_type: str) -> None:
    assert _build(_spec(), domain_type).get("type") == domain_type


def test_disks_are_virtio_qcow2_in_boot_order() -> None:
    disks = _build(_spec()).findall("devices/disk")

    described = [
        (
            d.find("target").get("dev"),  # type: ignore[union-attr]
            d.find("target").get("bus"),  # type: ignore[union-attr]
            d.find("source").get("file"),  # type: ignore[union-attr]
            d.find("driver").get("type"),  # type: ignore[union-attr]
            d.find("boot").get("order"),  # type: ignore[union-attr]
        )
        for d in disks
    ]
    assert described == [
        ("vda", "virtio", f"/var/lib/nimbus/{SERVER_ID}/root.qcow2", "qcow2", "1"),
        ("vdb", "virtio", f"/var/lib/nimbus/{SERVER_ID}/data.qcow2", "qcow2", "2"),
    ]


def test_nics_bridge_or_user_mode() -> None:
    bridged, user = _build(_spec()).findall("devices/interface")

    assert bridged.get("type") == "bridge"
    assert bridged.find("source").get("bridge") == "br-tenant"  # type: ignore[union-attr]
    assert bridged.find("mac").get("address") == "52:54:00:aa:bb:01"  # type: ignore[union-attr]
    assert bridged.find("model").get("type") == "virtio"  # type: ignore[union-attr]
    assert user.get("type") == "user"
    assert user.find("source") is None
    assert user.find("mac").get("address") == "52:54:00:aa:bb:02"  # type: ignore[union-attr]
    assert user.find("model").get("type") == "virtio"  # type: ignore[union-attr]


def test_vnc_on_loopback_and_a_serial_console() -> None:
    devices = _build(_spec()).find("devices")
    assert devices is not None

    graphics = devices.findall("graphics")
    assert [(g.get("type"), g.get("autoport"), g.get("listen")) for g in graphics] == [("vnc", "yes", "127.0.0.1")]
    assert devices.find("serial[@type='pty']/target").get("port") == "0"  # type: ignore[union-attr]
    assert devices.find("console/target").get("type") == "serial"  # type: ignore[union-attr]


def test_nimbus_metadata_names_the_server() -> None:
    spec = _spec()
    xml = build_domain_xml(spec, "qemu", lambda disk: Path(f"/d/{disk.id}"))

    server = ET.fromstring(xml).find(f"metadata/{{{NIMBUS_NS}}}server")
    assert server is not None
    assert server.get("id") == SERVER_ID
    assert nimbus_server_id(xml) == SERVER_ID
    assert 'xmlns:nimbus="https://nimbus.dev/xmlns/server/1"' in xml


def test_a_domain_without_nimbus_metadata_is_not_ours() -> None:
    assert nimbus_server_id("<domain type='test'><name>test</name></domain>") is None
    other = "<domain><metadata><x:server xmlns:x='https://example.com/other' id='1'/></metadata></domain>"
    assert nimbus_server_id(other) is None


def test_no_disks_or_nics() -> None:
    devices = _build(_spec(disks=[], nics=[])).find("devices")
    assert devices is not None
    assert devices.findall("disk") == []
    assert devices.findall("interface") == []
    assert devices.find("graphics") is not None


def test_names_are_escaped_and_made_safe() -> None:
    spec = _spec(name="my <web> & 'db'\nserver / ünï")
    domain = _build(spec)

    assert domain.findtext("name") == "nimbus-0f1e2d3c-my-web-db-server-n"
    assert domain.findtext("title") == "my <web> & 'db' server / ünï"
    assert domain_name(_spec(name="x" * 200)) == ("nimbus-0f1e2d3c-" + "x" * 200)[:64]
    assert domain_name(_spec(name="!!!")) == "nimbus-0f1e2d3c-server"


def test_disk_targets_continue_past_z() -> None:
    assert [disk_target(i) for i in (0, 1, 25, 26, 27, 51, 52)] == ["vda", "vdb", "vdz", "vdaa", "vdab", "vdaz", "vdba"]


@pytest.mark.parametrize(
    ("graphics", "port"),
    [
        ("<graphics type='vnc' port='5901' autoport='yes'/>", 5901),
        ("<graphics type='vnc' port='-1' autoport='yes'/>", None),
        ("<graphics type='vnc' autoport='yes'/>", None),
        ("<graphics type='spice' port='5930'/>", None),
        ("", None),
    ],
)
def test_vnc_port_read_back(graphics: str, port: int | None) -> None:
    assert vnc_port(f"<domain><devices>{graphics}</devices></domain>") == port
