"""What a host agent needs to fetch a disk's image: checksum, format and a signed download path."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.host.protocol import ImageRef
from domain.image.inspection import QEMU_FORMAT
from domain.image.links import signed_path
from domain.image.models import Image, ImageStatus
from workers.handler import StageFailed


async def image_refs(
    session: AsyncSession, secret: str, image_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, ImageRef]:
    wanted = {i for i in image_ids if i is not None}
    if not wanted:
        return {}
    rows = (await session.execute(select(Image).where(Image.id.in_(wanted)))).scalars()
    refs = {
        image.id: ImageRef(
            id=str(image.id),
            sha256=image.checksum_sha256 or "",
            size=image.size or 0,
            format=QEMU_FORMAT[image.disk_format],
            path=signed_path(secret, image.id),
        )
        for image in rows
        if image.status is ImageStatus.ACTIVE
    }
    if missing := wanted - set(refs):
        raise StageFailed(f"image {sorted(missing, key=str)[0]} is no longer available")
    return refs
