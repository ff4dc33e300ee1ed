"""Query resolvers of the compute context."""

from __future__ import annotations

from sqlalchemy import select

from domain.compute.models import Host, HostStatus, Network, Region, Server, ServerStatus, Zone
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def list_regions(ctx: Context, args: ListArgs, *, name: str | None = None) -> Page[Region]:
    return await list_page(ctx, Region, "compute.region.list", name_filters(select(Region), Region, name, None), args)


async def list_zones(
    ctx: Context, args: ListArgs, *, name: str | None = None, region_id: str | None = None
) -> Page[Zone]:
    stmt = name_filters(select(Zone), Zone, name, None)
    if (rid := id_filter(region_id, "Region")) is not None:
        stmt = stmt.where(Zone.region_id == rid)
    return await list_page(ctx, Zone, "compute.zone.list", stmt, args)


async def list_hosts(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    status: HostStatus | None = None,
    zone_id: str | None = None,
    enabled: bool | None = None,
) -> Page[Host]:
    stmt = name_filters(select(Host), Host, name, name_contains)
    if status is not None:
        stmt = stmt.where(Host.status == status)
    if enabled is not None:
        stmt = stmt.where(Host.enabled.is_(enabled))
    if (zid := id_filter(zone_id, "Zone")) is not None:
        stmt = stmt.where(Host.zone_id == zid)
    return await list_page(ctx, Host, "compute.host.list", stmt, args)


async def list_networks(
    ctx: Context, args: ListArgs, *, name: str | None = None, project_id: str | None = None
) -> Page[Network]:
    stmt = name_filters(select(Network), Network, name, None)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Network.project_id == pid)
    return await list_page(ctx, Network, "compute.network.list", stmt, args)


async def list_servers(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    status: ServerStatus | None = None,
    project_id: str | None = None,
    host_id: str | None = None,
    include_deleted: bool = False,
) -> Page[Server]:
    stmt = name_filters(select(Server), Server, name, name_contains)
    if status is not None:
        stmt = stmt.where(Server.status == status)
    elif not include_deleted:
        stmt = stmt.where(Server.status != ServerStatus.DELETED)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Server.project_id == pid)
    if (hid := id_filter(host_id, "Host")) is not None:
        stmt = stmt.where(Server.host_id == hid)
    return await list_page(ctx, Server, "compute.server.list", stmt, args)
