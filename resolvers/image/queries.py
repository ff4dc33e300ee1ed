"""Query resolvers of the image context."""

from __future__ import annotations

from sqlalchemy import select

from domain.image.models import DiskFormat, Image, ImageStatus, ImageVisibility
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def list_images(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    status: ImageStatus | None = None,
    visibility: ImageVisibility | None = None,
    disk_format: DiskFormat | None = None,
    project_id: str | None = None,
) -> Page[Image]:
    stmt = name_filters(select(Image), Image, name, name_contains)
    # DELETED images are listed only when asked for by status.
    stmt = stmt.where(Image.status == status if status is not None else Image.status != ImageStatus.DELETED)
    if visibility is not None:
        stmt = stmt.where(Image.visibility == visibility)
    if disk_format is not None:
        stmt = stmt.where(Image.disk_format == disk_format)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Image.project_id == pid)
    return await list_page(ctx, Image, "image.image.list", stmt, args)
