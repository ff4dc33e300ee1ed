"""`/images/{id}/file`: PUT streams an upload (resumable chunks), GET streams a download with
Range support, HEAD tells the upload offset or the download's size and checksum."""

from __future__ import annotations

import re
import uuid
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
from domain.image.upload import UploadConflict, UploadResult, Uploads, parse_chunk
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


def _error(status: int, code: str, message: str, field: str | None = None, **headers: str) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


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


async def _principal(request: Request) -> tuple[Services, RequestMeta, Principal | None]:
    services: Services = request.app.state.services
    meta = RequestMeta(request.state.request_id, request.client.host if request.client else None)
    ctx = Context(services, meta)
    await ctx.authenticate(bearer(request.headers.get("authorization")))
    return services, meta, ctx.principal


def _image_id(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(str(request.path_params["image_id"]))
    except ValueError:
        raise NotFound("Image") from None


async def image_file(request: Request) -> Response:
    try:
        if request.method == "PUT":
            return await _upload(request)
        return await _download(request)
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


async def _upload(request: Request) -> Response:
    if "upload-signature" in request.query_params:
        return await _signed_upload(request)
    services, meta, principal = await _principal(request)
    if principal is None:
        raise Unauthenticated()
    uploads: Uploads = services.images
    chunk = parse_chunk(request.headers.get("content-range"), request.headers.get("content-length"))
    image_id = _image_id(request)
    try:
        image = await uploads.begin(principal, image_id, chunk)
    except PermissionDenied:
        await _audit(services, meta, principal, image_id, None, Outcome.DENIED, "FORBIDDEN")
        raise
    try:
        result = await uploads.receive(image, chunk, request.stream())
    except ClientDisconnect:
        # What arrived is stored; the client resumes from HEAD's Upload-Offset.
        return Response(status_code=400)
    return await _reply(services, meta, principal, result)


async def _signed_upload(request: Request) -> Response:
    """A host agent uploading an image it made for a task; the task's mutation was audited."""
    services: Services = request.app.state.services
    uploads: Uploads = services.images
    image_id = _image_id(request)
    query = request.query_params
    if not upload_link_valid(uploads.link_secret, image_id, query.get("expires"), query.get("upload-signature")):
        raise PermissionDenied("a valid signed upload link")
    chunk = parse_chunk(request.headers.get("content-range"), request.headers.get("content-length"))
    image = await uploads.begin(None, image_id, chunk)
    try:
        result = await uploads.receive(image, chunk, request.stream())
    except ClientDisconnect:
        return Response(status_code=400)
    body = _image_json(result.image, result.received)
    headers = {"Upload-Offset": str(result.received)}
    if not result.complete:
        return JSONResponse(body, status_code=202, headers=headers)
    await _announce(services, result.image)
    return JSONResponse(body, status_code=201 if result.image.status is ImageStatus.ACTIVE else 422, headers=headers)


async def _reply(services: Services, meta: RequestMeta, principal: Principal, result: UploadResult) -> Response:
    image = result.image
    body = _image_json(image, result.received)
    headers = {"Upload-Offset": str(result.received)}
    if not result.complete:
        return JSONResponse(body, status_code=202, headers=headers)
    await _announce(services, image)
    if image.status is ImageStatus.ACTIVE:
        await _audit(services, meta, principal, image.id, image, Outcome.SUCCESS, None)
        return JSONResponse(body, status_code=201, headers=headers)
    await _audit(services, meta, principal, image.id, image, Outcome.FAILURE, "KILLED")
    body["error"] = {"code": "KILLED", "message": image.error, "field": None}
    return JSONResponse(body, status_code=422, headers=headers)


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


async def _readable(request: Request) -> tuple[Uploads, Image]:
    """The image by a signed link (host agents) or by the caller's token."""
    services: Services = request.app.state.services
    uploads: Uploads = services.images
    image_id = _image_id(request)
    query = request.query_params
    if "signature" in query:
        if not link_valid(uploads.link_secret, image_id, query.get("expires"), query.get("signature")):
            raise PermissionDenied("a valid signed image link")
        async with services.sessions() as session:
            image = await session.get(Image, image_id)
        if image is None:
            raise NotFound("Image")
        return uploads, image
    _services, _meta, principal = await _principal(request)
    if principal is None:
        raise Unauthenticated()
    async with services.sessions() as session:
        return uploads, await get_visible(session, Image, principal, image_id)


async def _download(request: Request) -> Response:
    uploads, image = await _readable(request)
    if request.method == "HEAD" and image.status.accepts_bytes:
        offset = uploads.store.partial_size(image.storage_key)
        headers = {"Upload-Offset": str(offset), "X-Image-Status": image.status.value}
        if image.size is not None:
            headers["Upload-Length"] = str(image.size)
        return Response(status_code=200, headers=headers)
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
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    start, end, partial = span
    headers["Content-Length"] = str(end - start + 1)
    if partial:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    status = 206 if partial else 200
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="application/octet-stream")
    body = uploads.store.read(image.storage_key, start, end)
    return StreamingResponse(body, status_code=status, headers=headers, media_type="application/octet-stream")


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
