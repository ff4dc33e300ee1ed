"""Real BMC emulators in front of real libvirt domains: virtualbmc (IPMI) and sushy-tools (Redfish)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import libvirt

from tests.conftest import free_port

URI = "qemu:///system"
BIN = Path(sys.executable).parent
RUN = f"nbm{uuid.uuid4().hex[:6]}"  # every libvirt object of this run starts with it

DOMAIN_XML = """
<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>{memory_mb}</memory>
  <vcpu>{vcpus}</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='{disk}'/><target dev='vda' bus='virtio'/></disk>
    {nic}
    <serial type='pty'/>
  </devices>
</domain>
"""
USER_NIC = "<interface type='user'><mac address='{mac}'/><model type='virtio'/></interface>"
BRIDGE_NIC = (
    "<interface type='bridge'><source bridge='{bridge}'/><mac address='{mac}'/><model type='virtio'/></interface>"
)


@dataclass
class Machine:
    name: str
    mac: str
    uuid: str

    def state(self) -> str:
        conn = libvirt.open(URI)
        try:
            return "on" if conn.lookupByName(self.name).isActive() else "off"
        finally:
            conn.close()

    def boot_order(self) -> list[str]:
        conn = libvirt.open(URI)
        try:
            xml = conn.lookupByName(self.name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)  # the next boot's
        finally:
            conn.close()
        # Either <os><boot dev=.../> or per-device <boot order=N/>, depending on who set it.
        tree = ElementTree.fromstring(xml)
        legacy = [b.get("dev", "") for b in tree.findall("os/boot")]
        if legacy:
            return legacy
        ordered = []
        for device in tree.find("devices") or []:
            boot = device.find("boot")
            if boot is not None:
                kind = (
                    "network" if device.tag == "interface" else {"cdrom": "cdrom"}.get(device.get("device", ""), "hd")
                )
                ordered.append((int(boot.get("order", "0")), kind))
        return [kind for _, kind in sorted(ordered)]


@contextmanager
def machine(label: str, *, bridge: str | None = None, memory_mb: int = 64, vcpus: int = 1) -> Iterator[Machine]:
    name = f"{RUN}-{label}"
    mac = "52:54:00:" + ":".join(f"{b:02x}" for b in uuid.uuid4().bytes[:3])
    nic = BRIDGE_NIC.format(bridge=bridge, mac=mac) if bridge else USER_NIC.format(mac=mac)
    # A tiny blank disk: some BMCs refuse "boot from disk" for a machine without one.
    disk = Path(tempfile.mkdtemp(prefix=f"{name}-")) / "disk.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(disk), "16M"], check=True)
    conn = libvirt.open(URI)
    dom = conn.defineXML(DOMAIN_XML.format(name=name, memory_mb=memory_mb, vcpus=vcpus, nic=nic, disk=disk))
    try:
        yield Machine(name, mac, dom.UUIDString())
    finally:
        if dom.isActive():
            dom.destroy()
        dom.undefine()
        conn.close()
        shutil.rmtree(disk.parent, ignore_errors=True)


@dataclass
class Bmc:
    address: str
    port: int
    username: str
    password: str


def _wait_port_udp_or_tcp(check: callable, timeout: float = 15) -> None:  # type: ignore[valid-type]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError("the emulator did not come up")


@contextmanager
def virtualbmc(tmp: Path, machines: list[Machine], password: str = "s3cret") -> Iterator[dict[str, Bmc]]:
    """One vbmcd with its own HOME and control port, one IPMI endpoint per machine."""
    home = tmp / "vbmc-home"
    (home / ".vbmc").mkdir(parents=True)
    control = free_port()
    (home / ".vbmc" / "virtualbmc.conf").write_text(f"[default]\nserver_port = {control}\n")
    env = {**os.environ, "HOME": str(home), "VIRTUALBMC_CONFIG": str(home / ".vbmc" / "virtualbmc.conf")}
    daemon = subprocess.Popen(
        [BIN / "vbmcd", "--foreground"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    bmcs: dict[str, Bmc] = {}
    try:
        for m in machines:
            port = free_port()
            for _attempt in range(50):
                added = subprocess.run(
                    [BIN / "vbmc", "add", m.name, "--port", str(port), "--address", "127.0.0.1",
                     "--libvirt-uri", URI, "--username", "admin", "--password", password],
                    env=env, capture_output=True, text=True, check=False,
                )  # fmt: skip
                if added.returncode == 0:
                    break
                time.sleep(0.2)
            else:
                raise RuntimeError(f"vbmc add failed: {added.stderr}")
            subprocess.run([BIN / "vbmc", "start", m.name], env=env, check=True, capture_output=True)
            bmcs[m.name] = Bmc("127.0.0.1", port, "admin", password)
        time.sleep(0.5)
        yield bmcs
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def sushy_emulator(tmp: Path, machines: list[Machine], password: str = "s3cret", disk_gb: int = 20) -> Iterator[Bmc]:
    """sushy-emulator serving only this run's machines, with basic auth; each reports one drive."""
    htpasswd = tmp / "htpasswd"
    subprocess.run(["htpasswd", "-cbB", str(htpasswd), "admin", password], check=True, capture_output=True)
    conf = tmp / "emulator.conf"
    allowed = [m.uuid for m in machines]
    storage = {
        m.uuid: [{"Id": "1", "Name": "Local Storage", "StorageControllers": [], "Drives": ["d1"]}] for m in machines
    }
    drives = {
        (m.uuid, "1"): [{"Id": "d1", "Name": "Drive", "CapacityBytes": disk_gb * 2**30, "Protocol": "SATA"}]
        for m in machines
    }
    conf.write_text(
        f"SUSHY_EMULATOR_LIBVIRT_URI = {URI!r}\n"
        f"SUSHY_EMULATOR_ALLOWED_INSTANCES = {allowed!r}\n"
        f"SUSHY_EMULATOR_AUTH_FILE = {str(htpasswd)!r}\n"
        f"SUSHY_EMULATOR_STORAGE = {storage!r}\n"
        f"SUSHY_EMULATOR_DRIVES = {drives!r}\n"
    )
    port = free_port()
    proc = subprocess.Popen(
        [BIN / "sushy-emulator", "--config", str(conf), "-i", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import httpx

        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/redfish/v1", timeout=1).status_code < 500
            except httpx.HTTPError:
                return False

        _wait_port_udp_or_tcp(up)
        yield Bmc("127.0.0.1", port, "admin", password)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
