"""The contract every host driver honours; the agent calls it from a thread (libvirt is blocking).

Every operation is idempotent: a job that arq runs twice, or that an agent retries after a crash,
must reach the same end state (creating a domain that exists returns its state; deleting a missing
one succeeds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from agents.host.protocol import DomainState, HostFacts, NicSpec, ServerSpec


class DriverError(Exception):
    """An operation failed; the message is shown to the user in the task's error."""


class HostDriver(Protocol):
    def facts(self) -> HostFacts: ...

    def create(self, spec: ServerSpec) -> DomainState:
        """Create the disks, define the domain and start it."""
        ...

    def start(self, server_id: str) -> DomainState: ...

    def stop(self, server_id: str, timeout_s: float) -> DomainState:
        """ACPI shutdown, then destroy if the guest has not stopped within `timeout_s`."""
        ...

    def reboot(self, server_id: str) -> DomainState: ...

    def delete(self, server_id: str) -> None:
        """Destroy, undefine and remove the disks; a missing domain is not an error."""
        ...

    def state(self, server_id: str) -> DomainState: ...

    def list_domains(self) -> list[DomainState]:
        """Every domain this driver manages (Nimbus' own, recognised by their metadata)."""
        ...

    def export_disks(self, server_id: str) -> dict[str, str]:
        """Serve a stopped server's disks to the host it moves to: disk id -> URL to pull from."""
        ...

    def stop_exports(self, server_id: str) -> None: ...

    def receive(self, spec: ServerSpec, sources: dict[str, str], start: bool) -> DomainState:
        """Pull the disks from `sources`, define the domain, and start it when `start`."""
        ...

    def prepare_incoming(self, spec: ServerSpec) -> dict[str, str]:
        """Empty disks for a live migration to write into: disk id -> path on this host."""
        ...

    def migrate_live(self, server_id: str, dest_uri: str, migrate_uri: str, disk_paths: dict[str, str]) -> None:
        """Move the running domain, memory and disks, to the libvirt at `dest_uri`."""
        ...

    def close(self) -> None: ...

    def snapshot_create(self, server_id: str, snapshot_id: str, quiesce: bool) -> DomainState:
        """Take a snapshot named `snapshot_id`; quiesce needs a guest agent that answers."""
        ...

    def snapshot_revert(self, server_id: str, snapshot_id: str) -> DomainState: ...

    def snapshot_delete(self, server_id: str, snapshot_id: str) -> DomainState:
        """Remove the snapshot; a missing one is not an error."""
        ...

    def screenshot(self, server_id: str) -> tuple[str, bytes]:
        """(MIME type, image) of the running server's screen."""
        ...

    def rebuild(self, spec: ServerSpec, power_on: bool) -> DomainState:
        """A fresh root disk (the spec's first disk, whose image is in the cache); same domain."""
        ...

    def export_disk(self, server_id: str, disk_id: str, name: str) -> Path:
        """A standalone qcow2 copy of the disk (crash-consistent if the server runs)."""
        ...


class VolumeDriver(Protocol):
    """Volumes, device hotplug and resize: live on a running domain, in its definition otherwise."""

    def create_volume(self, disk_id: str, size_gb: int) -> str:
        """Make a blank qcow2 volume unless it exists; returns its path."""
        ...

    def delete_volume(self, disk_id: str) -> None: ...

    def volume_path(self, disk_id: str) -> str: ...

    def boot_disk_path(self, server_id: str, disk_id: str) -> str: ...

    def resize_disk(self, server_id: str | None, path: str, size_gb: int) -> None:
        """Grow a disk (through the running domain when it has it open); never shrinks."""
        ...

    def attach_disk(self, server_id: str, path: str) -> str:
        """Plug a volume in as a virtio disk; returns the guest device."""
        ...

    def detach_disk(self, server_id: str, path: str) -> None: ...

    def attach_nic(self, server_id: str, nic: NicSpec) -> None: ...

    def detach_nic(self, server_id: str, mac: str) -> None: ...

    def resize_live(self, server_id: str, vcpus: int, memory_mb: int) -> DomainState: ...

    def redefine(self, spec: ServerSpec) -> DomainState:
        """Replace a stopped domain's definition with the spec's."""
        ...
