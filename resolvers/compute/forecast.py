"""schedulerForecast: what serverCreate with the same input would get, without allocating anything."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.forecasts import CreateForecast, forecast_create
from domain.compute.models import Host
from domain.compute.servers import ServerRequest
from domain.errors import DomainError
from resolvers.compute.placement import PlacementArgs
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result


async def scheduler_forecast(
    ctx: Context,
    *,
    name: str,
    project_id: str | None,
    vcpus: int,
    memory_mb: int,
    disk_gb: int,
    image_id: str | None,
    network_id: str | None,
    count: int | None,
    host_id: str | None,
    placement: PlacementArgs,
) -> Result[tuple[CreateForecast, dict[uuid.UUID, Host]]]:
    principal = ctx.require_principal()
    try:
        request = ServerRequest(
            name=name,
            project_id=decode_optional(project_id, "Project", "projectId"),
            vcpus=vcpus,
            memory_mb=memory_mb,
            disk_gb=disk_gb,
            image_id=decode_optional(image_id, "Image", "imageId"),
            network_id=decode_optional(network_id, "Network", "networkId"),
            count=1 if count is None else count,
            host_id=decode_optional(host_id, "Host", "hostId"),
            placement=placement.decode(),
        )
        async with ctx.reading() as session:
            result = await forecast_create(session, principal, ctx.services.host_cache, request)
            hosts = await _hosts(session, result) if result.shows_hosts else {}
            return Result((result, hosts))
    except DomainError as exc:
        return Result(errors=[exc])


async def _hosts(session: AsyncSession, result: CreateForecast) -> dict[uuid.UUID, Host]:
    """The hosts the answer names, in one query."""
    f = result.forecast
    ids = {h.id for h, _ in f.ranked} | {h.id for h, _ in f.explanation.rejections}
    if not ids:
        return {}
    return {h.id: h for h in (await session.execute(select(Host).where(Host.id.in_(ids)))).scalars()}
