"""identityProviderSync: mirror a directory's users and groups now, as a task with progress."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.identity.providers.models import IdentityProvider
from domain.identity.providers.services import request_sync
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def identity_provider_sync(ctx: Context, *, id: str) -> Result[tuple[IdentityProvider, Task]]:
    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        provider_id = decode_id(id, "IdentityProvider")
        return await request_sync(session, principal, outbox, ctx.meta, provider_id)

    return await run_task_mutation(ctx, "identityProviderSync", Target("IdentityProvider", id=id), action)
