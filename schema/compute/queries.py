"""Compute and task fields of the root Query, Mutation and Subscription."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from domain.compute.consoles import ConsoleProtocol as _ConsoleProtocol
from domain.compute.errors import ComputeErrorCode as ComputeCode
from domain.compute.models import HostStatus as HostStatusModel
from domain.compute.models import ServerStatus as ServerStatusModel
from domain.task.errors import TaskErrorCode as TaskCode
from domain.task.models import TaskStatus as TaskStatusModel
from resolvers.compute import queries
from resolvers.compute import subscriptions as resource_subscriptions
from resolvers.compute.mutations.host_update import host_update
from resolvers.compute.mutations.network_create import network_create, network_delete
from resolvers.compute.mutations.region_create import region_create, zone_create
from resolvers.compute.mutations.server_console_create import server_console_create
from resolvers.compute.mutations.server_create import server_create
from resolvers.compute.mutations.server_delete import server_delete
from resolvers.compute.mutations.server_reboot import server_reboot
from resolvers.compute.mutations.server_start import server_start
from resolvers.compute.mutations.server_stop import server_stop
from resolvers.ids import decode_id, to_global_id
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from resolvers.task import queries as task_queries
from resolvers.task import subscriptions
from resolvers.task.mutations.task_cancel import task_cancel
from schema.base import After, Connection, First, OrderDirection, filter_kwargs, selected_node_fields
from schema.compute import inputs as i
from schema.compute import payloads as p
from schema.compute.scheduler import placement_args
from schema.compute.types import ComputeError, ComputeErrorCode, Host, Network, Region, Server, Zone
from schema.identity.types import NimbusInfo
from schema.payload_errors import convert, deleted_id
from schema.task.inputs import TaskFilter, TaskOrder
from schema.task.types import Task, TaskError, TaskErrorCode


def _args(first: int | None, after: str | None, order: i.ComputeOrder | None) -> ListArgs:
    order = order or i.ComputeOrder()
    return ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)


def _errors(r: Result[Any]) -> list[ComputeError]:
    return convert(r.errors, ComputeError, ComputeErrorCode, ComputeCode.INVALID)


@strawberry.type
class ComputeQuery:
    @strawberry.field(description="Regions.")
    async def regions(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.RegionFilter | None = None,
        order_by: i.ComputeOrder | None = None,
    ) -> Connection[Region]:
        page = await queries.list_regions(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, Region.from_model)

    @strawberry.field(description="Availability zones.")
    async def zones(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.ZoneFilter | None = None,
        order_by: i.ComputeOrder | None = None,
    ) -> Connection[Zone]:
        page = await queries.list_zones(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, Zone.from_model)

    @strawberry.field(description="KVM hosts (administrators).")
    async def hosts(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.HostFilter | None = None,
        order_by: i.ComputeOrder | None = None,
    ) -> Connection[Host]:
        kwargs = filter_kwargs(filter, status=HostStatusModel)
        page = await queries.list_hosts(info.context, _args(first, after, order_by), **kwargs)
        return Connection.from_page(page, Host.from_model)

    @strawberry.field(description="Networks the caller may use.")
    async def networks(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.NetworkFilter | None = None,
        order_by: i.ComputeOrder | None = None,
    ) -> Connection[Network]:
        page = await queries.list_networks(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, Network.from_model)

    @strawberry.field(description="Servers the caller may see (DELETED ones only when asked).")
    async def servers(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.ServerFilter | None = None,
        order_by: i.ComputeOrder | None = None,
    ) -> Connection[Server]:
        kwargs = filter_kwargs(filter, status=ServerStatusModel)
        page = await queries.list_servers(info.context, _args(first, after, order_by), **kwargs)
        converted = iter(await Server.page(info.context, page.items, selected_node_fields(info)))
        return Connection.from_page(page, lambda _m: next(converted))

    @strawberry.field(description="Tasks the caller may see, newest first.")
    async def tasks(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: TaskFilter | None = None,
        order_by: TaskOrder | None = None,
    ) -> Connection[Task]:
        order = order_by or TaskOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        page = await task_queries.list_tasks(info.context, args, **filter_kwargs(filter, status=TaskStatusModel))
        return Connection.from_page(page, Task.from_model)


def _action_payload(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    server, task = r.value
    return cls(server=Server.from_model(server), task=Task.from_model(task))


@strawberry.type
class ComputeMutation:
    @strawberry.mutation(description="Create servers; returns at once with the task that builds them.")
    async def server_create(self, info: NimbusInfo, input: i.ServerCreateInput) -> p.ServerCreatePayload:
        r = await server_create(
            info.context,
            name=input.name,
            project_id=input.project_id,
            vcpus=input.vcpus,
            memory_mb=input.memory_mb,
            disk_gb=input.disk_gb,
            image_id=input.image_id,
            network_id=input.network_id,
            count=input.count,
            host_id=input.host_id,
            placement=placement_args(input),
            sku=input.sku,
            cloud_image=input.cloud_image,
        )
        if r.value is None:
            return p.ServerCreatePayload(errors=_errors(r))
        servers, task = r.value
        return p.ServerCreatePayload(servers=[Server.from_model(s) for s in servers], task=Task.from_model(task))

    @strawberry.mutation(description="A one-time token to reach a running server's VNC display or SSH.")
    async def server_console_create(
        self, info: NimbusInfo, input: i.ServerConsoleCreateInput
    ) -> p.ServerConsoleCreatePayload:
        endpoints = info.context.services.consoles
        r = await server_console_create(
            info.context, id=input.id, protocol=_ConsoleProtocol(input.protocol.value), port=input.port
        )
        if r.value is None:
            return p.ServerConsoleCreatePayload(errors=_errors(r))
        ticket = r.value
        return p.ServerConsoleCreatePayload(
            url=endpoints.page_url(ticket),
            websocket_url=endpoints.websocket_url(ticket),
            token=ticket.token,
            expires_at=datetime.fromtimestamp(ticket.expires_at, UTC),
        )

    @strawberry.mutation(description="Boot a stopped server.")
    async def server_start(self, info: NimbusInfo, input: i.ServerStartInput) -> p.ServerStartPayload:
        return _action_payload(p.ServerStartPayload, await server_start(info.context, id=input.id))

    @strawberry.mutation(description="Shut a running server down (ACPI, then power off).")
    async def server_stop(self, info: NimbusInfo, input: i.ServerStopInput) -> p.ServerStopPayload:
        return _action_payload(p.ServerStopPayload, await server_stop(info.context, id=input.id, force=input.force))

    @strawberry.mutation(description="Restart a running server.")
    async def server_reboot(self, info: NimbusInfo, input: i.ServerRebootInput) -> p.ServerRebootPayload:
        return _action_payload(p.ServerRebootPayload, await server_reboot(info.context, id=input.id))

    @strawberry.mutation(description="Delete a server, its disks and its addresses.")
    async def server_delete(self, info: NimbusInfo, input: i.ServerDeleteInput) -> p.ServerDeletePayload:
        return _action_payload(p.ServerDeletePayload, await server_delete(info.context, id=input.id))

    @strawberry.mutation(description="Cancel a task where that is safe; its undo runs before it ends CANCELLED.")
    async def task_cancel(self, info: NimbusInfo, input: i.TaskCancelInput) -> p.TaskCancelPayload:
        r = await task_cancel(info.context, id=input.id)
        errors = convert(r.errors, TaskError, TaskErrorCode, TaskCode.INVALID)
        return p.TaskCancelPayload(task=Task.from_model(r.value) if r.value else None, errors=errors)

    @strawberry.mutation(description="Create a region (system admins).")
    async def region_create(self, info: NimbusInfo, input: i.RegionCreateInput) -> p.RegionCreatePayload:
        r = await region_create(info.context, name=input.name, description=input.description)
        return p.RegionCreatePayload(region=Region.from_model(r.value) if r.value else None, errors=_errors(r))

    @strawberry.mutation(description="Create a zone (system admins).")
    async def zone_create(self, info: NimbusInfo, input: i.ZoneCreateInput) -> p.ZoneCreatePayload:
        r = await zone_create(info.context, name=input.name, region_id=input.region_id, description=input.description)
        return p.ZoneCreatePayload(zone=Zone.from_model(r.value) if r.value else None, errors=_errors(r))

    @strawberry.mutation(description="Enable, disable or drain a host; set its zone, ratios and tags.")
    async def host_update(self, info: NimbusInfo, input: i.HostUpdateInput) -> p.HostUpdatePayload:
        r = await host_update(
            info.context,
            id=input.id,
            enabled=input.enabled,
            maintenance=input.maintenance,
            zone_id=input.zone_id,
            cpu_ratio=input.cpu_ratio,
            memory_ratio=input.memory_ratio,
            tags=input.tags,
        )
        return p.HostUpdatePayload(host=Host.from_model(r.value) if r.value else None, errors=_errors(r))

    @strawberry.mutation(description="Create a network.")
    async def network_create(self, info: NimbusInfo, input: i.NetworkCreateInput) -> p.NetworkCreatePayload:
        r = await network_create(
            info.context,
            name=input.name,
            cidr=input.cidr,
            gateway=input.gateway,
            project_id=input.project_id,
            bridge=input.bridge,
            vlan_id=input.vlan_id,
        )
        return p.NetworkCreatePayload(network=Network.from_model(r.value) if r.value else None, errors=_errors(r))

    @strawberry.mutation(description="Delete a network with no addresses in use.")
    async def network_delete(self, info: NimbusInfo, input: i.NetworkDeleteInput) -> p.NetworkDeletePayload:
        r = await network_delete(info.context, id=input.id)
        return p.NetworkDeletePayload(deleted_id=deleted_id("Network", r.value), errors=_errors(r))


@strawberry.type(description="A resource changed state.")
class ResourceChange:
    kind: str = strawberry.field(description="The resource's type, e.g. `Server`.")
    id: strawberry.ID = strawberry.field(description="Its global ID.")
    status: str | None = strawberry.field(description="Its new status.")


@strawberry.type
class TaskSubscription:
    @strawberry.subscription(description="Resources changing state (e.g. servers going RUNNING), as far as visible.")
    async def resource_changed(
        self,
        info: NimbusInfo,
        kind: Annotated[str | None, strawberry.argument(description="Only this type, e.g. `Server`.")] = None,
    ) -> AsyncGenerator[ResourceChange, None]:
        async for change in resource_subscriptions.resource_changed(info.context, kind):
            yield ResourceChange(
                kind=change["kind"],
                id=strawberry.ID(to_global_id(change["kind"], uuid.UUID(change["id"]))),
                status=change.get("status"),
            )

    @strawberry.subscription(description="The task's current state, then every change; completes when it ends.")
    async def task_updated(
        self, info: NimbusInfo, id: Annotated[strawberry.ID, strawberry.argument(description="The task.")]
    ) -> AsyncGenerator[Task, None]:
        async for task in subscriptions.task_updated(info.context, decode_id(id, "Task")):
            yield Task.from_model(task)

    @strawberry.subscription(description="Changes of every task the caller may see (optionally of one project).")
    async def tasks(
        self,
        info: NimbusInfo,
        project_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this project.")] = None,
    ) -> AsyncGenerator[Task, None]:
        pid = decode_id(project_id, "Project", "projectId") if project_id else None
        async for task in subscriptions.project_tasks(info.context, pid):
            yield Task.from_model(task)
