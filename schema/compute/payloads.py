"""Mutation payloads of the compute context."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.compute.types import ComputeError, Host, Network, Region, Server, Zone
from schema.task.types import Task, TaskError


@strawberry.type(description="Result of serverCreate: the servers (PENDING) and the task that builds them.")
class ServerCreatePayload:
    servers: list[Server] = strawberry.field(default_factory=list, description="The new servers.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of a server action.")
class ServerActionPayload:
    server: Server | None = strawberry.field(default=None, description="The server.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverConsoleCreate: a one-time token, valid about a minute.")
class ServerConsoleCreatePayload:
    url: str | None = strawberry.field(
        default=None, description="The web console's page for this console (relative to the api unless configured)."
    )
    websocket_url: str | None = strawberry.field(
        default=None, description="The console proxy's WebSocket endpoint, token included."
    )
    token: str | None = strawberry.field(default=None, description="Single use; bound to the caller and the server.")
    expires_at: datetime | None = strawberry.field(default=None, description="When the token stops working.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverStart.")
class ServerStartPayload(ServerActionPayload):
    pass


@strawberry.type(description="Result of serverStop.")
class ServerStopPayload(ServerActionPayload):
    pass


@strawberry.type(description="Result of serverReboot.")
class ServerRebootPayload(ServerActionPayload):
    pass


@strawberry.type(description="Result of serverDelete.")
class ServerDeletePayload(ServerActionPayload):
    pass


@strawberry.type(description="Result of taskCancel.")
class TaskCancelPayload:
    task: Task | None = strawberry.field(default=None, description="The task, with cancelRequested set.")
    errors: list[TaskError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of regionCreate.")
class RegionCreatePayload:
    region: Region | None = strawberry.field(default=None, description="The region.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of zoneCreate.")
class ZoneCreatePayload:
    zone: Zone | None = strawberry.field(default=None, description="The zone.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of hostUpdate.")
class HostUpdatePayload:
    host: Host | None = strawberry.field(default=None, description="The host.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of networkCreate.")
class NetworkCreatePayload:
    network: Network | None = strawberry.field(default=None, description="The network.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of networkDelete.")
class NetworkDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted network.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")
