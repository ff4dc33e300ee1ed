"""Query resolvers of the cloud context."""

from __future__ import annotations

from sqlalchemy import select

from domain.cloud.models import CloudAccount, CloudResource, CloudResourceKind, CloudSku
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def list_accounts(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    provider: str | None = None,
    project_id: str | None = None,
) -> Page[CloudAccount]:
    stmt = name_filters(select(CloudAccount), CloudAccount, name, None)
    if provider is not None:
        stmt = stmt.where(CloudAccount.provider == provider.lower())
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(CloudAccount.project_id == pid)
    return await list_page(ctx, CloudAccount, "cloud.account.list", stmt, args)


async def list_skus(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    region: str | None = None,
    account_id: str | None = None,
    min_vcpus: int | None = None,
    min_memory_mb: int | None = None,
) -> Page[CloudSku]:
    stmt = name_filters(select(CloudSku), CloudSku, name, None)
    if region is not None:
        stmt = stmt.where(CloudSku.region == region)
    if (aid := id_filter(account_id, "CloudAccount")) is not None:
        stmt = stmt.where(CloudSku.account_id == aid)
    if min_vcpus is not None:
        stmt = stmt.where(CloudSku.vcpus >= min_vcpus)
    if min_memory_mb is not None:
        stmt = stmt.where(CloudSku.memory_mb >= min_memory_mb)
    return await list_page(ctx, CloudSku, "cloud.sku.list", stmt, args)


async def list_resources(
    ctx: Context,
    args: ListArgs,
    *,
    kind: CloudResourceKind | None = None,
    region: str | None = None,
    account_id: str | None = None,
) -> Page[CloudResource]:
    stmt = select(CloudResource)
    if kind is not None:
        stmt = stmt.where(CloudResource.kind == kind)
    if region is not None:
        stmt = stmt.where(CloudResource.region == region)
    if (aid := id_filter(account_id, "CloudAccount")) is not None:
        stmt = stmt.where(CloudResource.account_id == aid)
    return await list_page(ctx, CloudResource, "cloud.resource.list", stmt, args)
