"""Per-image size limit and per-project image quota, checked under a lock on the project row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.identity.models import Project
from domain.image.errors import ImageErrorCode as Code
from domain.image.models import Image, ImageStatus
from domain.quota import services as quota

GIB = 1024**3
COUNTED = (ImageStatus.QUEUED, ImageStatus.SAVING, ImageStatus.ACTIVE)


@dataclass(frozen=True)
class ImageLimits:
    max_image_bytes: int = 1024 * GIB
    project_quota_bytes: int = 0  # 0: no quota


async def reserve(
    session: AsyncSession,
    limits: ImageLimits,
    project_id: uuid.UUID,
    size: int,
    *,
    exclude: uuid.UUID | None = None,
    images: int = 0,
    charged: int = 0,
) -> None:
    """Refuse `size` more bytes (and `images` more images) for the project when over a limit:
    the platform-wide size limits, then the project's quota (`images`, `image_storage_gb`).
    `exclude` is the image the bytes are for, `charged` the size it already counts with."""
    if size > limits.max_image_bytes:
        raise DomainError(Code.OUT_OF_RANGE, f"Images are at most {limits.max_image_bytes} bytes", "size")
    project = await session.get(Project, project_id)
    if project is not None:
        storage_gb = max(0, -(-size // GIB) - -(-charged // GIB))
        await quota.charge(session, project_id, project.domain_id, {"images": images, "image_storage_gb": storage_gb})
    if not limits.project_quota_bytes:
        return
    await session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
    stmt = select(func.coalesce(func.sum(Image.size), 0)).where(
        Image.project_id == project_id, Image.status.in_(COUNTED)
    )
    if exclude is not None:
        stmt = stmt.where(Image.id != exclude)
    used = int(await session.scalar(stmt) or 0)
    if used + size > limits.project_quota_bytes:
        raise DomainError(
            Code.QUOTA_EXCEEDED,
            f"The project's image quota is {limits.project_quota_bytes} bytes; {used} are used",
            "size",
        )
