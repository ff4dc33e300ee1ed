"""The local-directory image store: `<dir>/<key>` when final, `<dir>/<key>.partial` while written.

Writes go through one thread per call in large blocks, and the hash is computed by the caller on
the same blocks, so a multi-GB upload costs little more than a copy. An exclusive `flock` on the
partial file keeps two requests from appending at once, and disappears with the process holding
it, so a crashed upload never locks its image for good.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import BinaryIO

from domain.image.store import StoreBusy, StoreMissing

READ_BLOCK = 4 * 1024 * 1024
WRITEBACK_EVERY = 64 * 1024 * 1024
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _write_all(fd: int, pieces: Sequence[bytes], size: int) -> None:
    """One writev for the pieces as they came off the socket: no copy into a joined block."""
    written = os.writev(fd, pieces)
    if written < size:  # a short write (signals, full disks): finish the remainder the plain way
        rest = memoryview(b"".join(pieces))[written:]
        while rest:
            rest = rest[os.write(fd, rest) :]


class _FileAppender:
    def __init__(self, fh: BinaryIO, offset: int) -> None:
        self.fh = fh
        self.offset = offset
        self._flushed = offset

    async def write(self, pieces: Sequence[bytes], also: Callable[[bytes], object] | None = None) -> None:
        size = sum(len(p) for p in pieces)

        def work() -> None:
            for piece in pieces:
                if also is not None:
                    also(piece)  # hashing in the same thread: hashlib releases the GIL on large pieces
            _write_all(self.fh.fileno(), pieces, size)
            self._start_writeback(self.offset + size)

        await asyncio.to_thread(work)
        self.offset += size

    def _start_writeback(self, end: int) -> None:
        """Hand what arrived to the disk now, not all at the final fsync, and keep it out of the page
        cache: on Linux, DONTNEED starts writeback of dirty pages without waiting for it."""
        if end - self._flushed >= WRITEBACK_EVERY:
            os.posix_fadvise(self.fh.fileno(), self._flushed, end - self._flushed, os.POSIX_FADV_DONTNEED)
            self._flushed = end


class LocalDirStore:
    """ImageStore on a directory of this machine (or a shared mount all api and worker nodes see)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _final(self, key: str) -> Path:
        if not _KEY.fullmatch(key) or key.endswith(".partial"):
            raise ValueError(f"invalid image store key {key!r}")
        return self.directory / key

    def staged(self, key: str) -> Path:
        return self._final(key).with_name(f"{key}.partial")

    def partial_size(self, key: str) -> int:
        try:
            return self.staged(key).stat().st_size
        except FileNotFoundError:
            return 0

    @asynccontextmanager
    async def appending(self, key: str) -> AsyncIterator[_FileAppender]:
        path = self.staged(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o640)
        fh = os.fdopen(fd, "wb", buffering=0)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy(key) from None
            # The file is the truth about what arrived: a writer killed mid-block leaves what it wrote.
            offset = os.fstat(fd).st_size
            fh.seek(offset)
            yield _FileAppender(fh, offset)
        finally:
            fh.close()

    def commit(self, key: str) -> None:
        """Durable before it is final: an ACTIVE image survives a power cut."""
        staged = self.staged(key)
        if staged.exists():
            fd = os.open(staged, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            staged.rename(self._final(key))
            _fsync_dir(self.directory)
        elif not self._final(key).exists():
            raise StoreMissing(key)

    def size(self, key: str) -> int:
        try:
            return self._final(key).stat().st_size
        except FileNotFoundError:
            raise StoreMissing(key) from None

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Read ahead by one block: the disk reads the next block while this one is sent."""
        try:
            fh = await asyncio.to_thread(open, self._final(key), "rb", 0)
        except FileNotFoundError:
            raise StoreMissing(key) from None
        remaining = end - start + 1
        os.posix_fadvise(fh.fileno(), start, remaining, os.POSIX_FADV_SEQUENTIAL)

        def read_next() -> bytes:
            nonlocal remaining
            block: bytes = os.pread(fh.fileno(), min(READ_BLOCK, remaining), end - remaining + 1)
            remaining -= len(block)
            return block

        ahead: asyncio.Future[bytes] | None = asyncio.ensure_future(asyncio.to_thread(read_next))
        try:
            while ahead is not None:
                block = await ahead
                ahead = asyncio.ensure_future(asyncio.to_thread(read_next)) if block and remaining > 0 else None
                if not block:
                    break
                yield block
        finally:
            if ahead is not None:
                await asyncio.wait([ahead])  # the thread still uses the file: let it finish first
            fh.close()

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        path = self._final(key)
        if not path.exists():
            raise StoreMissing(key)
        yield path

    def delete(self, key: str) -> None:
        for path in (self._final(key), self.staged(key)):
            path.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


STORES = {"local": LocalDirStore}
