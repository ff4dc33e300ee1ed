"""imageShare: share an image with named projects (or stop sharing it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.image.models import Image
from domain.image.services import share_image
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.mutation import Result, run_mutation


async def image_share(ctx: Context, *, id: str, project_ids: list[str], remove: bool) -> Result[Image]:
    async def action(session: AsyncSession, principal: Principal) -> Image:
        projects = [decode_id(p, "Project", "projectIds") for p in project_ids]
        return await share_image(session, principal, decode_id(id, "Image"), projects, remove)

    return await run_mutation(ctx, "imageShare", Target("Image", id[:128]), action)
