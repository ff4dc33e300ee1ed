"""Migration and host maintenance: serverMigrate, serverLiveMigrate, hostMaintenanceEnter/Exit."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.compute.errors import ComputeErrorCode as ComputeCode
from resolvers.compute.mutations.host_maintenance import host_maintenance_enter, host_maintenance_exit
from resolvers.compute.mutations.server_migrate import server_migrate
from resolvers.mutation import Result
from schema.compute.types import ComputeError, ComputeErrorCode, Host, Server
from schema.identity.types import NimbusInfo
from schema.payload_errors import convert
from schema.task.types import Task


@strawberry.input(description="Move a server to another host: stopped, copied, defined there (administrators).")
class ServerMigrateInput:
    id: strawberry.ID = strawberry.field(description="The server (running or stopped).")
    host_id: strawberry.ID | None = strawberry.field(
        default=None, description="The target host; the scheduler chooses one when omitted."
    )


@strawberry.input(description="Move a running server to another host without stopping it (administrators).")
class ServerLiveMigrateInput:
    id: strawberry.ID = strawberry.field(description="The running server.")
    host_id: strawberry.ID | None = strawberry.field(
        default=None, description="The target host; the scheduler chooses one when omitted."
    )


@strawberry.input(description="Take a host out of service and move its servers elsewhere.")
class HostMaintenanceEnterInput:
    id: strawberry.ID = strawberry.field(description="The host.")
    live: bool = strawberry.field(
        default=False, description="Migrate running servers live instead of stopping them for the move."
    )


@strawberry.input(description="Put a host in maintenance back into service.")
class HostMaintenanceExitInput:
    id: strawberry.ID = strawberry.field(description="The host.")


@strawberry.type(description="Result of serverMigrate.")
class ServerMigratePayload:
    server: Server | None = strawberry.field(default=None, description="The server, MIGRATING.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverLiveMigrate.")
class ServerLiveMigratePayload(ServerMigratePayload):
    pass


@strawberry.type(description="Result of hostMaintenanceEnter.")
class HostMaintenanceEnterPayload:
    host: Host | None = strawberry.field(default=None, description="The host, in MAINTENANCE.")
    task: Task | None = strawberry.field(
        default=None, description="The drain: one server migration per subtask; FAILED if a server stayed."
    )
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of hostMaintenanceExit.")
class HostMaintenanceExitPayload:
    host: Host | None = strawberry.field(default=None, description="The host, back in service.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


def _errors(r: Result[Any]) -> list[ComputeError]:
    return convert(r.errors, ComputeError, ComputeErrorCode, ComputeCode.INVALID)


def _migrate_payload(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    server, task = r.value
    return cls(server=Server.from_model(server), task=Task.from_model(task))


@strawberry.type
class MigrationMutation:
    @strawberry.mutation(description="Cold-migrate a server: stop, copy its disks, define and start it elsewhere.")
    async def server_migrate(self, info: NimbusInfo, input: ServerMigrateInput) -> ServerMigratePayload:
        r = await server_migrate(info.context, id=input.id, host_id=input.host_id)
        return _migrate_payload(ServerMigratePayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Live-migrate a running server (libvirt peer to peer, disks copied).")
    async def server_live_migrate(self, info: NimbusInfo, input: ServerLiveMigrateInput) -> ServerLiveMigratePayload:
        r = await server_migrate(info.context, id=input.id, host_id=input.host_id, live=True)
        return _migrate_payload(ServerLiveMigratePayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Stop scheduling onto a host and migrate its servers away.")
    async def host_maintenance_enter(
        self, info: NimbusInfo, input: HostMaintenanceEnterInput
    ) -> HostMaintenanceEnterPayload:
        r = await host_maintenance_enter(info.context, id=input.id, live=input.live)
        if r.value is None:
            return HostMaintenanceEnterPayload(errors=_errors(r))
        return HostMaintenanceEnterPayload(host=Host.from_model(r.value.host), task=Task.from_model(r.value.task))

    @strawberry.mutation(description="Put a host back into service (ONLINE, or OFFLINE until it reports).")
    async def host_maintenance_exit(
        self, info: NimbusInfo, input: HostMaintenanceExitInput
    ) -> HostMaintenanceExitPayload:
        r = await host_maintenance_exit(info.context, id=input.id)
        return HostMaintenanceExitPayload(host=Host.from_model(r.value) if r.value else None, errors=_errors(r))
