"""Quotas in the schema: limits next to usage, the `quotas` list, `quotaDefaults` and `quotaUpdate`."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated

import strawberry

from domain.errors import DomainError
from domain.quota import models
from domain.quota.services import Limit
from resolvers.identity import loaders
from resolvers.identity import providers as queries
from resolvers.identity.mutations.quota_update import quota_update
from resolvers.ids import decode_id, to_global_id
from resolvers.loaders import load_converted
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, OrderDirection
from schema.identity.filters import NamedOrder
from schema.identity.payloads import identity_errors
from schema.identity.types import Domain, IdentityError, NimbusInfo, Project


@strawberry.enum(description="A resource a quota limits.")
class QuotaResourceKind(Enum):
    SERVERS = "servers"
    VCPUS = "vcpus"
    MEMORY_MB = "memory_mb"
    DISK_GB = "disk_gb"
    IMAGES = "images"
    IMAGE_STORAGE_GB = "image_storage_gb"
    NETWORKS = "networks"
    IPS = "ips"


@strawberry.enum(description="Where a limit comes from.")
class QuotaSource(Enum):
    PROJECT = "project"
    DOMAIN = "domain"
    NONE = "none"


@strawberry.type(description="One resource: its limit, what is in use, and what is left.")
class QuotaResource:
    resource: QuotaResourceKind = strawberry.field(description="The resource.")
    limit: int | None = strawberry.field(description="The limit; null: unlimited.")
    used: int = strawberry.field(description="In use now.")
    available: int | None = strawberry.field(description="What can still be allocated; null: unlimited.")
    source: QuotaSource = strawberry.field(description="Set on the project, inherited from the domain, or none.")

    @classmethod
    def from_limit(cls, limit: Limit) -> QuotaResource:
        available = None if limit.limit is None else max(limit.limit - limit.used, 0)
        return cls(
            resource=QuotaResourceKind(limit.resource),
            limit=limit.limit,
            used=limit.used,
            available=available,
            source=QuotaSource(limit.source),
        )


@strawberry.type(description="A project's quota (or, with no project, a domain's defaults), with usage.")
class Quota:
    id: strawberry.ID = strawberry.field(description="The project's (or the domain's) global ID.")
    resources: list[QuotaResource] = strawberry.field(description="Every limited resource.")
    domain_id: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The project; null for a domain's defaults.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(
            info.context, "project_by_id", loaders.ProjectByIdLoader, Project.from_model, self.project_id
        )

    @strawberry.field(description="The domain.")
    def domain(self, info: NimbusInfo) -> Domain | None:
        return load_converted(info.context, "domain_by_id", loaders.DomainByIdLoader, Domain.from_model, self.domain_id)

    @classmethod
    def of(cls, domain_id: uuid.UUID, project_id: uuid.UUID | None, limits: list[Limit]) -> Quota:
        global_id = to_global_id("Project", project_id) if project_id else to_global_id("Domain", domain_id)
        return cls(
            id=strawberry.ID(global_id),
            resources=[QuotaResource.from_limit(lim) for lim in limits],
            domain_id=domain_id,
            project_id=project_id,
        )


@strawberry.input(description="Filter quotas.")
class QuotaFilter:
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Only projects of this domain.")


@strawberry.input(description="Set limits: on a project (domain admins) or a domain's defaults (system admins).")
class QuotaUpdateInput:
    project_id: strawberry.ID | None = strawberry.field(default=None, description="The project.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="The domain (its defaults).")
    servers: int | None = strawberry.field(default=None, description="Servers; -1: unlimited.")
    vcpus: int | None = strawberry.field(default=None, description="Virtual CPUs; -1: unlimited.")
    memory_mb: int | None = strawberry.field(default=None, description="Memory in MiB; -1: unlimited.")
    disk_gb: int | None = strawberry.field(default=None, description="Disk in GiB; -1: unlimited.")
    images: int | None = strawberry.field(default=None, description="Images; -1: unlimited.")
    image_storage_gb: int | None = strawberry.field(default=None, description="Image storage in GiB; -1: unlimited.")
    networks: int | None = strawberry.field(default=None, description="Networks; -1: unlimited.")
    ips: int | None = strawberry.field(default=None, description="IP addresses; -1: unlimited.")
    reset: list[QuotaResourceKind] = strawberry.field(
        default_factory=list, description="Limits to clear: a project inherits the domain's default again."
    )


@strawberry.type(description="Result of quotaUpdate.")
class QuotaUpdatePayload:
    quota: Quota | None = strawberry.field(default=None, description="The quota as it now stands.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type
class QuotaQuery:
    @strawberry.field(description="Project quotas the caller may read, with usage next to every limit.")
    async def quotas(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: QuotaFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[Quota]:
        field = order_by.field.value if order_by else "name"
        descending = bool(order_by and order_by.direction is OrderDirection.DESC)
        f = filter or QuotaFilter()
        page, limits = await queries.list_quotas(
            info.context, ListArgs(first, after, field, descending), project_id=f.project_id, domain_id=f.domain_id
        )
        return Connection.from_page(page, lambda p: Quota.of(p.domain_id, p.id, limits[p.id]))

    @strawberry.field(description="A domain's default limits, with the whole domain's usage.")
    async def quota_defaults(
        self, info: NimbusInfo, domain_id: Annotated[strawberry.ID, strawberry.argument(description="The domain.")]
    ) -> Quota | None:
        try:
            did = decode_id(domain_id, "Domain", "domainId")
            limits = await queries.quota_defaults(info.context, did)
        except DomainError:  # a malformed id or a domain out of reach reads as none, like `node`
            return None
        return Quota.of(did, None, limits)


@strawberry.type
class QuotaMutation:
    @strawberry.mutation(description="Set or reset quota limits of a project or a domain's defaults.")
    async def quota_update(self, info: NimbusInfo, input: QuotaUpdateInput) -> QuotaUpdatePayload:
        values = {r: getattr(input, r) for r in models.RESOURCES if getattr(input, r) is not None}
        r = await quota_update(
            info.context,
            project_id=input.project_id,
            domain_id=input.domain_id,
            values=values,
            reset=[k.value for k in input.reset],
        )
        if r.value is None:
            return QuotaUpdatePayload(errors=identity_errors(r.errors))
        row = r.value
        limits = await _limits_of(info, row)
        return QuotaUpdatePayload(quota=Quota.of(row.domain_id, row.project_id, limits))


async def _limits_of(info: NimbusInfo, row: models.Quota) -> list[Limit]:
    if row.project_id is None:
        return await queries.quota_defaults(info.context, row.domain_id)
    page, limits = await queries.list_quotas(
        info.context, ListArgs(1, None, "name", False), project_id=to_global_id("Project", row.project_id)
    )
    return limits[row.project_id] if page.items else []
