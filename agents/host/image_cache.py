"""The host's image cache: each image fetched once from the API, checksum verified, then shared as
the read-only backing file of every server disk made from it.

`<cache dir>/<image id>` holds the bytes and `<image id>.json` what was verified about them. Requests
for an image already downloading wait for that one download. Entries can be listed and cleaned;
cleaning keeps images that some server disk still uses as its backing file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from agents.host.disks import image_info
from agents.host.driver import DriverError
from agents.host.protocol import ImageRef, ServerSpec

log = logging.getLogger("nimbus.agent.images")
BLOCK = 4 * 1024 * 1024
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
TIMEOUT = httpx.Timeout(30.0, read=300.0)


@dataclass(frozen=True)
class CachedImage:
    id: str
    sha256: str
    size: int
    format: str
    fetched_at: float
    in_use: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ImageCache:
    def __init__(self, directory: Path, api_url: str, disks_dir: Path | None = None) -> None:
        self.directory = directory
        self.api_url = api_url.rstrip("/")
        self.disks_dir = disks_dir
        self.downloads = 0  # how many fetches went to the network (tests and metrics)
        self._inflight: dict[str, asyncio.Task[Path]] = {}

    def path(self, image_id: str) -> Path:
        if not _SAFE_ID.fullmatch(image_id):
            raise DriverError(f"invalid image id {image_id!r}")
        return self.directory / image_id

    async def prepare(self, spec: ServerSpec) -> ServerSpec:
        """The spec with every image disk pointing at its cached image (fetched if needed)."""
        disks = []
        for disk in spec.disks:
            if disk.image is not None:
                disk = dataclasses.replace(disk, image_path=str(await self.fetch(disk.image)))
            disks.append(disk)
        return dataclasses.replace(spec, disks=disks)

    async def fetch(self, ref: ImageRef) -> Path:
        path = self.path(ref.id)
        if await asyncio.to_thread(self._verified, ref):
            return path
        task = self._inflight.get(ref.id)
        if task is None:
            task = asyncio.create_task(self._download(ref))
            self._inflight[ref.id] = task
            task.add_done_callback(lambda _t: self._inflight.pop(ref.id, None))
        # Shielded: one waiter giving up must not cancel the download the others wait for.
        return await asyncio.shield(task)

    def _verified(self, ref: ImageRef) -> bool:
        meta = self._meta(ref.id)
        return meta is not None and meta.sha256 == ref.sha256 and self.path(ref.id).exists()

    async def _download(self, ref: ImageRef) -> Path:
        self.downloads += 1
        path = self.path(ref.id)
        partial = path.with_name(f".{ref.id}.partial")
        await asyncio.to_thread(self.directory.mkdir, parents=True, exist_ok=True)
        hasher = hashlib.sha256()
        try:
            fh = await asyncio.to_thread(partial.open, "wb")
            try:
                await self._stream(ref, fh, hasher)
            finally:
                fh.close()
            if hasher.hexdigest() != ref.sha256:
                raise DriverError(f"image {ref.id}: checksum mismatch after download ({hasher.hexdigest()})")
            await asyncio.to_thread(self._install, ref, partial, path)
        except httpx.HTTPError as exc:
            raise DriverError(f"cannot fetch image {ref.id}: {exc}") from exc
        finally:
            await asyncio.to_thread(partial.unlink, missing_ok=True)
        log.info("image %s cached (%d bytes)", ref.id, ref.size)
        return path

    async def _stream(self, ref: ImageRef, fh: BinaryIO, hasher: Any) -> None:
        def write(block: bytes) -> None:
            hasher.update(block)
            fh.write(block)

        async with (
            httpx.AsyncClient(timeout=TIMEOUT) as http,
            http.stream("GET", f"{self.api_url}{ref.path}") as response,
        ):
            if response.status_code != 200:
                raise DriverError(f"cannot fetch image {ref.id}: HTTP {response.status_code}")
            async for block in response.aiter_bytes(BLOCK):
                await asyncio.to_thread(write, block)

    def _install(self, ref: ImageRef, partial: Path, path: Path) -> None:
        partial.chmod(0o444)  # a backing file: never written again
        partial.replace(path)
        meta = CachedImage(ref.id, ref.sha256, ref.size, ref.format, time.time())
        self._meta_path(ref.id).write_text(json.dumps(meta.to_dict()))

    def _meta_path(self, image_id: str) -> Path:
        return self.path(image_id).with_suffix(".json")

    def _meta(self, image_id: str) -> CachedImage | None:
        try:
            return CachedImage(**json.loads(self._meta_path(image_id).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    # --- listing and cleaning (blocking: call from a thread or a command) -----------------

    def entries(self) -> list[CachedImage]:
        used = self.in_use()
        found = []
        for meta_path in sorted(self.directory.glob("*.json")):
            meta = self._meta(meta_path.stem)
            if meta is not None:
                found.append(dataclasses.replace(meta, in_use=meta.id in used))
        return found

    def in_use(self) -> set[str]:
        """Images some server disk on this host is an overlay of."""
        if self.disks_dir is None or not self.disks_dir.exists():
            return set()
        used = set()
        for disk in self.disks_dir.glob("*/*.qcow2"):
            try:
                info = image_info(disk)
            except DriverError:
                continue
            backing = info.get("full-backing-filename") or info.get("backing-filename")
            if backing and Path(backing).parent == self.directory:
                used.add(Path(backing).name)
        return used

    def clean(self, image_id: str | None = None) -> list[str]:
        """Remove cached images no disk uses (or only `image_id`); returns the ids removed."""
        used = self.in_use()
        removed = []
        for entry in self.entries():
            if entry.id in used or (image_id is not None and entry.id != image_id):
                continue
            self.path(entry.id).unlink(missing_ok=True)
            self._meta_path(entry.id).unlink(missing_ok=True)
            removed.append(entry.id)
        return removed
