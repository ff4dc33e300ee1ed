"""The scheduler's settings row: default strategy, per-project strategies, multipliers, limits."""

from __future__ import annotations

import math
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import SchedulerSettings
from domain.compute.scheduler import weighers
from domain.compute.scheduler.request import STRATEGIES
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.identity.models import Project

SETTINGS_ID = 1
MULTIPLIER_LIMIT = 1000.0


def defaults() -> SchedulerSettings:
    return SchedulerSettings(
        id=SETTINGS_ID, strategy="SPREAD", project_strategies={}, multipliers={}, max_servers_per_host=0
    )


async def load(session: AsyncSession) -> SchedulerSettings:
    """The row, or the defaults when nobody changed anything yet."""
    return await session.get(SchedulerSettings, SETTINGS_ID) or defaults()


def check_strategy(strategy: str, field: str = "strategy") -> str:
    if strategy not in STRATEGIES:
        raise DomainError(Code.INVALID, f"The strategy is one of {', '.join(STRATEGIES)}", field)
    return strategy


async def update_settings(
    session: AsyncSession,
    principal: Principal,
    *,
    strategy: str | None = None,
    max_servers_per_host: int | None = None,
    multipliers: dict[str, float] | None = None,
    project_id: uuid.UUID | None = None,
    project_strategy: str | None = None,
    clear_project_strategy: bool = False,
) -> SchedulerSettings:
    principal.require("compute.scheduler.update", system=True)
    row = await session.get(SchedulerSettings, SETTINGS_ID, with_for_update=True)
    if row is None:
        row = defaults()
        session.add(row)
    if strategy is not None:
        row.strategy = check_strategy(strategy)
    if max_servers_per_host is not None:
        if not 0 <= max_servers_per_host <= 100_000:
            raise DomainError(
                Code.OUT_OF_RANGE, "maxServersPerHost is between 0 (no limit) and 100000", "maxServersPerHost"
            )
        row.max_servers_per_host = max_servers_per_host
    if multipliers is not None:
        row.multipliers = {**(row.multipliers or {}), **_check_multipliers(multipliers)}
    if project_id is not None:
        await _set_project_strategy(session, row, project_id, project_strategy, clear_project_strategy)
    await session.flush()
    return row


def _check_multipliers(multipliers: dict[str, float]) -> dict[str, float]:
    for name, value in multipliers.items():
        if name not in weighers.REGISTRY:
            known = ", ".join(sorted(weighers.REGISTRY))
            raise DomainError(Code.INVALID, f"No weigher is named {name!r} (known: {known})", "multipliers")
        if not math.isfinite(value) or abs(value) > MULTIPLIER_LIMIT:
            raise DomainError(
                Code.OUT_OF_RANGE,
                f"Multipliers are between -{MULTIPLIER_LIMIT:g} and {MULTIPLIER_LIMIT:g}",
                "multipliers",
            )
    return dict(multipliers)


async def _set_project_strategy(
    session: AsyncSession, row: SchedulerSettings, project_id: uuid.UUID, strategy: str | None, clear: bool
) -> None:
    if await session.get(Project, project_id) is None:
        raise DomainError(Code.NOT_FOUND, "Project not found", "projectId")
    strategies = dict(row.project_strategies or {})
    if clear:
        strategies.pop(str(project_id), None)
    elif strategy is None:
        raise DomainError(
            Code.REQUIRED, "Give projectStrategy (or clearProjectStrategy) with projectId", "projectStrategy"
        )
    else:
        strategies[str(project_id)] = check_strategy(strategy, "projectStrategy")
    row.project_strategies = strategies
