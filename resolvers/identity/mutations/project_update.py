"""projectUpdate: rename, describe, enable or disable a project."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity import services
from domain.identity.access import Principal
from domain.identity.models import Project
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def project_update(
    ctx: Context,
    *,
    id: str,
    name: str | None,
    description: str | None,
    enabled: bool | None,
) -> Result[Project]:
    async def action(session: AsyncSession, principal: Principal):
        return await services.update_project(
            session,
            principal,
            decode_id(id, "Project"),
            name=name,
            description=description,
            enabled=enabled,
        )

    return await run_mutation(ctx, "projectUpdate", Target("Project", id[:128]), action)
