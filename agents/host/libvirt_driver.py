"""The host driver on libvirt: domains on qemu:///system (KVM, or TCG without it), or test:///.

One libvirt connection per driver, opened on first use and reopened when it dies (libvirtd
restarted). libvirt connections are thread-safe, so calls for different servers run concurrently
on it; the lock only guards opening and replacing it. `test:///` keeps its domains in the
connection, which is why the driver never opens a second one while the first is alive.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import libvirt

from agents.host import disks, export, hotplug, snapshots
from agents.host.domain_xml import build_domain_xml, nimbus_server_id, vnc_port, with_disk_paths
from agents.host.driver import DriverError
from agents.host.migration import DiskExports, import_disks
from agents.host.protocol import DiskSpec, DomainState, DomainStatus, HostFacts, NicSpec, ServerSpec

T = TypeVar("T")
GIB = 1024**3
STOP_POLL_S = 0.2
KVM_DEVICE = "/dev/kvm"
_KVM_GET_API_VERSION = 0xAE00
_KVM_CREATE_VM = 0xAE01
_KVM_API_VERSION = 12

_PAUSED = {libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PMSUSPENDED}
_STOPPED = {libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_CRASHED}
# Drop what a domain may leave behind (UEFI vars, a managed save, snapshot metadata); older
# drivers and the test driver refuse some flags, so fall back to fewer.
_UNDEFINE_FLAGS = (
    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
    | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
    | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM
    | libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
    0,
)
# Peer to peer: the source libvirtd talks to the destination's itself, so the agent's connection
# may drop without stranding the guest half-way. Disks are copied (only their top layer: the
# destination has the same images) and the definition moves with the guest.
_LIVE_MIGRATE_FLAGS = (
    libvirt.VIR_MIGRATE_LIVE
    | libvirt.VIR_MIGRATE_PEER2PEER
    | libvirt.VIR_MIGRATE_PERSIST_DEST
    | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE
    | libvirt.VIR_MIGRATE_NON_SHARED_INC
)


def _ignore_libvirt_error(_context: object, _error: object) -> None:
    """libvirt prints every error on stderr by default; ours become DriverError messages instead."""


libvirt.registerErrorHandler(_ignore_libvirt_error, None)


def kvm_usable(device: str = KVM_DEVICE) -> bool:
    """Whether this process can run KVM guests: the device opens read-write and creates a VM."""
    try:
        fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if fcntl.ioctl(fd, _KVM_GET_API_VERSION) != _KVM_API_VERSION:
            return False
        os.close(fcntl.ioctl(fd, _KVM_CREATE_VM, 0))
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


class LibvirtDriver:
    """HostDriver on a libvirt URI; disks are qcow2 files under `storage_dir`."""

    def __init__(self, uri: str, storage_dir: Path, host_name: str, console_address: str = "127.0.0.1") -> None:
        self.uri = uri
        self.console_address = console_address
        self.storage_dir = storage_dir
        self.host_name = host_name
        self._lock = threading.Lock()
        self._conn: Any = None
        self._hypervisor: str | None = None
        # Heartbeats list every domain often: remember what each one's XML said, keyed by
        # (uuid, libvirt domain id), which changes whenever the domain (re)starts.
        self._seen: dict[tuple[str, int], tuple[str | None, int | None]] = {}
        self._exports = DiskExports(storage_dir, console_address)

    # --- HostDriver -------------------------------------------------------------------------

    def facts(self) -> HostFacts:
        arch, memory_mb, cpus = self._call("read the host's facts", lambda conn: conn.getInfo()[:3])
        return HostFacts(
            name=self.host_name,
            libvirt_uri=self.uri,
            cpus=int(cpus),
            memory_mb=int(memory_mb),
            storage_gb=self._free_storage_gb(),
            arch=str(arch),
            hypervisor=self.hypervisor(),
            console_address=self.console_address,
        )

    def create(self, spec: ServerSpec) -> DomainState:
        return self._call(f"create server {spec.id}", lambda conn: self._create(conn, spec))

    def start(self, server_id: str) -> DomainState:
        return self._call(f"start server {server_id}", lambda conn: self._start(conn, server_id))

    def stop(self, server_id: str, timeout_s: float) -> DomainState:
        return self._call(f"stop server {server_id}", lambda conn: self._stop(conn, server_id, timeout_s))

    def reboot(self, server_id: str) -> DomainState:
        return self._call(f"reboot server {server_id}", lambda conn: self._reboot(conn, server_id))

    def delete(self, server_id: str) -> None:
        self._call(f"delete server {server_id}", lambda conn: self._delete(conn, server_id))

    def state(self, server_id: str) -> DomainState:
        return self._call(f"read the state of server {server_id}", lambda conn: self._state_of(conn, server_id))

    def list_domains(self) -> list[DomainState]:
        return self._call("list the servers' domains", self._list_domains)

    def export_disks(self, server_id: str) -> dict[str, str]:
        def export(conn: Any) -> dict[str, str]:
            domain = _lookup(conn, server_id)
            if domain is not None and domain.isActive():
                raise DriverError(f"server {server_id} is running: stop it before copying its disks")
            return self._exports.export(server_id)

        return self._call(f"export the disks of server {server_id}", export)

    def stop_exports(self, server_id: str) -> None:
        self._exports.stop(server_id)

    def receive(self, spec: ServerSpec, sources: dict[str, str], start: bool) -> DomainState:
        import_disks(self.storage_dir, spec, sources)
        return self._call(f"define server {spec.id}", lambda conn: self._define(conn, spec, start))

    def prepare_incoming(self, spec: ServerSpec) -> dict[str, str]:
        return {d.id: str(disks.create_disk(self.storage_dir, spec.id, d)) for d in spec.disks}

    def migrate_live(self, server_id: str, dest_uri: str, migrate_uri: str, disk_paths: dict[str, str]) -> None:
        self._call(
            f"live-migrate server {server_id} to {dest_uri}",
            lambda conn: self._migrate_live(conn, server_id, dest_uri, migrate_uri, disk_paths),
        )

    def close(self) -> None:
        self._exports.stop_all()
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            _close_quietly(conn)

    def hypervisor(self) -> str:
        """The domain type: test on test:///, kvm on a qemu URI when KVM is usable, else qemu (TCG)."""
        if self._hypervisor is None:
            scheme = self.uri.split(":", 1)[0].split("+", 1)[0]
            if scheme == "test":
                self._hypervisor = "test"
            else:
                self._hypervisor = "kvm" if scheme == "qemu" and kvm_usable() else "qemu"
        return self._hypervisor

    # --- snapshots, screenshots, rebuilds ------------------------------------------------------

    def snapshot_create(self, server_id: str, snapshot_id: str, quiesce: bool) -> DomainState:
        def run(conn: Any) -> DomainState:
            domain = self._require(conn, server_id)
            snapshots.create(domain, snapshot_id, quiesce)
            return _domain_state(domain, server_id)

        return self._call(f"snapshot server {server_id}", run)

    def snapshot_revert(self, server_id: str, snapshot_id: str) -> DomainState:
        def run(conn: Any) -> DomainState:
            domain = self._require(conn, server_id)
            snapshots.revert(domain, snapshot_id)
            return _domain_state(domain, server_id)

        return self._call(f"revert server {server_id} to snapshot {snapshot_id}", run)

    def snapshot_delete(self, server_id: str, snapshot_id: str) -> DomainState:
        def run(conn: Any) -> DomainState:
            domain = self._require(conn, server_id)
            snapshots.delete(domain, snapshot_id)
            return _domain_state(domain, server_id)

        return self._call(f"delete snapshot {snapshot_id} of server {server_id}", run)

    def screenshot(self, server_id: str) -> tuple[str, bytes]:
        return self._call(
            f"take a screenshot of server {server_id}",
            lambda conn: snapshots.screenshot(conn, self._require(conn, server_id)),
        )

    def rebuild(self, spec: ServerSpec, power_on: bool) -> DomainState:
        """Replace the root disk (the spec's first disk) with a fresh one from its image."""
        return self._call(f"rebuild server {spec.id}", lambda conn: self._rebuild(conn, spec, power_on))

    def export_disk(self, server_id: str, disk_id: str, name: str) -> Path:
        """A standalone qcow2 copy of the disk next to it, named after `name`; the caller removes it."""
        return self._call(
            f"copy a disk of server {server_id}", lambda conn: self._export(conn, server_id, disk_id, name)
        )

    def _export(self, conn: Any, server_id: str, disk_id: str, name: str) -> Path:
        domain = self._require(conn, server_id)
        source = disks.disk_path(self.storage_dir, server_id, disk_id)
        target = source.with_name(f".export-{name}.qcow2")
        snapshot = None
        if domain.isActive():
            snapshot = f"export-{name}"
            snapshots.create(domain, snapshot, False)
        try:
            export.copy_disk(source, target, snapshot)
        finally:
            if snapshot is not None:
                snapshots.delete(domain, snapshot)
        return target

    def _rebuild(self, conn: Any, spec: ServerSpec, power_on: bool) -> DomainState:
        domain = self._require(conn, spec.id)
        disk = disks.disk_path(self.storage_dir, spec.id, spec.disks[0].id)
        rebuilt = disk.with_name(f".{disk.name}.rebuilt")
        aside = disk.with_name(f".{disk.name}.before-rebuild")
        if not aside.exists():  # a retry after the swap must not build a second disk
            disks.create_disk_file(rebuilt, spec.disks[0])
        if domain.isActive():
            _destroy(domain)  # the old disk's contents are being discarded: no shutdown to wait for
        try:
            snapshots.swap_in(disk, rebuilt, aside)
            if power_on and not domain.isActive():
                domain.create()
        except (OSError, libvirt.libvirtError) as exc:
            snapshots.swap_back(disk, rebuilt, aside)
            if power_on and not domain.isActive():
                with contextlib.suppress(libvirt.libvirtError):
                    domain.create()
            if isinstance(exc, OSError):
                raise DriverError(f"cannot put the rebuilt disk in place: {exc.strerror or exc}") from exc
            raise
        # The old disk held the snapshots' data; their records would now point at nothing.
        snapshots.forget_all(domain)
        aside.unlink(missing_ok=True)
        return _domain_state(domain, spec.id)

    # --- volumes, device hotplug and resize ------------------------------------------------------

    def create_volume(self, disk_id: str, size_gb: int) -> str:
        return str(disks.create_volume(self.storage_dir, disk_id, size_gb))

    def delete_volume(self, disk_id: str) -> None:
        disks.delete_volume(self.storage_dir, disk_id)

    def volume_path(self, disk_id: str) -> str:
        return str(disks.volume_path(self.storage_dir, disk_id))

    def boot_disk_path(self, server_id: str, disk_id: str) -> str:
        return str(disks.disk_path(self.storage_dir, server_id, disk_id))

    def resize_disk(self, server_id: str | None, path: str, size_gb: int) -> None:
        def grow(conn: Any) -> None:
            domain = _lookup(conn, server_id) if server_id else None
            if domain is None or not hotplug.grow_attached(domain, Path(path), size_gb * GIB):
                disks.grow(Path(path), size_gb)

        self._call(f"resize the disk {path}", grow)

    def attach_disk(self, server_id: str, path: str) -> str:
        return self._call(
            f"attach a disk to server {server_id}",
            lambda conn: hotplug.attach_disk(self._require(conn, server_id), Path(path)),
        )

    def detach_disk(self, server_id: str, path: str) -> None:
        self._call(
            f"detach a disk from server {server_id}",
            lambda conn: hotplug.detach_disk(self._require(conn, server_id), Path(path)),
        )

    def attach_nic(self, server_id: str, nic: NicSpec) -> None:
        self._call(
            f"attach an interface to server {server_id}",
            lambda conn: hotplug.attach_nic(self._require(conn, server_id), nic),
        )

    def detach_nic(self, server_id: str, mac: str) -> None:
        self._call(
            f"detach an interface from server {server_id}",
            lambda conn: hotplug.detach_nic(self._require(conn, server_id), mac),
        )

    def resize_live(self, server_id: str, vcpus: int, memory_mb: int) -> DomainState:
        def resize(conn: Any) -> DomainState:
            domain = self._require(conn, server_id)
            hotplug.resize_live(domain, vcpus, memory_mb)
            return _domain_state(domain, server_id)

        return self._call(f"resize server {server_id}", resize)

    def redefine(self, spec: ServerSpec) -> DomainState:
        """Replace a stopped domain's definition (cold resize); a running one is refused."""

        def define(conn: Any) -> DomainState:
            domain = self._require(conn, spec.id)
            if domain.isActive():
                raise DriverError(f"server {spec.id} must be stopped to be redefined")
            xml = build_domain_xml(spec, self.hypervisor(), self._disk_path(spec.id), vnc_listen=self.console_address)
            return _domain_state(conn.defineXML(xml), spec.id)

        return self._call(f"redefine server {spec.id}", define)

    # --- operations, each on an open connection -----------------------------------------------

    def _create(self, conn: Any, spec: ServerSpec) -> DomainState:
        for disk in spec.disks:
            if disk.path is None:  # volumes exist already, made by diskCreate
                disks.create_disk(self.storage_dir, spec.id, disk)
        domain = _lookup(conn, spec.id)
        if domain is None:
            xml = build_domain_xml(spec, self.hypervisor(), self._disk_path(spec.id), vnc_listen=self.console_address)
            domain = conn.defineXML(xml)
        if not domain.isActive():
            domain.create()
        return _domain_state(domain, spec.id)

    def _define(self, conn: Any, spec: ServerSpec, start: bool) -> DomainState:
        domain = _lookup(conn, spec.id)
        if domain is None:
            xml = build_domain_xml(spec, self.hypervisor(), self._disk_path(spec.id), vnc_listen=self.console_address)
            domain = conn.defineXML(xml)
        if start and not domain.isActive():
            domain.create()
        return _domain_state(domain, spec.id)

    def _migrate_live(
        self, conn: Any, server_id: str, dest_uri: str, migrate_uri: str, disk_paths: dict[str, str]
    ) -> None:
        domain = self._require(conn, server_id)
        if not domain.isActive():
            raise DriverError(f"server {server_id} is not running: only a running server migrates live")
        xml = with_disk_paths(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_MIGRATABLE), disk_paths)
        params = {libvirt.VIR_MIGRATE_PARAM_URI: migrate_uri, libvirt.VIR_MIGRATE_PARAM_DEST_XML: xml}
        domain.migrateToURI3(dest_uri, params, _LIVE_MIGRATE_FLAGS)

    def _start(self, conn: Any, server_id: str) -> DomainState:
        domain = self._require(conn, server_id)
        if _status(domain) is DomainStatus.PAUSED:
            domain.resume()
        elif not domain.isActive():
            domain.create()
        return _domain_state(domain, server_id)

    def _stop(self, conn: Any, server_id: str, timeout_s: float) -> DomainState:
        domain = self._require(conn, server_id)
        status = _status(domain)
        # A paused guest cannot act on the ACPI button, so waiting for it would be pointless.
        if status is DomainStatus.RUNNING and _request_shutdown(domain):
            deadline = time.monotonic() + timeout_s
            while domain.isActive() and (remaining := deadline - time.monotonic()) > 0:
                time.sleep(min(STOP_POLL_S, remaining))
        if domain.isActive():
            _destroy(domain)
        return _domain_state(domain, server_id)

    def _reboot(self, conn: Any, server_id: str) -> DomainState:
        # The guest reboots itself (ACPI); a guest that ignores ACPI keeps running unrebooted.
        domain = self._require(conn, server_id)
        if not domain.isActive():
            domain.create()
            return _domain_state(domain, server_id)
        if _status(domain) is DomainStatus.PAUSED:
            domain.resume()
        domain.reboot(0)
        return _domain_state(domain, server_id)

    def _delete(self, conn: Any, server_id: str) -> None:
        domain = _lookup(conn, server_id)
        if domain is not None:
            _destroy(domain)
            _undefine(domain)
        disks.delete_disks(self.storage_dir, server_id)

    def _state_of(self, conn: Any, server_id: str) -> DomainState:
        domain = _lookup(conn, server_id)
        if domain is None:
            return DomainState(server_id, DomainStatus.MISSING)
        return _domain_state(domain, server_id)

    def _list_domains(self, conn: Any) -> list[DomainState]:
        states = []
        seen: dict[tuple[str, int], tuple[str | None, int | None]] = {}
        # One call for every domain's state: heartbeats list all domains, often.
        for domain, stats in conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE):
            try:
                key = (domain.UUIDString(), domain.ID())
                server_id, port = self._seen.get(key) or self._read(domain)
                seen[key] = (server_id, port)
                if server_id is not None:
                    status = _status_of(stats.get("state.state", libvirt.VIR_DOMAIN_NOSTATE))
                    states.append(DomainState(server_id, status, None if status is DomainStatus.STOPPED else port))
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise  # a domain undefined while we listed is simply not listed
        self._seen = seen
        return states

    @staticmethod
    def _read(domain: Any) -> tuple[str | None, int | None]:
        xml = domain.XMLDesc(0)
        return nimbus_server_id(xml), vnc_port(xml)

    # --- helpers ------------------------------------------------------------------------------

    def _require(self, conn: Any, server_id: str) -> Any:
        domain = _lookup(conn, server_id)
        if domain is None:
            raise DriverError(f"server {server_id} has no domain on host {self.host_name}")
        return domain

    def _disk_path(self, server_id: str) -> Callable[[DiskSpec], Path]:
        return lambda disk: Path(disk.path) if disk.path else disks.disk_path(self.storage_dir, server_id, disk.id)

    def _free_storage_gb(self) -> int:
        try:
            self.storage_dir.mkdir(parents=True, exist_ok=True)
            return shutil.disk_usage(self.storage_dir).free // GIB
        except OSError as exc:
            raise DriverError(f"cannot use the storage directory {self.storage_dir}: {exc.strerror or exc}") from exc

    # --- the connection -----------------------------------------------------------------------

    def _call(self, what: str, operation: Callable[[Any], T]) -> T:
        """Run `operation` on the connection; if the connection died, reopen it and run it again
        (every operation is idempotent). libvirt errors become DriverError("<what>: <message>")."""
        conn = self._connection(what)
        try:
            return operation(conn)
        except libvirt.libvirtError as exc:
            if _alive(conn):
                raise DriverError(f"cannot {what}: {_message(exc)}") from exc
        self._forget(conn)
        try:
            return operation(self._connection(what))
        except libvirt.libvirtError as exc:
            raise DriverError(f"cannot {what}: {_message(exc)}") from exc

    def _connection(self, what: str) -> Any:
        with self._lock:
            if self._conn is None:
                try:
                    self._conn = libvirt.open(self.uri)
                except libvirt.libvirtError as exc:
                    raise DriverError(f"cannot {what}: libvirt at {self.uri} is unreachable: {_message(exc)}") from exc
            return self._conn

    def _forget(self, dead: Any) -> None:
        with self._lock:
            if self._conn is dead:
                self._conn = None
        _close_quietly(dead)


def _lookup(conn: Any, server_id: str) -> Any:
    """The server's domain, or None when libvirt has none with that uuid."""
    try:
        return conn.lookupByUUIDString(server_id)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
            return None
        raise


def _status(domain: Any) -> DomainStatus:
    return _status_of(domain.state()[0])


def _status_of(state: int) -> DomainStatus:
    if state in _PAUSED:
        return DomainStatus.PAUSED
    if state in _STOPPED:
        return DomainStatus.STOPPED
    return DomainStatus.RUNNING  # running, blocked, shutting down: the guest still runs


def _domain_state(domain: Any, server_id: str, xml: str | None = None) -> DomainState:
    status = _status(domain)
    port = None
    if status is not DomainStatus.STOPPED:
        # The live XML carries the VNC port libvirt picked when the domain started.
        port = vnc_port(xml if xml is not None else domain.XMLDesc(0))
    return DomainState(server_id, status, port)


def _request_shutdown(domain: Any) -> bool:
    """Press the ACPI button; False when the domain refused (or stopped meanwhile): no use waiting."""
    try:
        domain.shutdown()
    except libvirt.libvirtError:
        return False
    return True


def _destroy(domain: Any) -> None:
    try:
        domain.destroy()
    except libvirt.libvirtError as exc:
        # Stopped (or gone) between our check and the call: that is what we wanted.
        if exc.get_error_code() not in (libvirt.VIR_ERR_OPERATION_INVALID, libvirt.VIR_ERR_NO_DOMAIN):
            raise


def _undefine(domain: Any) -> None:
    for flags in _UNDEFINE_FLAGS:
        try:
            domain.undefineFlags(flags)
            return
        except libvirt.libvirtError as exc:
            code = exc.get_error_code()
            if code == libvirt.VIR_ERR_NO_DOMAIN:
                return  # a transient domain vanished with destroy
            if code not in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_INVALID_ARG) or flags == 0:
                raise


def _alive(conn: Any) -> bool:
    try:
        return bool(conn.isAlive())
    except libvirt.libvirtError:
        return False


def _close_quietly(conn: Any) -> None:
    # A connection that died with libvirtd has nothing left to close.
    with contextlib.suppress(libvirt.libvirtError):
        conn.close()


def _message(exc: libvirt.libvirtError) -> str:
    return str(exc) or "unknown libvirt error"
