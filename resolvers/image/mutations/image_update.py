"""imageUpdate: name, visibility, boot requirements, OS properties, protection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.image.models import Image
from domain.image.services import ImageProperties, update_image
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def image_update(ctx: Context, *, id: str, props: ImageProperties) -> Result[Image]:
    async def action(session: AsyncSession, principal: Principal) -> Image:
        return await update_image(session, principal, decode_id(id, "Image"), props)

    return await run_mutation(ctx, "imageUpdate", Target("Image", id[:128]), action)
