"""Placing servers: build the request, decide on cached host states, commit, retry on a lost race."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import Network
from domain.compute.scheduler import groups, settings
from domain.compute.scheduler.cache import HostStateCache
from domain.compute.scheduler.commit import Resources, assign, claim_many
from domain.compute.scheduler.engine import Decision, decide
from domain.compute.scheduler.explanation import Explanation
from domain.compute.scheduler.request import PlacementHints, PlacementRequest
from domain.errors import DomainError

log = logging.getLogger("nimbus.scheduler")
MAX_ATTEMPTS = 25


class PlacementFailed(DomainError):
    """No room for the request; `explanation` says which filter turned each host down."""

    def __init__(self, message: str, explanation: Explanation | None) -> None:
        super().__init__(Code.NO_CAPACITY, message, None)
        self.explanation = explanation


@dataclass
class Placement:
    """Hosts chosen and claimed, one per server placed; `shortfall` explains the servers left out."""

    host_ids: list[uuid.UUID]
    shortfall: PlacementFailed | None = None


async def build_request(
    session: AsyncSession,
    r: Resources,
    *,
    count: int = 1,
    project_id: uuid.UUID | None = None,
    host_id: uuid.UUID | None = None,
    network_id: uuid.UUID | None = None,
    hints: PlacementHints | None = None,
    lock_group: bool = True,
    excluded_host_ids: frozenset[uuid.UUID] = frozenset(),
) -> PlacementRequest:
    hints = hints or PlacementHints()
    conf = await settings.load(session)
    strategy = hints.strategy or (conf.project_strategies or {}).get(str(project_id)) or conf.strategy
    request = PlacementRequest(
        vcpus=r.vcpus,
        memory_mb=r.memory_mb,
        disk_gb=r.disk_gb,
        count=count,
        host_id=host_id,
        excluded_host_ids=excluded_host_ids,
        zone_id=hints.zone_id,
        region_id=hints.region_id,
        required_tags=hints.required_tags,
        excluded_tags=hints.excluded_tags,
        preferred_tags=hints.preferred_tags,
        network_id=network_id,
        arch=hints.arch,
        hypervisor=hints.hypervisor,
        strategy=strategy,
        allow_partial=hints.allow_partial,
        max_servers_per_host=conf.max_servers_per_host,
        multipliers=dict(conf.multipliers or {}),
    )
    if network_id is not None:
        request.network_zone_id = await session.scalar(select(Network.zone_id).where(Network.id == network_id))
    if hints.server_group_id is not None:
        request.group_id = hints.server_group_id
        request.group_policy, request.group_hosts = await groups.lock_members(
            session, hints.server_group_id, lock=lock_group
        )
    return request


async def place(session: AsyncSession, cache: HostStateCache, request: PlacementRequest) -> Placement:
    """Decide and claim; raises PlacementFailed unless every server (or, allowPartial, some) fits."""
    r = Resources(request.vcpus, request.memory_mb, request.disk_gb)
    fresh = False
    for _attempt in range(MAX_ATTEMPTS):
        table = await cache.current(session)
        decision = decide(table, request)
        if not decision.complete and not fresh:
            # Only the database may say no: reread every host before refusing.
            await cache.reload(session)
            fresh = True
            continue
        if not decision.hosts or (not decision.complete and not request.allow_partial):
            raise failure(decision)
        per_host = {h.id: n for h, n in decision.per_host().items()}
        lost = await claim_many(session, r, per_host, request.max_servers_per_host)
        if lost:
            cache.invalidate(lost)  # whoever beat us to them: reread
            log.info("lost the race for %d host(s); deciding again on fresh state", len(lost))
            continue
        cache.hold(session, {h: (n * r.vcpus, n * r.memory_mb, n * r.disk_gb, n) for h, n in per_host.items()})
        return Placement([h.id for h in decision.hosts], None if decision.complete else failure(decision))
    raise PlacementFailed(
        f"No host has room for {request.shape()}: lost the race for capacity {MAX_ATTEMPTS} times; try again",
        None,
    )


def failure(decision: Decision) -> PlacementFailed:
    req = decision.request
    summary = decision.explanation.summary() if decision.explanation else "no explanation"
    if req.count == 1:
        what = req.shape()
    else:
        missing = req.count - len(decision.hosts)
        what = f"{missing} of {req.count} servers of {req.shape()}"
    return PlacementFailed(f"No host has room for {what} ({summary})", decision.explanation)


async def assign_hosts(session: AsyncSession, server_ids: list[uuid.UUID], host_ids: list[uuid.UUID]) -> None:
    await assign(session, list(zip(server_ids, host_ids, strict=False)))
