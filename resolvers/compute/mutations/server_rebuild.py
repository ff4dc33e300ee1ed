"""serverRebuild: a fresh root disk from an image; same server id, addresses and size."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.models import Server
from domain.compute.snapshots import begin_rebuild
from domain.identity.access import Principal
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_task_mutation


async def server_rebuild(ctx: Context, *, id: str, image_id: str) -> Result[tuple[Server, Task]]:
    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server_id = decode_id(id, "Server")
        return await begin_rebuild(
            session, principal, outbox, ctx.meta, server_id, decode_id(image_id, "Image", "imageId")
        )

    return await run_task_mutation(ctx, "serverRebuild", Target("Server", id[:128]), run)
