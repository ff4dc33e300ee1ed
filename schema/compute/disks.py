"""Volumes, device hotplug and resize: the `disks` connection and their mutations."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain.compute.errors import ComputeErrorCode as ComputeCode
from domain.compute.models import DiskStatus as DiskStatusModel
from resolvers.compute.disk_queries import list_disks
from resolvers.compute.mutations.disk_create import disk_create
from resolvers.compute.mutations.disk_delete import disk_delete
from resolvers.compute.mutations.disk_resize import disk_resize
from resolvers.compute.mutations.server_disk_attach import server_disk_attach
from resolvers.compute.mutations.server_disk_detach import server_disk_detach
from resolvers.compute.mutations.server_nic_attach import server_nic_attach
from resolvers.compute.mutations.server_nic_detach import server_nic_detach
from resolvers.compute.mutations.server_resize import server_resize
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.compute.inputs import ComputeOrder
from schema.compute.types import ComputeError, ComputeErrorCode, Disk, Nic, Server
from schema.identity.types import NimbusInfo
from schema.payload_errors import convert
from schema.task.types import Task


@strawberry.enum(description="Where a disk is in its life.")
class DiskStatus(Enum):
    CREATING = "CREATING"
    READY = "READY"
    ATTACHING = "ATTACHING"
    DETACHING = "DETACHING"
    RESIZING = "RESIZING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    ERROR = "ERROR"


@strawberry.input(description="Filter disks.")
class DiskFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Substring of the name.")
    status: DiskStatus | None = strawberry.field(default=None, description="Only this status.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")
    server_id: strawberry.ID | None = strawberry.field(default=None, description="Only those attached to this server.")
    host_id: strawberry.ID | None = strawberry.field(default=None, description="Only on this host.")
    attached: bool | None = strawberry.field(default=None, description="Only attached (or free) disks.")
    include_deleted: bool = strawberry.field(default=False, description="Include DELETED disks.")


@strawberry.input(description="Make a blank volume.")
class DiskCreateInput:
    name: str = strawberry.field(description="Name.")
    size_gb: int = strawberry.field(description="Size in GiB, 1 to 16384.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owner; the token's project if unset."
    )
    server_id: strawberry.ID | None = strawberry.field(
        default=None, description="Make it on this server's host, ready to attach to it (it is not attached)."
    )
    host_id: strawberry.ID | None = strawberry.field(
        default=None, description="Make it on this host (administrators); else the host with most free storage."
    )


@strawberry.input(description="Delete a detached volume.")
class DiskDeleteInput:
    id: strawberry.ID = strawberry.field(description="The disk.")


@strawberry.input(description="Grow a volume.")
class DiskResizeInput:
    id: strawberry.ID = strawberry.field(description="The disk.")
    size_gb: int = strawberry.field(description="The new size in GiB; disks only grow.")


@strawberry.input(description="Plug a volume into a server (hot while it runs).")
class ServerDiskAttachInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    disk_id: strawberry.ID = strawberry.field(description="A READY, detached volume on the server's host.")


@strawberry.input(description="Unplug a volume from a server (hot while it runs).")
class ServerDiskDetachInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    disk_id: strawberry.ID = strawberry.field(description="An attached volume (not the boot disk).")


@strawberry.input(description="Add a network interface to a server (hot while it runs).")
class ServerNicAttachInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    network_id: strawberry.ID = strawberry.field(description="The network; the address comes from its IPAM.")


@strawberry.input(description="Remove a network interface from a server (hot while it runs).")
class ServerNicDetachInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    nic_id: strawberry.ID = strawberry.field(description="The interface.")


@strawberry.input(description="Change a server's size; unset fields keep their value.")
class ServerResizeInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    vcpus: int | None = strawberry.field(default=None, description="New virtual CPUs.")
    memory_mb: int | None = strawberry.field(default=None, description="New memory.")
    disk_gb: int | None = strawberry.field(default=None, description="New boot disk size; disks only grow.")
    live: bool | None = strawberry.field(
        default=None,
        description="true: only while running (growth within the maxima set at create) or refuse; false: stop, "
        "redefine, start; unset: live when possible, else cold.",
    )


@strawberry.type(description="Result of a volume mutation.")
class DiskPayload:
    disk: Disk | None = strawberry.field(default=None, description="The disk.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of diskCreate.")
class DiskCreatePayload(DiskPayload):
    pass


@strawberry.type(description="Result of diskDelete.")
class DiskDeletePayload(DiskPayload):
    pass


@strawberry.type(description="Result of diskResize.")
class DiskResizePayload(DiskPayload):
    pass


@strawberry.type(description="Result of plugging a volume in or out.")
class ServerDiskPayload:
    server: Server | None = strawberry.field(default=None, description="The server.")
    disk: Disk | None = strawberry.field(default=None, description="The disk.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverDiskAttach.")
class ServerDiskAttachPayload(ServerDiskPayload):
    pass


@strawberry.type(description="Result of serverDiskDetach.")
class ServerDiskDetachPayload(ServerDiskPayload):
    pass


@strawberry.type(description="Result of plugging an interface in or out.")
class ServerNicPayload:
    server: Server | None = strawberry.field(default=None, description="The server.")
    nic: Nic | None = strawberry.field(default=None, description="The interface, with its address.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverNicAttach.")
class ServerNicAttachPayload(ServerNicPayload):
    pass


@strawberry.type(description="Result of serverNicDetach.")
class ServerNicDetachPayload(ServerNicPayload):
    pass


@strawberry.type(description="Result of serverResize.")
class ServerResizePayload:
    server: Server | None = strawberry.field(default=None, description="The server (RESIZING).")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


def _errors(r: Result[Any]) -> list[ComputeError]:
    return convert(r.errors, ComputeError, ComputeErrorCode, ComputeCode.INVALID)


def _disk(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    disk, task = r.value
    return cls(disk=Disk.from_model(disk), task=Task.from_model(task))


def _server_disk(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    server, disk, task = r.value
    return cls(server=Server.from_model(server), disk=Disk.from_model(disk), task=Task.from_model(task))


def _server_nic(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    server, nic, task = r.value
    return cls(server=Server.from_model(server), nic=Nic.from_model(nic), task=Task.from_model(task))


@strawberry.type
class DiskQuery:
    @strawberry.field(description="Disks the caller may see: volumes and boot disks (DELETED ones only when asked).")
    async def disks(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: DiskFilter | None = None,
        order_by: ComputeOrder | None = None,
    ) -> Connection[Disk]:
        order = order_by or ComputeOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        page = await list_disks(info.context, args, **filter_kwargs(filter, status=DiskStatusModel))
        return Connection.from_page(page, Disk.from_model)


@strawberry.type
class DiskMutation:
    @strawberry.mutation(description="Make a blank volume on a host's storage; returns at once with the task.")
    async def disk_create(self, info: NimbusInfo, input: DiskCreateInput) -> DiskCreatePayload:
        r = await disk_create(
            info.context,
            name=input.name,
            size_gb=input.size_gb,
            project_id=input.project_id,
            host_id=input.host_id,
            server_id=input.server_id,
        )
        return _disk(DiskCreatePayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Delete a detached volume and give its storage back.")
    async def disk_delete(self, info: NimbusInfo, input: DiskDeleteInput) -> DiskDeletePayload:
        return _disk(DiskDeletePayload, await disk_delete(info.context, id=input.id))  # type: ignore[no-any-return]

    @strawberry.mutation(description="Grow a volume (through the guest when it is attached to a running server).")
    async def disk_resize(self, info: NimbusInfo, input: DiskResizeInput) -> DiskResizePayload:
        r = await disk_resize(info.context, id=input.id, size_gb=input.size_gb)
        return _disk(DiskResizePayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Plug a volume into a server on its host: hot (virtio) while it runs.")
    async def server_disk_attach(self, info: NimbusInfo, input: ServerDiskAttachInput) -> ServerDiskAttachPayload:
        r = await server_disk_attach(info.context, id=input.id, disk_id=input.disk_id)
        return _server_disk(ServerDiskAttachPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Unplug a volume from a server; the boot disk stays.")
    async def server_disk_detach(self, info: NimbusInfo, input: ServerDiskDetachInput) -> ServerDiskDetachPayload:
        r = await server_disk_detach(info.context, id=input.id, disk_id=input.disk_id)
        return _server_disk(ServerDiskDetachPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Add an interface on a network, its address from IPAM: hot while it runs.")
    async def server_nic_attach(self, info: NimbusInfo, input: ServerNicAttachInput) -> ServerNicAttachPayload:
        r = await server_nic_attach(info.context, id=input.id, network_id=input.network_id)
        return _server_nic(ServerNicAttachPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Remove an interface and give its address back.")
    async def server_nic_detach(self, info: NimbusInfo, input: ServerNicDetachInput) -> ServerNicDetachPayload:
        r = await server_nic_detach(info.context, id=input.id, nic_id=input.nic_id)
        return _server_nic(ServerNicDetachPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Change vCPUs, memory or boot disk size: live within the maxima, else cold.")
    async def server_resize(self, info: NimbusInfo, input: ServerResizeInput) -> ServerResizePayload:
        r = await server_resize(
            info.context,
            id=input.id,
            vcpus=input.vcpus,
            memory_mb=input.memory_mb,
            disk_gb=input.disk_gb,
            live=input.live,
        )
        if r.value is None:
            return ServerResizePayload(errors=_errors(r))
        server, task = r.value
        return ServerResizePayload(server=Server.from_model(server), task=Task.from_model(task))
