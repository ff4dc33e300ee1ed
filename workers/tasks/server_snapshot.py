"""server.snapshot_create / _revert / _delete, server.rebuild and server.screenshot.

Each is one agent call on the server's host. The server keeps its status while they run (only its
task lock is held); on failure it is handed back in the state it was in, with the error recorded.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlalchemy import delete, select

from agents.host.protocol import DiskSpec, DomainStatus, ServerSpec
from domain.compute.models import Disk, Server, ServerScreenshot, ServerSnapshot, ServerStatus, SnapshotStatus
from domain.db import utcnow
from domain.image.links import signed_upload_path
from domain.image.models import Image, ImageStatus
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import agent_error, host_of, lock_server, unlock
from workers.tasks.images import image_refs

UPLOAD_LINK_TTL_S = 6 * 3600
_STATUS = {DomainStatus.RUNNING: ServerStatus.RUNNING, DomainStatus.STOPPED: ServerStatus.STOPPED}


def _after(server: Server, payload: dict[str, Any]) -> ServerStatus:
    """The server's status as the agent reports it after the operation."""
    state = payload.get("state") or {}
    server.vnc_port = state.get("vnc_port")
    reported = state.get("status")
    return _STATUS.get(DomainStatus(reported), server.status) if reported else server.status


async def _snapshot(sc: StageContext) -> ServerSnapshot | None:
    return await sc.session.get(ServerSnapshot, uuid.UUID(sc.task.params["snapshot_id"]), with_for_update=True)


class _ServerOperation(TaskHandler):
    verb: str  # for messages: "could not <verb>"

    async def agent_call(self, sc: StageContext, server: Server) -> tuple[str, list[Any]]:
        raise NotImplementedError

    async def done(self, sc: StageContext, server: Server, payload: dict[str, Any]) -> None:
        """Record the outcome (the server is unlocked afterwards)."""

    async def undo(self, sc: StageContext, error: str) -> None:
        """Give back what the operation held besides the server."""

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        host = await host_of(sc.session, server)
        function, args = await self.agent_call(sc, server)
        sc.wait("on_done", sc.agent("host", host.name, function, "on_done", *args), progress=20)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not {self.verb}: {error}")
        server = await lock_server(sc.session, sc.task.params["server_id"])
        await self.done(sc, server, payload)
        unlock(sc, server, _after(server, payload))
        sc.succeed()

    async def on_failed(self, sc: StageContext, error: str) -> None:
        await self.undo(sc, error)
        server = await lock_server(sc.session, sc.task.params["server_id"])
        if server.task_id == sc.task.id:
            unlock(sc, server, ServerStatus(sc.task.params["from_status"]), error)


@register
class SnapshotCreate(_ServerOperation):
    kind, verb = "server.snapshot_create", "snapshot the server"

    async def agent_call(self, sc: StageContext, server: Server) -> tuple[str, list[Any]]:
        params = sc.task.params
        return "snapshot_server", [str(server.id), params["snapshot_id"], bool(params.get("quiesce"))]

    async def done(self, sc: StageContext, server: Server, payload: dict[str, Any]) -> None:
        if (snapshot := await _snapshot(sc)) is not None:
            snapshot.status, snapshot.task_id = SnapshotStatus.READY, None

    async def undo(self, sc: StageContext, error: str) -> None:
        # Whatever the host may have made is removed; the snapshot never became usable.
        server = await lock_server(sc.session, sc.task.params["server_id"])
        if server.host_id is not None:
            host = await host_of(sc.session, server)
            job = sc.agent(
                "host", host.name, "delete_server_snapshot", "cleanup", str(server.id), sc.task.params["snapshot_id"]
            )
            sc.send_later(job)
        await sc.session.execute(
            delete(ServerSnapshot).where(ServerSnapshot.id == uuid.UUID(sc.task.params["snapshot_id"]))
        )


@register
class SnapshotRevert(_ServerOperation):
    kind, verb = "server.snapshot_revert", "revert the server to its snapshot"

    async def agent_call(self, sc: StageContext, server: Server) -> tuple[str, list[Any]]:
        return "revert_server_snapshot", [str(server.id), sc.task.params["snapshot_id"]]

    async def done(self, sc: StageContext, server: Server, payload: dict[str, Any]) -> None:
        if (snapshot := await _snapshot(sc)) is not None:
            snapshot.status, snapshot.task_id = SnapshotStatus.READY, None

    async def undo(self, sc: StageContext, error: str) -> None:
        # The snapshot itself is untouched by a failed revert: it can be tried again.
        if (snapshot := await _snapshot(sc)) is not None:
            snapshot.status, snapshot.task_id = SnapshotStatus.READY, None


@register
class SnapshotDelete(_ServerOperation):
    kind, verb = "server.snapshot_delete", "delete the snapshot"

    async def agent_call(self, sc: StageContext, server: Server) -> tuple[str, list[Any]]:
        return "delete_server_snapshot", [str(server.id), sc.task.params["snapshot_id"]]

    async def done(self, sc: StageContext, server: Server, payload: dict[str, Any]) -> None:
        await sc.session.execute(
            delete(ServerSnapshot).where(ServerSnapshot.id == uuid.UUID(sc.task.params["snapshot_id"]))
        )

    async def undo(self, sc: StageContext, error: str) -> None:
        if (snapshot := await _snapshot(sc)) is not None:
            snapshot.status, snapshot.task_id, snapshot.error = SnapshotStatus.ERROR, None, error


@register
class ServerRebuild(_ServerOperation):
    kind, verb = "server.rebuild", "rebuild the server"

    async def agent_call(self, sc: StageContext, server: Server) -> tuple[str, list[Any]]:
        params = sc.task.params
        disk = await sc.session.get(Disk, uuid.UUID(params["disk_id"]))
        assert disk is not None
        image_id = uuid.UUID(params["image_id"])
        images = await image_refs(sc.session, sc.deps.link_secret, [image_id])
        root = DiskSpec(id=str(disk.id), size_gb=disk.size_gb, boot_index=disk.boot_index, image=images[image_id])
        spec = ServerSpec(
            id=str(server.id), name=server.name, vcpus=server.vcpus, memory_mb=server.memory_mb, disks=[root]
        )
        return "rebuild_server", [spec.to_dict(), server.status is ServerStatus.RUNNING]

    async def done(self, sc: StageContext, server: Server, payload: dict[str, Any]) -> None:
        image_id = uuid.UUID(sc.task.params["image_id"])
        disk = await sc.session.get(Disk, uuid.UUID(sc.task.params["disk_id"]))
        if disk is not None:
            disk.image_id = image_id
        server.image_id = image_id
        # Their data lived in the replaced disk.
        await sc.session.execute(delete(ServerSnapshot).where(ServerSnapshot.server_id == server.id))


@register
class ServerSaveImage(_ServerOperation):
    kind, verb = "server.save_image", "save the server's disk as an image"

    async def agent_call(self, sc: StageContext, server: Server) -> tuple[str, list[Any]]:
        params = sc.task.params
        image_id = uuid.UUID(params["image_id"])
        # The upload runs as long as the copy takes; the link outlives the task's deadline.
        upload = signed_upload_path(sc.deps.link_secret, image_id, ttl_s=UPLOAD_LINK_TTL_S)
        return "export_server_disk", [str(server.id), params["disk_id"], str(image_id), upload]

    async def done(self, sc: StageContext, server: Server, payload: dict[str, Any]) -> None:
        image = await sc.session.get(Image, uuid.UUID(sc.task.params["image_id"]))
        if image is None or image.status is not ImageStatus.ACTIVE:
            reason = image.error if image is not None else "the image was deleted"
            sc.fail(f"the images service did not accept the server's disk: {reason}")

    async def undo(self, sc: StageContext, error: str) -> None:
        # An image that never received all its bytes is useless: it ends KILLED with the reason.
        image = await sc.session.get(Image, uuid.UUID(sc.task.params["image_id"]), with_for_update=True)
        if image is not None and image.status in (ImageStatus.QUEUED, ImageStatus.SAVING):
            image.status, image.error = ImageStatus.KILLED, error
            sc.outbox.changed("Image", image.id, image.status.value, image.project_id, image.domain_id)
        server = await lock_server(sc.session, sc.task.params["server_id"])
        if server.host_id is not None:  # a copy of a running server uses a temporary snapshot
            host = await host_of(sc.session, server)
            job = sc.agent(
                "host",
                host.name,
                "delete_server_snapshot",
                "cleanup",
                str(server.id),
                f"export-{sc.task.params['image_id']}",
            )
            sc.send_later(job)


@register
class ServerScreenshotTask(TaskHandler):
    kind = "server.screenshot"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await sc.session.get(Server, uuid.UUID(sc.task.params["server_id"]))
        if server is None or server.host_id is None:
            sc.fail("the server is no longer on a host")
        assert server is not None
        host = await host_of(sc.session, server)
        sc.wait("on_done", sc.agent("host", host.name, "screenshot_server", "on_done", str(server.id)), progress=30)

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(f"the host could not capture the screen: {error}")
        server_id = uuid.UUID(sc.task.params["server_id"])
        data = base64.b64decode(payload["data"])
        row = (
            await sc.session.execute(
                select(ServerScreenshot).where(ServerScreenshot.server_id == server_id).with_for_update()
            )
        ).scalar_one_or_none()
        if row is None:
            sc.session.add(
                ServerScreenshot(server_id=server_id, mime_type=payload["mime_type"], data=data, taken_at=utcnow())
            )
        else:
            row.mime_type, row.data, row.taken_at = payload["mime_type"], data, utcnow()
        sc.succeed({"mime_type": payload["mime_type"], "bytes": len(data)})
