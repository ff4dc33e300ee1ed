"""`schedulerForecast`: the checks of a create, then the scheduler's answer without allocating."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute import scheduler
from domain.compute.servers import ServerRequest, check_request
from domain.identity.access import Principal


@dataclass
class CreateForecast:
    forecast: scheduler.Forecast
    requested: int
    # Hosts are infrastructure: tenants learn counts per reason, administrators which host.
    shows_hosts: bool


async def forecast_create(
    session: AsyncSession, principal: Principal, cache: scheduler.HostStateCache, req: ServerRequest
) -> CreateForecast:
    project, network = await check_request(session, principal, req)
    principal.require("compute.scheduler.forecast", domain_id=project.domain_id, project_id=project.id)
    request = await scheduler.build_request(
        session,
        scheduler.Resources(req.vcpus, req.memory_mb, req.disk_gb),
        count=req.count,
        project_id=project.id,
        host_id=req.host_id,
        network_id=network.id if network else None,
        hints=req.placement,
        lock_group=False,
    )
    result = await scheduler.forecast(session, cache, request)
    return CreateForecast(result, req.count, principal.allows("compute.host.list", system=True))
