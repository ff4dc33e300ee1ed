"""Receiving an image's bytes: resumable chunks appended to the store, hashed as they arrive,
and the checks after the last byte that make the image ACTIVE or KILLED.

Protocol (documented in the README): `PUT /images/{id}/file` with the whole file, or with
`Content-Range: bytes START-END/TOTAL` for one chunk of it. START must be the number of bytes
received so far (`HEAD` tells it as `Upload-Offset`), so a dropped connection resumes where the
bytes stopped. The upload completes when TOTAL bytes have arrived.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import utcnow
from domain.errors import DomainError, NotFound
from domain.identity.access import Principal
from domain.image.errors import ImageErrorCode as Code
from domain.image.inspection import ImageRejected, inspect
from domain.image.models import Image, ImageStatus
from domain.image.quota import ImageLimits, reserve
from domain.image.store import Appender, ImageStore, StoreBusy
from domain.scoping import get_for_change

BLOCK = 4 * 1024 * 1024
HASH_BLOCK = 8 * 1024 * 1024
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_PROBE = re.compile(r"^bytes \*/(\d+)$")


class BodyCut(Exception):
    """The client stopped sending before the end it announced; what arrived is kept."""


class Body(Protocol):
    """Where an upload's bytes come from; each transport moves them its own way."""

    async def pour(self, out: Appender, hasher: Any, limit: int) -> None:
        """Append the body to `out`, hashing it, refusing bytes past offset `limit`; BodyCut when cut short."""
        ...


@dataclass
class StreamBody:
    """A body that arrives as an async iterator of byte strings (an ASGI request)."""

    pieces: AsyncIterator[bytes]

    async def pour(self, out: Appender, hasher: Any, limit: int) -> None:
        await _copy(self.pieces, out, hasher, limit)


class UploadConflict(DomainError):
    """The chunk does not start where the received bytes end (or another upload is running)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(Code.INVALID_STATE, message, "Content-Range")
        self.offset = offset


@dataclass(frozen=True)
class Chunk:
    start: int
    length: int
    total: int


def parse_chunk(content_range: str | None, content_length: str | None) -> Chunk:
    """The chunk a PUT carries; a PUT without Content-Range is the whole file."""
    length = int(content_length) if content_length and content_length.isdigit() else None
    if not content_range:
        if length is None:
            raise DomainError(Code.REQUIRED, "Send Content-Length (or Content-Range chunks)", "Content-Length")
        return Chunk(0, length, length)
    if probe := _PROBE.match(content_range.strip()):
        # No bytes: completes an upload whose last chunk arrived but whose checks did not run.
        return Chunk(-1, 0, int(probe.group(1)))
    match = _RANGE.match(content_range.strip())
    if match is None:
        raise DomainError(Code.INVALID, "Content-Range must be 'bytes START-END/TOTAL'", "Content-Range")
    start, end, total = (int(g) for g in match.groups())
    if end < start or end >= total or (length is not None and length != end - start + 1):
        raise DomainError(Code.INVALID, "Content-Range does not match the body's length", "Content-Range")
    return Chunk(start, end - start + 1, total)


@dataclass
class HashCache:
    """The running SHA-256 of uploads this process is receiving, by image, with its offset.

    A chunk that continues here reuses it; one that arrives at another replica (or after a
    restart) re-hashes what the store holds, so resuming anywhere yields the right checksum.
    """

    states: dict[uuid.UUID, tuple[int, Any]] = field(default_factory=dict)

    async def at(self, store: ImageStore, key: str, image_id: uuid.UUID, offset: int) -> Any:
        cached = self.states.pop(image_id, None)
        if cached is not None and cached[0] == offset:
            return cached[1]
        return await asyncio.to_thread(_hash_prefix, store, key, offset)

    def keep(self, image_id: uuid.UUID, offset: int, hasher: Any) -> None:
        self.states[image_id] = (offset, hasher)

    def drop(self, image_id: uuid.UUID) -> None:
        self.states.pop(image_id, None)


def _hash_prefix(store: ImageStore, key: str, offset: int) -> Any:
    hasher = hashlib.sha256()
    if offset:
        with store.staged(key).open("rb") as fh:
            remaining = offset
            while remaining:
                block = fh.read(min(HASH_BLOCK, remaining))
                if not block:
                    break
                hasher.update(block)
                remaining -= len(block)
    return hasher


@dataclass
class UploadResult:
    image: Image
    received: int
    complete: bool


@dataclass
class Uploads:
    """Everything the upload and download routes need, built once per api process."""

    sessions: async_sessionmaker[AsyncSession]
    store: ImageStore
    limits: ImageLimits
    link_secret: str
    hashes: HashCache = field(default_factory=HashCache)

    async def begin(self, principal: Principal | None, image_id: uuid.UUID, chunk: Chunk) -> Image:
        """Authorize the chunk and reserve the image's size; the image is SAVING afterwards.

        No principal: the caller came with a signed upload link, which is its authorization."""
        async with self.sessions() as session, session.begin():
            if principal is None:
                found = await session.get(Image, image_id)
                if found is None:
                    raise NotFound("Image")
                image = found
            else:
                image = await get_for_change(session, Image, principal, image_id, "update")
            await session.refresh(image, with_for_update=True)
            if not image.status.accepts_bytes:
                raise DomainError(Code.INVALID_STATE, f"The image is {image.status.value.lower()}", "id")
            if chunk.total < 1:
                raise DomainError(Code.OUT_OF_RANGE, "An image has at least one byte", "Content-Length")
            if image.size not in (None, chunk.total):
                # Announced at imageCreate or by the first chunk: the total cannot change midway.
                message = f"The image has {image.size} bytes in all, not {chunk.total}"
                raise DomainError(Code.INVALID, message, "Content-Range")
            if image.status is ImageStatus.QUEUED or image.size is None:
                await reserve(
                    session, self.limits, image.project_id, chunk.total, exclude=image.id, charged=image.size or 0
                )
            image.size = chunk.total
            image.status = ImageStatus.SAVING
            image.updated_at = utcnow()  # a paused upload is alive as long as chunks keep coming
            return image

    async def receive(self, image: Image, chunk: Chunk, body: Body) -> UploadResult:
        """Append the body at the chunk's start; bytes that arrived stay even if the body is cut."""
        key = image.storage_key
        if chunk.length == 0 and await asyncio.to_thread(self.store.partial_size, key) == chunk.total:
            self.hashes.drop(image.id)
            hasher = await asyncio.to_thread(_hash_prefix, self.store, key, chunk.total)
            return UploadResult(await self.finish(image.id, hasher.hexdigest()), chunk.total, True)
        try:
            async with self.store.appending(key) as out:
                if chunk.start != out.offset:
                    raise UploadConflict(
                        f"{out.offset} bytes are stored: send the chunk starting at byte {out.offset}", out.offset
                    )
                hasher = await self.hashes.at(self.store, key, image.id, out.offset)
                try:
                    await body.pour(out, hasher, out.offset + chunk.length)
                finally:
                    self.hashes.keep(image.id, out.offset, hasher)
                received = out.offset
        except StoreBusy:
            offset = await asyncio.to_thread(self.store.partial_size, key)
            raise UploadConflict("Another request is uploading to this image; retry in a moment", offset) from None
        if received < chunk.total:
            return UploadResult(image, received, False)
        self.hashes.drop(image.id)
        return UploadResult(await self.finish(image.id, hasher.hexdigest()), received, True)

    async def finish(self, image_id: uuid.UUID, sha256: str) -> Image:
        """After the last byte: qemu-img checks, then ACTIVE, or KILLED with the file removed."""
        async with self.sessions() as session:
            image = await session.get(Image, image_id)
        if image is None:
            raise NotFound("Image")
        reason = None
        try:
            inspection = await inspect(self.store.staged(image.storage_key), image.disk_format)
            if image.expected_sha256 and image.expected_sha256 != sha256:
                reason = f"checksum mismatch: expected {image.expected_sha256}, received {sha256}"
        except ImageRejected as exc:
            reason, inspection = str(exc), None
        async with self.sessions() as session, session.begin():
            stmt = select(Image).where(Image.id == image_id).with_for_update()
            image = (await session.execute(stmt)).scalar_one()
            if image.status in (ImageStatus.ACTIVE, ImageStatus.KILLED):
                return image  # another request (a retried last chunk) finished it first
            if image.status is not ImageStatus.SAVING:  # deleted while the bytes arrived
                reason = reason or f"the image was {image.status.value.lower()} during the upload"
            if reason is not None or inspection is None:
                await asyncio.to_thread(self.store.delete, image.storage_key)
                if image.status is ImageStatus.SAVING:
                    image.status, image.error = ImageStatus.KILLED, reason
                return image
            await asyncio.to_thread(self.store.commit, image.storage_key)
            image.status = ImageStatus.ACTIVE
            image.checksum_sha256 = sha256
            image.virtual_size = inspection.virtual_size
            image.size = await asyncio.to_thread(self.store.size, image.storage_key)
            image.error = None
            return image


async def _copy(body: AsyncIterator[bytes], out: Appender, hasher: Any, limit: int) -> None:
    """Stream the body into the store in large blocks; more bytes than announced is an error.

    One block is hashed and written in a thread while the next one arrives, so receiving and
    storing overlap; at most two blocks are held in memory.
    """
    pending: list[bytes] = []
    size = 0
    seen = out.offset
    writing: asyncio.Future[None] | None = None

    async def flush() -> None:
        nonlocal pending, size, writing
        if not pending:
            return
        pieces = pending
        pending, size = [], 0
        if writing is not None:
            await writing
        writing = asyncio.ensure_future(out.write(pieces, hasher.update))

    try:
        async for piece in body:
            seen += len(piece)
            if seen > limit:
                raise DomainError(Code.INVALID, "The body is longer than Content-Range announced", "Content-Range")
            pending.append(piece)
            size += len(piece)
            if size >= BLOCK:
                await flush()
    finally:
        await flush()
        if writing is not None:
            await writing
