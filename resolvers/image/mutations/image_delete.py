"""imageDelete: the image goes DELETED, then its bytes leave the store."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.image.models import Image
from domain.image.services import delete_image
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def image_delete(ctx: Context, *, id: str) -> Result[uuid.UUID]:
    async def action(session: AsyncSession, principal: Principal) -> Image:
        return await delete_image(session, principal, decode_id(id, "Image"))

    result = await run_mutation(ctx, "imageDelete", Target("Image", id[:128]), action)
    if result.value is None:
        return Result(errors=result.errors)
    image = result.value
    # Only after the commit: a rolled-back delete must not have lost the bytes.
    await asyncio.to_thread(ctx.services.images.store.delete, image.storage_key)
    return Result(value=image.id)
