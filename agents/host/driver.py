"""The contract every host driver honours; the agent calls it from a thread (libvirt is blocking).

Every operation is idempotent: a job that arq runs twice, or that an agent retries after a crash,
must reach the same end state (creating a domain that exists returns its state; deleting a missing
one succeeds).
"""

from __future__ import annotations

from typing import Protocol

from agents.host.protocol import DomainState, HostFacts, ServerSpec


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
