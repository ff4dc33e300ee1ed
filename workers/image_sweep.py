"""Abandoned uploads: an image no byte has reached for `expiry` ends KILLED and its bytes go.

Resumable uploads may pause for a long time (a laptop closed overnight), so the expiry is long,
and counts from the last byte stored, not from the image's creation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from sqlalchemy import select

from domain.image.models import Image, ImageStatus
from domain.task.services import Outbox, now
from workers.deps import Deps

log = logging.getLogger("nimbus.image")
BATCH = 100


async def expire_uploads(deps: Deps, expiry_s: float) -> int:
    if deps.images is None or expiry_s <= 0:
        return 0
    outbox = Outbox()
    expired = 0
    async with deps.sessions() as session, session.begin():
        stmt = (
            select(Image)
            .where(
                Image.status.in_((ImageStatus.QUEUED, ImageStatus.SAVING)),
                Image.source_image_id.is_(None),  # conversions are their task's business
                Image.updated_at < now() - timedelta(seconds=expiry_s),
            )
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for image in (await session.execute(stmt)).scalars():
            if await asyncio.to_thread(_recently_written, deps, image.storage_key, expiry_s):
                continue
            await asyncio.to_thread(deps.images.delete, image.storage_key)
            image.status, image.error = ImageStatus.KILLED, "the upload was abandoned (no byte arrived for too long)"
            outbox.changed("Image", image.id, image.status.value, image.project_id, image.domain_id)
            expired += 1
    await deps.release(outbox)
    if expired:
        log.info("killed %d abandoned uploads", expired)
    return expired


def _recently_written(deps: Deps, key: str, expiry_s: float) -> bool:
    assert deps.images is not None
    try:
        return deps.images.staged(key).stat().st_mtime > time.time() - expiry_s
    except FileNotFoundError:
        return False
