"""The scheduler in GraphQL: schedulerForecast, its settings, and server groups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry

from domain.compute import models
from domain.compute.errors import ComputeErrorCode as ComputeCode
from domain.compute.forecasts import CreateForecast
from domain.compute.scheduler import filters, weighers
from resolvers.compute import scheduler as queries
from resolvers.compute.forecast import scheduler_forecast
from resolvers.compute.mutations.scheduler_settings_update import scheduler_settings_update
from resolvers.compute.mutations.server_group_create import server_group_create
from resolvers.compute.mutations.server_group_delete import server_group_delete
from resolvers.compute.placement import PlacementArgs
from resolvers.identity.loaders import ProjectByIdLoader
from resolvers.ids import to_global_id
from resolvers.loaders import load_converted
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, Node, OrderDirection, filter_kwargs
from schema.compute import inputs as i
from schema.compute.types import ComputeError, ComputeErrorCode, Host, PlacementStrategy, ServerGroupPolicy
from schema.identity.types import NimbusInfo, Project
from schema.payload_errors import convert, deleted_id


def placement_args(input: i.ServerCreateInput) -> PlacementArgs:
    return PlacementArgs(
        zone_id=input.zone_id,
        region_id=input.region_id,
        required_tags=input.required_tags,
        excluded_tags=input.excluded_tags,
        preferred_tags=input.preferred_tags,
        arch=input.arch,
        hypervisor=input.hypervisor,
        server_group_id=input.server_group_id,
        strategy=input.strategy.value if input.strategy else None,
        allow_partial=input.allow_partial,
    )


def _errors(r: Result[Any]) -> list[ComputeError]:
    return convert(r.errors, ComputeError, ComputeErrorCode, ComputeCode.INVALID)


@strawberry.type(description="Servers placed together or apart; members join it in serverCreate.")
class ServerGroup(Node):
    name: str = strawberry.field(description="Name, unique in the project.")
    policy: ServerGroupPolicy = strawberry.field(
        description="AFFINITY/ANTI_AFFINITY filter hosts; the SOFT_ ones only weigh them."
    )
    created_at: datetime = strawberry.field(description="Creation time.")
    project_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The owning project.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)

    @classmethod
    def from_model(cls, m: models.ServerGroup) -> ServerGroup:
        return cls(
            id=strawberry.ID(to_global_id("ServerGroup", m.id)),
            name=m.name,
            policy=ServerGroupPolicy(m.policy.value),
            created_at=m.created_at,
            project_id=m.project_id,
        )


@strawberry.type(description="A weigher's multiplier: 0 turns it off, a negative one inverts it.")
class WeigherMultiplier:
    weigher: str = strawberry.field(description="The weigher's name.")
    multiplier: float = strawberry.field(description="Its weight in the sum (1.0 unless set).")


@strawberry.type(description="A project's own placement strategy.")
class ProjectStrategy:
    project_id: strawberry.ID = strawberry.field(description="The project.")
    strategy: PlacementStrategy = strawberry.field(description="Its strategy.")


@strawberry.type(description="The scheduler's settings (system administrators).")
class SchedulerSettings:
    strategy: PlacementStrategy = strawberry.field(
        description="Default strategy when neither request nor project chooses."
    )
    max_servers_per_host: int = strawberry.field(description="Most servers a host may run (0 = no limit).")
    multipliers: list[WeigherMultiplier] = strawberry.field(description="Every weigher with its multiplier.")
    project_strategies: list[ProjectStrategy] = strawberry.field(description="Projects with their own strategy.")
    filters: list[str] = strawberry.field(description="The filters, in the order they run.")

    @classmethod
    def from_model(cls, m: models.SchedulerSettings) -> SchedulerSettings:
        chosen = m.multipliers or {}
        return cls(
            strategy=PlacementStrategy(m.strategy),
            max_servers_per_host=m.max_servers_per_host,
            multipliers=[
                WeigherMultiplier(weigher=n, multiplier=float(chosen.get(n, 1.0))) for n in sorted(weighers.REGISTRY)
            ],
            project_strategies=[
                ProjectStrategy(
                    project_id=strawberry.ID(to_global_id("Project", uuid.UUID(pid))), strategy=PlacementStrategy(s)
                )
                for pid, s in sorted((m.project_strategies or {}).items())
            ],
            filters=[f.name for f in filters.all_filters()],
        )


@strawberry.type(description="A host that fits, with its weight (higher is better).")
class SchedulerCandidate:
    host: Host = strawberry.field(description="The host.")
    weight: float = strawberry.field(description="Sum of the weighers' normalised scores times their multipliers.")
    servers: int = strawberry.field(description="How many of the requested servers would go here.")


@strawberry.type(description="A host a filter turned down.")
class SchedulerRejection:
    host: Host = strawberry.field(description="The host.")
    filter: str = strawberry.field(description="The filter that removed it (the first that did).")
    reason: str = strawberry.field(description="Why, in words.")
    detail: str = strawberry.field(description="The numbers behind it, when there are any.")


@strawberry.type(description="How many hosts one filter removed for one reason.")
class SchedulerRejectionCount:
    filter: str = strawberry.field(description="The filter.")
    reason: str = strawberry.field(description="The reason.")
    hosts: int = strawberry.field(description="How many hosts.")


@strawberry.type(description="What serverCreate with the same input would get; nothing is allocated.")
class SchedulerForecast:
    fits: bool = strawberry.field(description="Whether all `count` servers would be placed now.")
    count: int = strawberry.field(description="How many servers of this shape would fit in all (up to 10000).")
    requested: int = strawberry.field(description="The `count` asked for.")
    hosts_checked: int = strawberry.field(description="Hosts the scheduler knows.")
    candidates: list[SchedulerCandidate] = strawberry.field(
        description="Hosts that fit one server, best first (administrators; empty for tenants)."
    )
    rejections: list[SchedulerRejection] = strawberry.field(
        description="Every host that does not fit, with the filter and reason (administrators; empty for tenants)."
    )
    rejection_counts: list[SchedulerRejectionCount] = strawberry.field(
        description="Rejections counted per filter and reason."
    )
    summary: str = strawberry.field(description="The rejections in one line, as failed tasks report them.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why the input was refused.")

    @classmethod
    def build(cls, result: CreateForecast, hosts: dict[uuid.UUID, models.Host], limit: int | None) -> SchedulerForecast:
        f = result.forecast
        placed: dict[uuid.UUID, int] = {}
        for h in f.hosts:
            placed[h.id] = placed.get(h.id, 0) + 1
        ranked = f.ranked if result.shows_hosts else []
        rejected = f.explanation.rejections if result.shows_hosts else []
        return cls(
            fits=f.fits,
            count=f.count,
            requested=result.requested,
            hosts_checked=f.explanation.checked,
            candidates=[
                SchedulerCandidate(host=Host.from_model(hosts[h.id]), weight=round(w, 6), servers=placed.get(h.id, 0))
                for h, w in ranked[:limit]
                if h.id in hosts
            ],
            rejections=[
                SchedulerRejection(
                    host=Host.from_model(hosts[h.id]), filter=r.filter, reason=r.summary, detail=r.detail
                )
                for h, r in rejected[:limit]
                if h.id in hosts
            ],
            rejection_counts=[
                SchedulerRejectionCount(filter=fn, reason=s, hosts=n) for fn, s, n in f.explanation.counts()
            ],
            summary=f.explanation.summary(),
        )


@strawberry.input(description="Create a server group.")
class ServerGroupCreateInput:
    name: str = strawberry.field(description="Name, unique in the project.")
    policy: ServerGroupPolicy = strawberry.field(description="Placement policy of its members.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; the token's by default.")


@strawberry.input(description="Delete a server group without live members.")
class ServerGroupDeleteInput:
    id: strawberry.ID = strawberry.field(description="The server group.")


@strawberry.input(description="A weigher's new multiplier.")
class WeigherMultiplierInput:
    weigher: str = strawberry.field(description="The weigher's name (see schedulerSettings.multipliers).")
    multiplier: float = strawberry.field(description="Its multiplier (0 turns it off).")


@strawberry.input(description="Change the scheduler's settings; unset fields stay as they are.")
class SchedulerSettingsUpdateInput:
    strategy: PlacementStrategy | None = strawberry.field(default=None, description="Default strategy.")
    max_servers_per_host: int | None = strawberry.field(
        default=None, description="Most servers per host (0 = no limit)."
    )
    multipliers: list[WeigherMultiplierInput] | None = strawberry.field(
        default=None, description="Multipliers to change."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="A project whose own strategy to set."
    )
    project_strategy: PlacementStrategy | None = strawberry.field(default=None, description="That project's strategy.")
    clear_project_strategy: bool = strawberry.field(
        default=False, description="Let that project use the default again."
    )


@strawberry.input(description="Filter server groups.")
class ServerGroupFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")


@strawberry.type(description="Result of serverGroupCreate.")
class ServerGroupCreatePayload:
    server_group: ServerGroup | None = strawberry.field(default=None, description="The group.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverGroupDelete.")
class ServerGroupDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted group.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of schedulerSettingsUpdate.")
class SchedulerSettingsUpdatePayload:
    settings: SchedulerSettings | None = strawberry.field(default=None, description="The settings now.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


Limit = Annotated[
    int | None, strawberry.argument(description="At most this many candidates and rejections (all by default).")
]


@strawberry.type
class SchedulerQuery:
    @strawberry.field(description="What serverCreate with this input would get, and why each host is in or out.")
    async def scheduler_forecast(
        self, info: NimbusInfo, input: i.ServerCreateInput, limit: Limit = None
    ) -> SchedulerForecast:
        r = await scheduler_forecast(
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
        )
        if r.value is None:
            return SchedulerForecast(
                fits=False,
                count=0,
                requested=input.count or 1,
                hosts_checked=0,
                candidates=[],
                rejections=[],
                rejection_counts=[],
                summary="",
                errors=_errors(r),
            )
        result, hosts = r.value
        return SchedulerForecast.build(result, hosts, limit)

    @strawberry.field(description="The scheduler's settings (system administrators).")
    async def scheduler_settings(self, info: NimbusInfo) -> SchedulerSettings:
        return SchedulerSettings.from_model(await queries.scheduler_settings(info.context))

    @strawberry.field(description="Server groups the caller may see.")
    async def server_groups(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: ServerGroupFilter | None = None,
        order_by: i.ComputeOrder | None = None,
    ) -> Connection[ServerGroup]:
        order = order_by or i.ComputeOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        page = await queries.list_server_groups(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, ServerGroup.from_model)


@strawberry.type
class SchedulerMutation:
    @strawberry.mutation(description="Create a server group.")
    async def server_group_create(self, info: NimbusInfo, input: ServerGroupCreateInput) -> ServerGroupCreatePayload:
        r = await server_group_create(
            info.context, name=input.name, policy=input.policy.value, project_id=input.project_id
        )
        return ServerGroupCreatePayload(
            server_group=ServerGroup.from_model(r.value) if r.value else None, errors=_errors(r)
        )

    @strawberry.mutation(description="Delete a server group that has no live members.")
    async def server_group_delete(self, info: NimbusInfo, input: ServerGroupDeleteInput) -> ServerGroupDeletePayload:
        r = await server_group_delete(info.context, id=input.id)
        return ServerGroupDeletePayload(deleted_id=deleted_id("ServerGroup", r.value), errors=_errors(r))

    @strawberry.mutation(description="Change the scheduler's settings (system administrators).")
    async def scheduler_settings_update(
        self, info: NimbusInfo, input: SchedulerSettingsUpdateInput
    ) -> SchedulerSettingsUpdatePayload:
        r = await scheduler_settings_update(
            info.context,
            strategy=input.strategy.value if input.strategy else None,
            max_servers_per_host=input.max_servers_per_host,
            multipliers={m.weigher: m.multiplier for m in input.multipliers} if input.multipliers is not None else None,
            project_id=input.project_id,
            project_strategy=input.project_strategy.value if input.project_strategy else None,
            clear_project_strategy=input.clear_project_strategy,
        )
        return SchedulerSettingsUpdatePayload(
            settings=SchedulerSettings.from_model(r.value) if r.value else None, errors=_errors(r)
        )
