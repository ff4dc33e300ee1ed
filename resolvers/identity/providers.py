"""Queries of identity providers and quotas."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.identity.models import Project
from domain.identity.providers.models import IdentityProvider, ProviderDriver
from domain.quota.services import Limit, domain_defaults, project_limits
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.loaders import by_id
from resolvers.pagination import ListArgs, Page, list_page

IdentityProviderByIdLoader = by_id(IdentityProvider, "identity.identity_provider.get")


async def list_providers(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    domain_id: str | None = None,
    driver: ProviderDriver | None = None,
) -> Page[IdentityProvider]:
    stmt = name_filters(select(IdentityProvider), IdentityProvider, name, None)
    if (did := id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(IdentityProvider.domain_id == did)
    if driver is not None:
        stmt = stmt.where(IdentityProvider.driver == driver)
    return await list_page(ctx, IdentityProvider, "identity.identity_provider.list", stmt, args)


async def provider(ctx: Context, provider_id: uuid.UUID) -> IdentityProvider | None:
    found: IdentityProvider | None = await ctx.loader("provider_by_id", IdentityProviderByIdLoader).load(provider_id)
    return found


async def list_quotas(
    ctx: Context, args: ListArgs, *, project_id: str | None = None, domain_id: str | None = None
) -> tuple[Page[Project], dict[uuid.UUID, list[Limit]]]:
    """Project quotas the caller may read, a page at a time, with usage next to each limit."""
    stmt = select(Project)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Project.id == pid)
    if (did := id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(Project.domain_id == did)
    page = await list_page(ctx, Project, "identity.quota.list", stmt, args)
    async with ctx.reading() as session:
        limits = await project_limits(session, page.items)
    return page, limits


async def quota_defaults(ctx: Context, domain_id: uuid.UUID) -> list[Limit]:
    async with ctx.reading() as session:
        return await domain_defaults(session, ctx.require_principal(), domain_id)
