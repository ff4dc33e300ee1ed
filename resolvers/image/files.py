"""`/images/{id}/file`: PUT streams an upload (resumable chunks), GET streams a download with
Range support, HEAD tells the upload offset or the download's size and checksum.

`answer` speaks the protocol; a listener only moves the bytes. The api's Starlette route moves
them through ASGI; the image data listener (nimbus.image_data) moves them between the socket and
the store in a thread, with sendfile for downloads.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from domain.audit.models import Outcome
from domain.audit.services import RequestMeta, Target, record
from domain.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from domain.identity.access import Principal
from domain.image.links import link_valid, upload_link_valid
from domain.image.models import Image, ImageStatus
from domain.image.store import StoreMissing
from domain.image.upload import Body, BodyCut, StreamBody, UploadConflict, UploadResult, Uploads, parse_chunk
from domain.scoping import get_visible
from domain.task.dispatch import release
from domain.task.services import Outbox
from resolvers.context import Context, Services, bearer
from resolvers.ids import to_global_id

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_STATUS = {
    "NOT_FOUND": 404,
    "INVALID_STATE": 409,
    "QUOTA_EXCEEDED": 413,
    "OUT_OF_RANGE": 413,
    "REQUIRED": 411,
}
EXTENSIONS = {"QCOW2": "qcow2", "RAW": "img", "VMDK": "vmdk", "VHD": "vhd", "VHDX": "vhdx", "ISO": "iso"}


def _image_json(image: Image, received: int | None = None) -> dict[str, Any]:
    return {
        "id": to_global_id("Image", image.id),
        "status": image.status.value,
        "size": image.size,
        "virtualSize": image.virtual_size,
        "sha256": image.checksum_sha256,
        "error": image.error,
        "received": received,
    }


@dataclass(frozen=True)
class FileRequest:
    """One request on an image's file, whichever listener received it."""

    method: str
    image_id: str
    headers: Mapping[str, str]  # names in lower case
    query: Mapping[str, str]
    meta: RequestMeta
    body: Body | None = None


@dataclass(frozen=True)
class Span:
    """Bytes `start` to `end` (inclusive) of a final object in the image store, to send as the body."""

    key: str
    start: int
    end: int


@dataclass
class FileAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    span: Span | None = None


def _error(status: int, code: str, message: str | None, field: str | None = None, **headers: str) -> FileAnswer:
    return FileAnswer(status, headers, {"error": {"code": code, "message": message, "field": field}})


async def answer(services: Services, request: FileRequest) -> FileAnswer:
    """The protocol of `/images/{id}/file`; how bytes travel is the listener's business."""
    try:
        if request.method == "PUT":
            return await _upload(services, request)
        return await _download(services, request)
    except Unauthenticated as exc:
        return _error(401, exc.code, str(exc))
    except PermissionDenied as exc:
        return _error(403, exc.code, str(exc))
    except UploadConflict as exc:
        return _error(409, exc.code, exc.message, exc.field, **{"Upload-Offset": str(exc.offset)})
    except DomainError as exc:
        return _error(_STATUS.get(exc.code, 400), exc.code, exc.message, exc.field)
    except StoreMissing:
        # An ACTIVE record whose bytes are gone: an operator's problem, said plainly.
        return _error(500, "STORE_MISSING", "The image's bytes are missing from the image store")


async def _principal(services: Services, request: FileRequest) -> Principal:
    ctx = Context(services, request.meta)
    await ctx.authenticate(bearer(request.headers.get("authorization")))
    if ctx.principal is None:
        raise Unauthenticated()
    return ctx.principal


def _image_id(request: FileRequest) -> uuid.UUID:
    try:
        return uuid.UUID(request.image_id)
    except ValueError:
        raise NotFound("Image") from None


async def _upload(services: Services, request: FileRequest) -> FileAnswer:
    uploads: Uploads = services.images
    image_id = _image_id(request)
    principal: Principal | None = None
    if "upload-signature" in request.query:
        # A host agent uploading an image it made for a task (whose mutation was audited).
        query = request.query
        if not upload_link_valid(uploads.link_secret, image_id, query.get("expires"), query.get("upload-signature")):
            raise PermissionDenied("a valid signed upload link")
    else:
        principal = await _principal(services, request)
    chunk = parse_chunk(request.headers.get("content-range"), request.headers.get("content-length"))
    try:
        image = await uploads.begin(principal, image_id, chunk)
    except PermissionDenied:
        if principal is not None:
            await _audit(services, request.meta, principal, image_id, None, Outcome.DENIED, "FORBIDDEN")
        raise
    assert request.body is not None
    try:
        result = await uploads.receive(image, chunk, request.body)
    except BodyCut:
        # What arrived is stored; the client resumes from HEAD's Upload-Offset.
        return FileAnswer(400)
    except OSError as exc:  # the store failed (a full disk): what was written stays, resumable
        return _error(507, "STORE_FAILED", f"The image store could not write: {exc.strerror or exc}")
    return await _reply(services, request.meta, principal, result)


async def _reply(
    services: Services, meta: RequestMeta, principal: Principal | None, result: UploadResult
) -> FileAnswer:
    image = result.image
    body = _image_json(image, result.received)
    headers = {"Upload-Offset": str(result.received)}
    if not result.complete:
        return FileAnswer(202, headers, body)
    await _announce(services, image)
    if image.status is ImageStatus.ACTIVE:
        if principal is not None:
            await _audit(services, meta, principal, image.id, image, Outcome.SUCCESS, None)
        return FileAnswer(201, headers, body)
    if principal is not None:
        await _audit(services, meta, principal, image.id, image, Outcome.FAILURE, "KILLED")
    body["error"] = {"code": "KILLED", "message": image.error, "field": None}
    return FileAnswer(422, headers, body)


async def _announce(services: Services, image: Image) -> None:
    """`resourceChanged` subscribers learn that the image went ACTIVE or KILLED."""
    outbox = Outbox()
    outbox.changed("Image", image.id, image.status.value, image.project_id, image.domain_id)
    await release(services.redis, services.redis_prefix, outbox)


async def _audit(
    services: Services,
    meta: RequestMeta,
    principal: Principal,
    image_id: uuid.UUID,
    image: Image | None,
    outcome: Outcome,
    code: str | None,
) -> None:
    target = Target("Image", to_global_id("Image", image_id))
    if image is not None:
        target.domain_id, target.project_id = image.scope_ref()
    async with services.sessions() as session, session.begin():
        record(session, meta, principal, "imageUpload", target, outcome, code)


async def _readable(services: Services, request: FileRequest) -> Image:
    """The image by a signed link (host agents) or by the caller's token."""
    uploads: Uploads = services.images
    image_id = _image_id(request)
    query = request.query
    if "signature" in query:
        if not link_valid(uploads.link_secret, image_id, query.get("expires"), query.get("signature")):
            raise PermissionDenied("a valid signed image link")
        async with services.sessions() as session:
            image = await session.get(Image, image_id)
        if image is None:
            raise NotFound("Image")
        return image
    principal = await _principal(services, request)
    async with services.sessions() as session:
        return await get_visible(session, Image, principal, image_id)


async def _download(services: Services, request: FileRequest) -> FileAnswer:
    uploads: Uploads = services.images
    image = await _readable(services, request)
    if request.method == "HEAD" and image.status.accepts_bytes:
        offset = uploads.store.partial_size(image.storage_key)
        headers = {"Upload-Offset": str(offset), "X-Image-Status": image.status.value}
        if image.size is not None:
            headers["Upload-Length"] = str(image.size)
        return FileAnswer(200, headers)
    if image.status is not ImageStatus.ACTIVE:
        raise DomainError("INVALID_STATE", f"The image is {image.status.value.lower()}", "id")
    size = uploads.store.size(image.storage_key)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{image.checksum_sha256}"',
        "X-Checksum-Sha256": image.checksum_sha256 or "",
        "X-Image-Status": image.status.value,
        "Content-Disposition": f'attachment; filename="{image.name}.{EXTENSIONS[image.disk_format.value]}"',
    }
    span = _range(request.headers.get("range"), size)
    if span is None:
        return FileAnswer(416, {"Content-Range": f"bytes */{size}"})
    start, end, partial = span
    headers["Content-Length"] = str(end - start + 1)
    headers["Content-Type"] = "application/octet-stream"
    if partial:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    status = 206 if partial else 200
    if request.method == "HEAD":
        return FileAnswer(status, headers)
    return FileAnswer(status, headers, span=Span(image.storage_key, start, end))


async def image_file(request: Request) -> Response:
    """The api's own route: bytes travel through ASGI (the data listener is faster, if enabled)."""
    services: Services = request.app.state.services
    meta = RequestMeta(request.state.request_id, request.client.host if request.client else None)
    body = StreamBody(_pieces(request)) if request.method == "PUT" else None
    file_request = FileRequest(
        request.method,
        str(request.path_params["image_id"]),
        request.headers,
        request.query_params,
        meta,
        body,
    )
    result = await answer(services, file_request)
    if result.json is not None:
        return JSONResponse(result.json, status_code=result.status, headers=result.headers)
    if result.span is not None:
        span = result.span
        stream = services.images.store.read(span.key, span.start, span.end)
        return StreamingResponse(stream, status_code=result.status, headers=result.headers)
    return Response(status_code=result.status, headers=result.headers)


async def _pieces(request: Request) -> AsyncIterator[bytes]:
    try:
        async for piece in request.stream():
            yield piece
    except ClientDisconnect:
        raise BodyCut() from None


def _range(value: str | None, size: int) -> tuple[int, int, bool] | None:
    """(start, end, partial) of one byte range; None when unsatisfiable. Multiple ranges: whole file."""
    if not value or "," in value:
        return 0, size - 1, False
    match = _RANGE.match(value.strip())
    if match is None or match.groups() == ("", ""):
        return 0, size - 1, False
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return None
    return start, end, True
