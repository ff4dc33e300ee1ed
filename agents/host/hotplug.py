"""Changing a defined domain's devices and sizes: live on a running domain (and in its persistent
definition), or only in the definition when it is stopped.

Each operation looks first at what the domain already has, so a job that runs twice finds its
work done. Hot-unplug needs the guest's help (ACPI): when the guest does not let a device go, the
device is put back into the definition too and the caller hears why, so the domain stays as it was.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import libvirt

from agents.host.domain_xml import disk_device_xml, disk_target, interface_xml, memory_dimm_xml
from agents.host.driver import DriverError
from agents.host.protocol import NicSpec

UNPLUG_WAIT_S = 10.0
_POLL_S = 0.2


def _flags(domain: Any) -> int:
    flags: int = libvirt.VIR_DOMAIN_AFFECT_CONFIG
    return flags | libvirt.VIR_DOMAIN_AFFECT_LIVE if domain.isActive() else flags


def _xml(domain: Any, inactive: bool = False) -> ET.Element:
    return ET.fromstring(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE if inactive else 0))


def _disk_element(root: ET.Element, path: str) -> ET.Element | None:
    for disk in root.findall("devices/disk"):
        source = disk.find("source")
        if source is not None and source.get("file") == path:
            return disk
    return None


def _nic_element(root: ET.Element, mac: str) -> ET.Element | None:
    for interface in root.findall("devices/interface"):
        address = interface.find("mac")
        if address is not None and address.get("address", "").lower() == mac.lower():
            return interface
    return None


def _free_target(domain: Any) -> str:
    used = set()
    for root in (_xml(domain), _xml(domain, inactive=True)):
        used |= {t.get("dev") for t in root.findall("devices/disk/target")}
    index = 0
    while disk_target(index) in used:
        index += 1
    return disk_target(index)


def attach_disk(domain: Any, path: Path) -> str:
    """Plug the volume at `path` in as the next free virtio disk; returns its device (vdb, …)."""
    for root in (_xml(domain, inactive=True), _xml(domain)):
        if (found := _disk_element(root, str(path))) is not None:
            existing = found.find("target")
            return "" if existing is None else existing.get("dev", "")
    device = _free_target(domain)
    domain.attachDeviceFlags(disk_device_xml(path, device), _flags(domain))
    return device


def detach_disk(domain: Any, path: Path) -> None:
    _unplug(domain, lambda root: _disk_element(root, str(path)), f"the disk {path.name}")


def attach_nic(domain: Any, nic: NicSpec) -> None:
    if _nic_element(_xml(domain, inactive=True), nic.mac) is None:
        domain.attachDeviceFlags(interface_xml(nic), _flags(domain))


def detach_nic(domain: Any, mac: str) -> None:
    _unplug(domain, lambda root: _nic_element(root, mac), f"the interface {mac}")


def _unplug(domain: Any, find: Any, what: str) -> None:
    config = find(_xml(domain, inactive=True))
    live = find(_xml(domain)) if domain.isActive() else None
    element = config if config is not None else live
    if element is None:
        return
    device = ET.tostring(element, encoding="unicode")
    flags = (libvirt.VIR_DOMAIN_AFFECT_CONFIG if config is not None else 0) | (
        libvirt.VIR_DOMAIN_AFFECT_LIVE if live is not None else 0
    )
    domain.detachDeviceFlags(device, flags)
    if live is None:
        return
    deadline = time.monotonic() + UNPLUG_WAIT_S
    while find(_xml(domain)) is not None:
        if time.monotonic() > deadline:
            if config is not None:
                domain.attachDeviceFlags(device, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
            raise DriverError(
                f"the guest did not release {what} within {UNPLUG_WAIT_S:.0f} s (hot-unplug needs a guest OS "
                "that answers ACPI); nothing was changed: stop the server and detach it again"
            )
        time.sleep(_POLL_S)


def resize_live(domain: Any, vcpus: int, memory_mb: int) -> None:
    """Grow a running domain: vCPUs up to its maximum, memory by plugging a DIMM of the difference."""
    flags = libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG
    root = _xml(domain)
    vcpu = root.find("vcpu")
    current = int(vcpu.get("current", vcpu.text or "0")) if vcpu is not None else 0
    maximum = int(vcpu.text or "0") if vcpu is not None else 0
    if vcpus > maximum:
        raise DriverError(f"the domain can grow to {maximum} vCPUs while running, not {vcpus}")
    # Memory first: it is the step QEMU may refuse, and a refusal then leaves the vCPUs untouched.
    memory_kib = _kib(root.find("memory"))
    missing_mb = memory_mb - memory_kib // 1024
    if missing_mb > 0:
        if root.find("maxMemory") is None:
            raise DriverError("the domain was defined without room for memory hotplug")
        domain.attachDeviceFlags(memory_dimm_xml(missing_mb), flags)
    if vcpus != current:
        domain.setVcpusFlags(vcpus, flags)


def _kib(element: ET.Element | None) -> int:
    if element is None or not element.text:
        return 0
    unit = element.get("unit", "KiB")
    scale = {"KiB": 1, "k": 1, "MiB": 1024, "M": 1024, "GiB": 1024**2, "G": 1024**2, "b": 0, "bytes": 0}
    value = int(element.text)
    return value // 1024 if scale.get(unit, 1) == 0 else value * scale.get(unit, 1)


def grow_attached(domain: Any, path: Path, size_bytes: int) -> bool:
    """Grow a disk the running domain has open (qemu-img may not touch it); False if not attached."""
    if not domain.isActive():
        return False
    element = _disk_element(_xml(domain), str(path))
    if element is None:
        return False
    target = element.find("target")
    assert target is not None
    domain.blockResize(target.get("dev"), size_bytes, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
    return True
