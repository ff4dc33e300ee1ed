"""image.convert: a worker job runs qemu-img convert into the new image, which ends ACTIVE or KILLED."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select

from domain.image.models import Image, ImageStatus
from domain.task.services import WORKER_QUEUE, Job
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import agent_error

CONVERT_JOB = "convert_image"


async def _lock_image(sc: StageContext) -> Image:
    stmt = select(Image).where(Image.id == uuid.UUID(sc.task.params["image_id"])).with_for_update()
    return (await sc.session.execute(stmt)).scalar_one()


def _announce(sc: StageContext, image: Image) -> None:
    sc.outbox.changed("Image", image.id, image.status.value, image.project_id, image.domain_id)


@register
class ImageConvert(TaskHandler):
    kind = "image.convert"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        job_id = f"convert:{sc.task.id}:{sc.task.seq + 1}"
        sc.wait("on_converted", Job(WORKER_QUEUE, CONVERT_JOB, [str(sc.task.id), "on_converted"], job_id), progress=1)

    async def on_converted(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(error)
        image = await _lock_image(sc)
        if image.status is not ImageStatus.SAVING:
            sc.fail(f"the image was {image.status.value.lower()} during the conversion")
        store = sc.deps.images
        assert store is not None
        await asyncio.to_thread(store.commit, image.storage_key)
        image.status = ImageStatus.ACTIVE
        image.size = int(payload["size"])
        image.virtual_size = int(payload["virtual_size"])
        image.checksum_sha256 = str(payload["sha256"])
        _announce(sc, image)
        sc.succeed({"image_id": str(image.id), "size": image.size, "sha256": image.checksum_sha256})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        image = await _lock_image(sc)
        if sc.deps.images is not None:
            await asyncio.to_thread(sc.deps.images.delete, image.storage_key)
        if image.status is ImageStatus.SAVING:
            image.status, image.error = ImageStatus.KILLED, error
            _announce(sc, image)
