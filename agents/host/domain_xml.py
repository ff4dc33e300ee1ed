"""libvirt domain XML for a ServerSpec, and the few facts the driver reads back from a domain's XML.

Built with ElementTree rather than a text template, so names and paths are always escaped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from agents.host.protocol import DiskSpec, NicSpec, ServerSpec

NIMBUS_NS = "https://nimbus.dev/xmlns/server/1"
NIMBUS_PREFIX = "nimbus"
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_NAME = 64

DiskPath = Callable[[DiskSpec], Path]


def domain_name(spec: ServerSpec) -> str:
    """`nimbus-<first 8 of id>-<name>`, with anything but letters, digits, `_.-` turned into `-`."""
    name = _UNSAFE_NAME_CHARS.sub("-", spec.name).strip("-.") or "server"
    return f"nimbus-{spec.id[:8]}-{name}"[:_MAX_NAME]


def disk_target(index: int) -> str:
    """The guest device of the index-th virtio disk: vda … vdz, vdaa, vdab, … (as Linux names them)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return f"vd{letters}"


def build_domain_xml(spec: ServerSpec, domain_type: str, disk_path: DiskPath, *, vnc_listen: str = "127.0.0.1") -> str:
    """The persistent definition of the server's domain; `domain_type` is kvm, qemu (TCG) or test."""
    domain = ET.Element("domain", type=domain_type)
    ET.SubElement(domain, "name").text = domain_name(spec)
    ET.SubElement(domain, "uuid").text = spec.id
    ET.SubElement(domain, "title").text = " ".join(spec.name.split())  # libvirt refuses newlines
    domain.append(_metadata(spec))
    _sizes(domain, spec)
    os_element = ET.SubElement(domain, "os")
    ET.SubElement(os_element, "type", arch="x86_64", machine="pc").text = "hvm"
    features = ET.SubElement(domain, "features")
    ET.SubElement(features, "acpi")  # without ACPI a guest cannot honour a graceful shutdown
    ET.SubElement(features, "apic")
    ET.SubElement(domain, "clock", offset="utc")
    ET.SubElement(domain, "on_poweroff").text = "destroy"
    ET.SubElement(domain, "on_reboot").text = "restart"
    ET.SubElement(domain, "on_crash").text = "destroy"
    _numa(domain, spec)
    domain.append(_devices(spec, disk_path, vnc_listen))
    ET.indent(domain)
    return ET.tostring(domain, encoding="unicode")


MEMORY_SLOTS = 16


def _sizes(domain: ET.Element, spec: ServerSpec) -> None:
    """vCPUs and memory, with the maxima live resize may grow them to when the spec sets them."""
    if spec.max_memory_mb and spec.max_memory_mb > spec.memory_mb:
        # Memory grows live by plugging DIMMs into these slots, up to maxMemory.
        ET.SubElement(domain, "maxMemory", slots=str(MEMORY_SLOTS), unit="MiB").text = str(spec.max_memory_mb)
    ET.SubElement(domain, "memory", unit="MiB").text = str(spec.memory_mb)
    if spec.max_vcpus and spec.max_vcpus > spec.vcpus:
        ET.SubElement(domain, "vcpu", current=str(spec.vcpus)).text = str(spec.max_vcpus)
    else:
        ET.SubElement(domain, "vcpu").text = str(spec.vcpus)


def _numa(domain: ET.Element, spec: ServerSpec) -> None:
    # DIMM hotplug needs a NUMA node to plug into; one node holding every vCPU and the base memory.
    if not spec.max_memory_mb or spec.max_memory_mb <= spec.memory_mb:
        return
    cpus = max(spec.vcpus, spec.max_vcpus or 0)
    numa = ET.SubElement(ET.SubElement(domain, "cpu"), "numa")
    ET.SubElement(numa, "cell", id="0", cpus=f"0-{cpus - 1}", memory=str(spec.memory_mb), unit="MiB")


def nimbus_server_id(domain_xml: str) -> str | None:
    """The server id in a domain's Nimbus metadata; None for a domain Nimbus did not define."""
    server = ET.fromstring(domain_xml).find(f"metadata/{{{NIMBUS_NS}}}server")
    return None if server is None else server.get("id")


def vnc_port(domain_xml: str) -> int | None:
    """The VNC port of a running domain (libvirt picks it at start); None when none is assigned."""
    graphics = ET.fromstring(domain_xml).find("devices/graphics[@type='vnc']")
    port = None if graphics is None else graphics.get("port")
    if port is None or not port.lstrip("-").isdigit() or int(port) <= 0:
        return None
    return int(port)


def _metadata(spec: ServerSpec) -> ET.Element:
    metadata = ET.Element("metadata")
    # libvirt keeps a metadata element with the prefix it was given, so declare it by hand.
    server = ET.SubElement(metadata, f"{NIMBUS_PREFIX}:server", id=spec.id)
    server.set(f"xmlns:{NIMBUS_PREFIX}", NIMBUS_NS)
    return metadata


def _devices(spec: ServerSpec, disk_path: DiskPath, vnc_listen: str) -> ET.Element:
    devices = ET.Element("devices")
    boot_sequence = sorted(spec.disks, key=lambda disk: disk.boot_index)
    for index, disk in enumerate(boot_sequence):
        devices.append(_disk(disk_path(disk), disk_target(index), boot_order=index + 1))
    for nic in spec.nics:
        devices.append(_interface(nic))
    serial = ET.SubElement(devices, "serial", type="pty")
    ET.SubElement(serial, "target", port="0")
    console = ET.SubElement(devices, "console", type="pty")
    ET.SubElement(console, "target", type="serial", port="0")
    # Only the console proxy should reach the display: listen on the address it uses (loopback
    # unless the host is given another), never on every interface.
    ET.SubElement(devices, "graphics", type="vnc", autoport="yes", listen=vnc_listen)
    return devices


def _disk(path: Path, target: str, boot_order: int | None) -> ET.Element:
    disk = ET.Element("disk", type="file", device="disk")
    ET.SubElement(disk, "driver", name="qemu", type="qcow2")
    ET.SubElement(disk, "source", file=str(path))
    ET.SubElement(disk, "target", dev=target, bus="virtio")
    if boot_order is not None:
        ET.SubElement(disk, "boot", order=str(boot_order))
    return disk


def disk_device_xml(path: Path, target: str) -> str:
    """A hot-pluggable virtio disk (no boot order: the boot disk keeps the first place)."""
    return ET.tostring(_disk(path, target, None), encoding="unicode")


def interface_xml(nic: NicSpec) -> str:
    return ET.tostring(_interface(nic), encoding="unicode")


def memory_dimm_xml(size_mb: int) -> str:
    dimm = ET.Element("memory", model="dimm")
    target = ET.SubElement(dimm, "target")
    ET.SubElement(target, "size", unit="MiB").text = str(size_mb)
    ET.SubElement(target, "node").text = "0"
    return ET.tostring(dimm, encoding="unicode")


def _interface(nic: NicSpec) -> ET.Element:
    if nic.bridge:
        interface = ET.Element("interface", type="bridge")
        ET.SubElement(interface, "source", bridge=nic.bridge)
    else:
        interface = ET.Element("interface", type="user")
    ET.SubElement(interface, "mac", address=nic.mac)
    ET.SubElement(interface, "model", type="virtio")
    return interface


def with_disk_paths(domain_xml: str, paths: dict[str, str]) -> str:
    """The domain's XML with each disk file named `<disk id>.qcow2` moved to `paths[disk id]`:
    what the destination of a live migration defines, its storage directory being its own."""
    ET.register_namespace(NIMBUS_PREFIX, NIMBUS_NS)
    domain = ET.fromstring(domain_xml)
    for disk in domain.iterfind("devices/disk"):
        source = disk.find("source[@file]")
        disk_id = Path(source.get("file", "")).stem if source is not None else ""
        if source is None or disk_id not in paths:
            continue
        source.set("file", paths[disk_id])
        # The chain named here is the source's (its image cache): the destination reads its own
        # from the qcow2 header of the disk it prepared.
        for chain in disk.findall("backingStore"):
            disk.remove(chain)
    return ET.tostring(domain, encoding="unicode")
