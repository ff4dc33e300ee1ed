"""Per-request DataLoaders for image relations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from domain.image.models import Image, ImageMember
from resolvers.context import Context
from resolvers.loaders import by_id

ImageByIdLoader = by_id(Image, "image.image.get")


def MembersByImageLoader(ctx: Context) -> DataLoader[uuid.UUID, list[uuid.UUID]]:  # noqa: N802 (a loader class name)
    """Projects each image is shared with; callers ask only for images they own."""

    async def load(keys: Sequence[uuid.UUID]) -> list[list[uuid.UUID]]:
        stmt = select(ImageMember).where(ImageMember.image_id.in_(keys)).order_by(ImageMember.created_at)
        grouped: dict[uuid.UUID, list[uuid.UUID]] = {k: [] for k in keys}
        async with ctx.reading() as session:
            for row in (await session.execute(stmt)).scalars():
                grouped[row.image_id].append(row.project_id)
        return [grouped[k] for k in keys]

    return DataLoader(load_fn=load)


async def image(ctx: Context, image_id: uuid.UUID | None) -> Image | None:
    return None if image_id is None else await ctx.loader("image_by_id", ImageByIdLoader).load(image_id)


async def members(ctx: Context, image_id: uuid.UUID) -> list[uuid.UUID]:
    result: list[uuid.UUID] = await ctx.loader("members_by_image", MembersByImageLoader).load(image_id)
    return result
