"""What a create would do, without allocating: fits or not, how many fit, the ranking, every rejection."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.scheduler.cache import HostStateCache
from domain.compute.scheduler.engine import decide
from domain.compute.scheduler.explanation import Explanation
from domain.compute.scheduler.request import PlacementRequest
from domain.compute.scheduler.state import HostState

# How far "how many would fit" counts; beyond it the answer is "at least this many".
COUNT_LIMIT = 10_000


@dataclass
class Forecast:
    fits: bool
    count: int
    ranked: list[tuple[HostState, float]]
    explanation: Explanation
    # Where the requested servers would go, one host per server.
    hosts: list[HostState]


async def forecast(session: AsyncSession, cache: HostStateCache, request: PlacementRequest) -> Forecast:
    table = await cache.current(session)
    first = decide(table, request, rank=True, explain=True)
    most = decide(table, dataclasses.replace(request, count=COUNT_LIMIT, allow_partial=True))
    assert first.explanation is not None
    return Forecast(
        fits=first.complete,
        count=len(most.hosts),
        ranked=first.ranked,
        explanation=first.explanation,
        hosts=first.hosts,
    )
