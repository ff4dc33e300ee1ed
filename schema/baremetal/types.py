"""GraphQL object types of the baremetal context."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from domain.baremetal import models
from domain.baremetal.errors import Code as _Code
from resolvers.compute import loaders as compute_loaders
from resolvers.identity.loaders import ProjectByIdLoader
from resolvers.ids import to_global_id
from resolvers.loaders import load_converted
from resolvers.task import queries as task_queries
from schema.base import Node
from schema.compute.types import Server
from schema.identity.types import NimbusInfo, Project
from schema.task.types import Task

BaremetalErrorCode = strawberry.enum(_Code, description="Why a baremetal mutation was refused.")
BaremetalStatus = strawberry.enum(models.BaremetalStatus, description="Where a baremetal host is in its life.")
BmcProtocol = strawberry.enum(models.BmcProtocol, description="How the platform talks to a host's BMC.")
BootDevice = strawberry.enum(models.BootDevice, description="What a host boots from next.")


def _manages_hardware(info: NimbusInfo) -> bool:
    # A project that has a machine allocated sees the machine, not how to reach its BMC.
    principal = info.context.principal
    return principal is not None and principal.allows("baremetal.host.update", system=True)


@strawberry.type(description="A payload error of a baremetal mutation.")
class BaremetalError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: BaremetalErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.type(description="A network interface the host reported or was registered with.")
class BaremetalNic:
    mac: str = strawberry.field(description="MAC address, lower case.")
    name: str = strawberry.field(description="The BMC's name for it, when it has one.")


@strawberry.type(description="What inspection learnt from the BMC; fields the BMC does not report stay empty.")
class BaremetalInventory:
    cpus: int | None = strawberry.field(description="CPU count.")
    memory_mb: int | None = strawberry.field(description="Memory, MiB.")
    disks_gb: list[int] = strawberry.field(description="Disk sizes, GiB.")
    nics: list[BaremetalNic] = strawberry.field(description="Network interfaces with their MACs.")
    vendor: str = strawberry.field(description="Manufacturer.")
    model: str = strawberry.field(description="Model.")
    serial: str = strawberry.field(description="Serial number.")
    notes: list[str] = strawberry.field(description="What the BMC could not answer, and why.")
    raw: JSON = strawberry.field(description="The inventory as the agent reported it.")


@strawberry.type(description="A physical machine managed through its BMC. Its BMC password is never returned.")
class BaremetalHost(Node):
    name: str = strawberry.field(description="Name, unique on the platform.")
    protocol: BmcProtocol = strawberry.field(description="IPMI or Redfish.")
    bmc: strawberry.Private[tuple[str, int, str]]
    agent: str = strawberry.field(description="The baremetal agent that reaches the BMC.")
    macs: list[str] = strawberry.field(description="MACs the host PXE-boots from (registered and inspected).")
    status: BaremetalStatus = strawberry.field(description="Where the host is in its life.")
    maintenance_reason: str = strawberry.field(description="Why the host is in maintenance, if it is.")
    power_state: str = strawberry.field(description="on, off or unknown, as last reported by the BMC.")
    boot_device: BootDevice | None = strawberry.field(description="The boot device last set or reported.")
    cpus: int = strawberry.field(description="CPUs, from inspection (0: unknown).")
    memory_mb: int = strawberry.field(description="Memory in MiB, from inspection (0: unknown).")
    disk_gb: int = strawberry.field(description="Total disk in GiB, from inspection (0: unknown).")
    error: str | None = strawberry.field(description="Why the last operation failed, if it did.")
    created_at: datetime = strawberry.field(description="Registration time.")
    inventory_raw: strawberry.Private[dict[str, object]]
    task_id: strawberry.Private[uuid.UUID | None]
    server_id: strawberry.Private[uuid.UUID | None]
    project_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The BMC's host name or address; null unless the caller manages hardware.")
    def bmc_address(self, info: NimbusInfo) -> str | None:
        return self.bmc[0] if _manages_hardware(info) else None

    @strawberry.field(description="The BMC's port; null unless the caller manages hardware.")
    def bmc_port(self, info: NimbusInfo) -> int | None:
        return self.bmc[1] if _manages_hardware(info) else None

    @strawberry.field(description="The BMC user the platform logs in as; null unless the caller manages hardware.")
    def bmc_username(self, info: NimbusInfo) -> str | None:
        return self.bmc[2] if _manages_hardware(info) else None

    @strawberry.field(description="What inspection found; null before the first inspection.")
    def inventory(self) -> BaremetalInventory | None:
        inv = self.inventory_raw
        if not inv:
            return None
        nics = [BaremetalNic(mac=str(n.get("mac", "")), name=str(n.get("name", ""))) for n in inv.get("nics") or []]  # type: ignore[attr-defined]
        return BaremetalInventory(
            cpus=inv.get("cpus"),  # type: ignore[arg-type]
            memory_mb=inv.get("memory_mb"),  # type: ignore[arg-type]
            disks_gb=list(inv.get("disks_gb") or []),  # type: ignore[call-overload]
            nics=nics,
            vendor=str(inv.get("vendor") or ""),
            model=str(inv.get("model") or ""),
            serial=str(inv.get("serial") or ""),
            notes=[str(n) for n in inv.get("notes") or []],  # type: ignore[attr-defined]
            raw=inv,
        )

    @strawberry.field(description="The operation running on the host, if any.")
    async def task(self, info: NimbusInfo) -> Task | None:
        if self.task_id is None:
            return None
        task = await task_queries.task(info.context, self.task_id)
        return Task.from_model(task) if task is not None else None

    @strawberry.field(description="The server deployed on the host, if any (and visible to the caller).")
    async def server(self, info: NimbusInfo) -> Server | None:
        model = await compute_loaders.server(info.context, self.server_id)
        return Server.from_model(model) if model is not None else None

    @strawberry.field(description="The project the host is allocated to, if any.")
    def project(self, info: NimbusInfo) -> Project | None:
        if self.project_id is None:
            return None
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, m: models.BaremetalHost) -> BaremetalHost:
        return cls(
            id=strawberry.ID(to_global_id("BaremetalHost", m.id)),
            name=m.name,
            protocol=m.protocol,
            bmc=(m.bmc_address, m.bmc_port, m.bmc_username),
            agent=m.agent,
            macs=list(m.macs or []),
            status=m.status,
            maintenance_reason=m.maintenance_reason or "",
            power_state=m.power_state,
            boot_device=models.BootDevice(m.boot_device) if m.boot_device in models.BootDevice.__members__ else None,
            cpus=m.cpus,
            memory_mb=m.memory_mb,
            disk_gb=m.disk_gb,
            error=m.error,
            created_at=m.created_at,
            inventory_raw=dict(m.inventory or {}),
            task_id=m.task_id,
            server_id=m.server_id,
            project_id=m.project_id,
        )
