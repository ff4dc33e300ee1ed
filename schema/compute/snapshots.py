"""Server snapshots, rebuilds and screenshots in the schema: types, inputs, payloads and root fields."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from domain.compute import models
from domain.compute.errors import ComputeErrorCode as ComputeCode
from domain.task.models import TaskStatus
from resolvers.compute import loaders
from resolvers.compute import snapshot_queries as queries
from resolvers.compute.mutations.image_create_from_server import image_create_from_server
from resolvers.compute.mutations.server_rebuild import server_rebuild
from resolvers.compute.mutations.server_screenshot import server_screenshot
from resolvers.compute.mutations.server_snapshot_create import server_snapshot_create
from resolvers.compute.mutations.server_snapshot_delete import server_snapshot_delete
from resolvers.compute.mutations.server_snapshot_revert import server_snapshot_revert
from resolvers.ids import decode_id, to_global_id
from resolvers.loaders import load_converted
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, Node, OrderDirection, filter_kwargs
from schema.compute.inputs import ComputeOrder
from schema.compute.types import ComputeError, ComputeErrorCode, Server
from schema.identity.types import NimbusInfo
from schema.image.types import Image
from schema.payload_errors import convert
from schema.task.types import Task

DEFAULT_SCREENSHOT_WAIT_S = 10.0


@strawberry.enum(description="Where a snapshot is in its life.")
class SnapshotStatus(Enum):
    CREATING = "CREATING"
    READY = "READY"
    REVERTING = "REVERTING"
    DELETING = "DELETING"
    ERROR = "ERROR"


@strawberry.type(description="A point-in-time copy of a server's disks, kept inside them on the server's host.")
class ServerSnapshot(Node):
    name: str = strawberry.field(description="Name given at creation.")
    status: SnapshotStatus = strawberry.field(description="READY snapshots can be reverted to or deleted.")
    includes_memory: bool = strawberry.field(
        description="Taken while the server ran: it holds the memory too, and a revert resumes the server running."
    )
    quiesced: bool = strawberry.field(description="The guest's filesystems were frozen by its guest agent.")
    error: str | None = strawberry.field(description="Why the last operation on it failed.")
    created_at: datetime = strawberry.field(description="When it was taken.")
    server_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The server it belongs to.")
    def server(self, info: NimbusInfo) -> Server | None:
        return load_converted(info.context, "server_by_id", loaders.ServerByIdLoader, Server.from_model, self.server_id)

    @classmethod
    def from_model(cls, m: models.ServerSnapshot) -> ServerSnapshot:
        return cls(
            id=strawberry.ID(to_global_id("ServerSnapshot", m.id)),
            name=m.name,
            status=SnapshotStatus(m.status.value),
            includes_memory=m.includes_memory,
            quiesced=m.quiesced,
            error=m.error,
            created_at=m.created_at,
            server_id=m.server_id,
        )


@strawberry.type(description="The latest capture of a server's screen.")
class ServerScreenshot:
    mime_type: str = strawberry.field(description="Format of the image, e.g. image/png.")
    data_url: str = strawberry.field(description="The image as a data: URL, ready for an <img> element.")
    size: int = strawberry.field(description="Bytes in the image.")
    taken_at: datetime = strawberry.field(description="When it was captured.")

    @classmethod
    def from_model(cls, m: models.ServerScreenshot) -> ServerScreenshot:
        encoded = base64.b64encode(m.data).decode()
        return cls(
            mime_type=m.mime_type,
            data_url=f"data:{m.mime_type};base64,{encoded}",
            size=len(m.data),
            taken_at=m.taken_at,
        )


@strawberry.input(description="Filter server snapshots.")
class ServerSnapshotFilter:
    server_id: strawberry.ID | None = strawberry.field(default=None, description="Only this server's.")
    status: SnapshotStatus | None = strawberry.field(default=None, description="Only this status.")
    name: str | None = strawberry.field(default=None, description="Exact name.")


@strawberry.input(description="Snapshot a server.")
class ServerSnapshotCreateInput:
    server_id: strawberry.ID = strawberry.field(description="The server (RUNNING or STOPPED).")
    name: str = strawberry.field(description="A name for the snapshot.")
    quiesce: bool = strawberry.field(
        default=False,
        description="Freeze the guest's filesystems during the snapshot; needs a QEMU guest agent in the server.",
    )


@strawberry.input(description="Revert a server to one of its snapshots.")
class ServerSnapshotRevertInput:
    id: strawberry.ID = strawberry.field(description="The snapshot.")


@strawberry.input(description="Delete a snapshot.")
class ServerSnapshotDeleteInput:
    id: strawberry.ID = strawberry.field(description="The snapshot.")


@strawberry.input(description="Rebuild a server from an image.")
class ServerRebuildInput:
    id: strawberry.ID = strawberry.field(description="The server (RUNNING or STOPPED).")
    image_id: strawberry.ID = strawberry.field(description="An ACTIVE image for the new root disk.")


@strawberry.input(description="Capture a running server's screen.")
class ServerScreenshotInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    wait_seconds: float = strawberry.field(
        default=DEFAULT_SCREENSHOT_WAIT_S, description="How long to wait for the capture (at most 30 s)."
    )


@strawberry.type(description="Result of serverSnapshotCreate, serverSnapshotRevert and serverSnapshotDelete.")
class ServerSnapshotPayload:
    snapshot: ServerSnapshot | None = strawberry.field(default=None, description="The snapshot.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverSnapshotCreate.")
class ServerSnapshotCreatePayload(ServerSnapshotPayload):
    pass


@strawberry.type(description="Result of serverSnapshotRevert.")
class ServerSnapshotRevertPayload(ServerSnapshotPayload):
    pass


@strawberry.type(description="Result of serverSnapshotDelete.")
class ServerSnapshotDeletePayload(ServerSnapshotPayload):
    pass


@strawberry.input(description="Save a server's root disk as a new image.")
class ImageCreateFromServerInput:
    server_id: strawberry.ID = strawberry.field(description="The server (RUNNING or STOPPED).")
    name: str = strawberry.field(description="The new image's name.")


@strawberry.type(description="Result of imageCreateFromServer.")
class ImageCreateFromServerPayload:
    image: Image | None = strawberry.field(
        default=None, description="The new QCOW2 image, QUEUED until the host has uploaded the disk; then ACTIVE."
    )
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverRebuild.")
class ServerRebuildPayload:
    server: Server | None = strawberry.field(default=None, description="The server.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of serverScreenshot.")
class ServerScreenshotPayload:
    server: Server | None = strawberry.field(default=None, description="The server.")
    task: Task | None = strawberry.field(default=None, description="The capture; SUCCEEDED when screenshot is set.")
    screenshot: ServerScreenshot | None = strawberry.field(
        default=None, description="The capture, when it finished within waitSeconds; else query serverScreenshot."
    )
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


def _errors(r: Result[Any]) -> list[ComputeError]:
    return convert(r.errors, ComputeError, ComputeErrorCode, ComputeCode.INVALID)


def _snapshot_payload(cls: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    snapshot, task = r.value
    return cls(snapshot=ServerSnapshot.from_model(snapshot), task=Task.from_model(task))


@strawberry.type
class SnapshotQuery:
    @strawberry.field(description="Snapshots of the servers the caller may see.")
    async def server_snapshots(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: ServerSnapshotFilter | None = None,
        order_by: ComputeOrder | None = None,
    ) -> Connection[ServerSnapshot]:
        order = order_by or ComputeOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        page = await queries.list_snapshots(info.context, args, **filter_kwargs(filter, status=models.SnapshotStatus))
        return Connection.from_page(page, ServerSnapshot.from_model)

    @strawberry.field(description="The latest screenshot of a server (serverScreenshot takes a new one).")
    async def server_screenshot(
        self,
        info: NimbusInfo,
        server_id: Annotated[strawberry.ID, strawberry.argument(description="The server.")],
    ) -> ServerScreenshot | None:
        shot = await queries.screenshot(info.context, decode_id(server_id, "Server", "serverId"))
        return ServerScreenshot.from_model(shot) if shot else None


@strawberry.type
class SnapshotMutation:
    @strawberry.mutation(description="Snapshot a server's disks (with its memory when it runs).")
    async def server_snapshot_create(
        self, info: NimbusInfo, input: ServerSnapshotCreateInput
    ) -> ServerSnapshotCreatePayload:
        r = await server_snapshot_create(
            info.context, server_id=input.server_id, name=input.name, quiesce=input.quiesce
        )
        return _snapshot_payload(ServerSnapshotCreatePayload, r)

    @strawberry.mutation(description="Bring a server back to a snapshot; what was written since is lost.")
    async def server_snapshot_revert(
        self, info: NimbusInfo, input: ServerSnapshotRevertInput
    ) -> ServerSnapshotRevertPayload:
        return _snapshot_payload(ServerSnapshotRevertPayload, await server_snapshot_revert(info.context, id=input.id))

    @strawberry.mutation(description="Delete a snapshot and the data it holds.")
    async def server_snapshot_delete(
        self, info: NimbusInfo, input: ServerSnapshotDeleteInput
    ) -> ServerSnapshotDeletePayload:
        return _snapshot_payload(ServerSnapshotDeletePayload, await server_snapshot_delete(info.context, id=input.id))

    @strawberry.mutation(description="Give a server a fresh root disk from an image; its id and addresses stay.")
    async def server_rebuild(self, info: NimbusInfo, input: ServerRebuildInput) -> ServerRebuildPayload:
        r = await server_rebuild(info.context, id=input.id, image_id=input.image_id)
        if r.value is None:
            return ServerRebuildPayload(errors=_errors(r))
        server, task = r.value
        return ServerRebuildPayload(server=Server.from_model(server), task=Task.from_model(task))

    @strawberry.mutation(description="Capture a running server's screen (waits up to waitSeconds for it).")
    async def server_screenshot(self, info: NimbusInfo, input: ServerScreenshotInput) -> ServerScreenshotPayload:
        r = await server_screenshot(info.context, id=input.id, wait_s=input.wait_seconds)
        if r.value is None:
            return ServerScreenshotPayload(errors=_errors(r))
        server, task = r.value
        shot = None
        if task.status is TaskStatus.SUCCEEDED:
            found = await queries.screenshot(info.context, server.id)
            shot = ServerScreenshot.from_model(found) if found else None
        return ServerScreenshotPayload(server=Server.from_model(server), task=Task.from_model(task), screenshot=shot)

    @strawberry.mutation(
        description="Save a server's root disk as a new image (a consistent copy, even while it runs)."
    )
    async def image_create_from_server(
        self, info: NimbusInfo, input: ImageCreateFromServerInput
    ) -> ImageCreateFromServerPayload:
        r = await image_create_from_server(info.context, server_id=input.server_id, name=input.name)
        if r.value is None:
            return ImageCreateFromServerPayload(errors=_errors(r))
        image, task = r.value
        return ImageCreateFromServerPayload(image=Image.from_model(image), task=Task.from_model(task))
