"""imageConvert: a new image in another disk format, written by a task (qemu-img convert)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.image.models import DiskFormat, Image
from domain.image.services import begin_convert
from domain.task.models import Task
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import decode_id, to_global_id
from resolvers.mutation import Result, run_task_mutation


async def image_convert(
    ctx: Context, *, id: str, disk_format: DiskFormat, name: str | None
) -> Result[tuple[Image, Task]]:
    target = Target("Image")

    async def action(session: AsyncSession, principal: Principal, outbox: Outbox) -> Any:
        image, task = await begin_convert(
            session,
            principal,
            outbox,
            ctx.meta,
            ctx.services.images.limits,
            image_id=decode_id(id, "Image"),
            disk_format=disk_format,
            name=name,
        )
        target.domain_id, target.project_id = image.scope_ref()
        target.id = to_global_id("Image", image.id)
        return image, task

    return await run_task_mutation(ctx, "imageConvert", target, action)
