"""The local-directory image store: `<dir>/<key>` when final, `<dir>/<key>.partial` while written.

Writes go through one thread per call in large blocks, and the hash is computed by the caller on
the same blocks, so a multi-GB upload costs little more than a copy. An exclusive `flock` on the
partial file keeps two requests from appending at once, and disappears with the process holding
it, so a crashed upload never locks its image for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import os
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from domain.image.store import Piece, StoreBusy, StoreMissing

READ_BLOCK = 4 * 1024 * 1024
DIRECT_ALIGN = 4096
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _write_all(fd: int, pieces: Sequence[Piece], size: int, offset: int) -> None:
    """One pwritev for the pieces as they came off the socket: no copy into a joined block."""
    written = os.pwritev(fd, pieces, offset)
    if written < size:  # a short write (signals, full disks): finish the remainder the plain way
        rest = memoryview(b"".join(pieces))[written:]
        while rest:
            done = os.pwrite(fd, rest, offset + written)
            rest, written = rest[done:], written + done


def _page_aligned(piece: Piece) -> bool:
    """Whether a buffer may be written with O_DIRECT: address and length on page boundaries."""
    if len(piece) % DIRECT_ALIGN or isinstance(piece, bytes):
        return False
    try:
        address = ctypes.addressof(ctypes.c_char.from_buffer(piece))
    except (TypeError, ValueError):  # read-only or empty
        return False
    return address % DIRECT_ALIGN == 0


class _FileAppender:
    """Appends at the partial file's end. Page-aligned blocks (the data listener receives into
    such buffers) go through a second, O_DIRECT descriptor: the disk reads them from the buffer
    itself, without a copy into the page cache that, on a virtual machine, costs more CPU than
    the checksum, and without gigabytes of dirty pages left for the final fsync."""

    def __init__(self, fd: int, direct_fd: int | None, offset: int) -> None:
        self.fd, self.direct_fd = fd, direct_fd
        self.offset = offset

    async def write(self, pieces: Sequence[Piece], also: Callable[[Piece], object] | None = None) -> None:
        await asyncio.to_thread(self.write_blocking, pieces, also)

    def write_blocking(self, pieces: Sequence[Piece], also: Callable[[Piece], object] | None = None) -> None:
        size = sum(len(p) for p in pieces)
        direct = (
            self.direct_fd is not None
            and self.offset % DIRECT_ALIGN == 0
            and all(_page_aligned(piece) for piece in pieces)
        )
        _write_all(self.direct_fd if direct and self.direct_fd is not None else self.fd, pieces, size, self.offset)
        # Hashed once written: a failed write must not leave its bytes in the running checksum.
        for piece in pieces:
            if also is not None:
                also(piece)  # in the same thread: hashlib releases the GIL on large pieces
        self.offset += size


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
        direct_fd = None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy(key) from None
            with contextlib.suppress(OSError):  # a file system without O_DIRECT (tmpfs): buffered only
                direct_fd = os.open(path, os.O_WRONLY | os.O_DIRECT)
            # The file is the truth about what arrived: a writer killed mid-block leaves what it wrote.
            yield _FileAppender(fd, direct_fd, os.fstat(fd).st_size)
        finally:
            if direct_fd is not None:
                os.close(direct_fd)
            os.close(fd)

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
