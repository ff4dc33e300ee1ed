"""imageCreate: a QUEUED image and the URL its bytes are PUT to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import Target
from domain.identity.access import Principal
from domain.image.models import DiskFormat, Image
from domain.image.services import ImageProperties, create_image
from resolvers.context import Context
from resolvers.ids import decode_optional
from resolvers.image.urls import file_url
from resolvers.mutation import Result, run_mutation


def upload_url(ctx: Context, image: Image) -> str:
    return file_url(ctx, image.id)


async def image_create(
    ctx: Context,
    *,
    disk_format: DiskFormat,
    project_id: str | None,
    props: ImageProperties,
    size: int | None,
    sha256: str | None,
) -> Result[Image]:
    async def action(session: AsyncSession, principal: Principal) -> Image:
        return await create_image(
            session,
            principal,
            ctx.services.images.limits,
            disk_format=disk_format,
            project_id=decode_optional(project_id, "Project", "projectId"),
            props=props,
            size=size,
            sha256=sha256,
        )

    return await run_mutation(ctx, "imageCreate", Target("Image"), action)
