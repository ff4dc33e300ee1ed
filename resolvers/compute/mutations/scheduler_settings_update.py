"""schedulerSettingsUpdate: strategy, per-project strategy, weigher multipliers, servers per host."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import SchedulerSettings
from domain.compute.scheduler.settings import update_settings
from domain.identity.access import Principal
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.mutation import Result, run_mutation


async def scheduler_settings_update(
    ctx: Context,
    *,
    strategy: str | None,
    max_servers_per_host: int | None,
    multipliers: dict[str, float] | None,
    project_id: str | None,
    project_strategy: str | None,
    clear_project_strategy: bool,
) -> Result[SchedulerSettings]:
    async def action(session: AsyncSession, principal: Principal) -> SchedulerSettings:
        return await update_settings(
            session,
            principal,
            strategy=strategy,
            max_servers_per_host=max_servers_per_host,
            multipliers=multipliers,
            project_id=decode_optional(project_id, "Project", "projectId"),
            project_strategy=project_strategy,
            clear_project_strategy=clear_project_strategy,
        )

    return await run_mutation(ctx, "schedulerSettingsUpdate", Target("SchedulerSettings", "1"), action)
