"""disk.create / disk.delete / disk.resize: the disk's host agent does the qemu-img work; the undo
gives the storage back and leaves the disk as it was, or in ERROR with nothing held."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute import scheduler
from domain.compute.models import Disk, DiskStatus, Host
from domain.compute.volumes import storage
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import agent_error


async def lock_disk(session: AsyncSession, disk_id: str) -> Disk:
    stmt = select(Disk).where(Disk.id == uuid.UUID(disk_id)).with_for_update()
    return (await session.execute(stmt)).scalar_one()


async def disk_host(session: AsyncSession, disk: Disk) -> Host:
    assert disk.host_id is not None
    host = await session.get(Host, disk.host_id)
    assert host is not None
    return host


def unlock_disk(sc: StageContext, disk: Disk, status: DiskStatus, error: str | None = None) -> None:
    disk.status = status.value
    disk.task_id = None
    disk.error = error
    sc.outbox.changed("Disk", disk.id, disk.status, disk.project_id, disk.domain_id)


async def give_back(sc: StageContext, disk: Disk, size_gb: int) -> None:
    if disk.host_id is not None and size_gb:
        await scheduler.adjust(sc.session, disk.host_id, storage(-size_gb))
        sc.outbox.changed("Host", disk.host_id, "RELEASED", None, None)


@register
class DiskCreate(TaskHandler):
    kind = "disk.create"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        host = await disk_host(sc.session, disk)
        job = sc.agent("host", host.name, "create_volume", "on_created", str(disk.id), disk.size_gb)
        sc.wait("on_created", job, progress=30)

    async def on_created(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not create the disk: {error}")
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        disk.path = str(payload.get("result") or "") or None
        unlock_disk(sc, disk, DiskStatus.READY)
        sc.succeed({"path": disk.path})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        if disk.status == DiskStatus.CREATING.value:  # storage is held until the first undo
            await give_back(sc, disk, disk.size_gb)
            host = await disk_host(sc.session, disk)
            sc.send_later(sc.agent("host", host.name, "delete_volume", "cleanup", str(disk.id)))
        unlock_disk(sc, disk, DiskStatus.ERROR, error)


@register
class DiskDelete(TaskHandler):
    kind = "disk.delete"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        host = await disk_host(sc.session, disk)
        sc.wait("on_deleted", sc.agent("host", host.name, "delete_volume", "on_deleted", str(disk.id)), progress=30)

    async def on_deleted(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not delete the disk: {error}")
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        if sc.task.params.get("holds"):
            await give_back(sc, disk, disk.size_gb)
        unlock_disk(sc, disk, DiskStatus.DELETED)
        sc.succeed()

    async def on_failed(self, sc: StageContext, error: str) -> None:
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        before = DiskStatus.READY if sc.task.params.get("holds") else DiskStatus.ERROR
        unlock_disk(sc, disk, before, error)


@register
class DiskResize(TaskHandler):
    kind = "disk.resize"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        host = await disk_host(sc.session, disk)
        server_id = str(disk.server_id) if disk.server_id else None
        job = sc.agent(
            "host", host.name, "resize_disk", "on_resized", server_id, str(disk.id), sc.task.params["size_gb"]
        )
        sc.wait("on_resized", job, progress=30)

    async def on_resized(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not resize the disk: {error}")
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        disk.size_gb = int(sc.task.params["size_gb"])
        unlock_disk(sc, disk, DiskStatus.READY)
        sc.succeed({"size_gb": disk.size_gb})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        disk = await lock_disk(sc.session, sc.task.params["disk_id"])
        if disk.status == DiskStatus.RESIZING.value:
            await give_back(sc, disk, int(sc.task.params["grow"]))
        unlock_disk(sc, disk, DiskStatus.READY, error)
