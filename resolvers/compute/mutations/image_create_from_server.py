"""imageCreateFromServer: save a server's root disk as a new image in its project."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.compute.snapshots import begin_save_image
from domain.identity.access import Principal
from domain.image.models import Image
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id, to_global_id
from resolvers.mutation import Result, run_task_mutation


async def image_create_from_server(ctx: Context, *, server_id: str, name: str) -> Result[tuple[Image, Task]]:
    target = Target("Image")

    async def run(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        server = decode_id(server_id, "Server", "serverId")
        limits = ctx.services.images.limits
        image, task = await begin_save_image(session, principal, outbox, ctx.meta, limits, server, name)
        # The audit record names the new image, which only exists from here on.
        target.id = to_global_id("Image", image.id)
        target.domain_id, target.project_id = image.scope_ref()
        return image, task

    return await run_task_mutation(ctx, "imageCreateFromServer", target, run)
