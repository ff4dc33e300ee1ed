"""The image store contract: where image bytes live, written once by an upload or a conversion.

An object is first *partial* (an upload in progress, appended to at its current end) and becomes
*final* on `commit`; only final objects are read. Every method is safe to repeat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

# What arrives off a socket: bytes from ASGI, a view of a receive buffer from the data listener.
Piece = bytes | bytearray | memoryview


class StoreBusy(Exception):
    """Another request is writing this object right now."""


class StoreMissing(Exception):
    """The object (or the partial upload) does not exist."""


class Appender(Protocol):
    offset: int

    async def write(self, pieces: Sequence[Piece], also: Callable[[Piece], object] | None = None) -> None:
        """Append the pieces in order, calling `also(piece)` on each alongside (the running checksum)."""
        ...

    def write_blocking(self, pieces: Sequence[Piece], also: Callable[[Piece], object] | None = None) -> None:
        """`write` for a caller that already runs in a thread of its own (it blocks on the disk)."""
        ...


class ImageStore(Protocol):
    def partial_size(self, key: str) -> int:
        """Bytes of the partial object received so far (0 when none)."""
        ...

    def appending(self, key: str) -> AbstractAsyncContextManager[Appender]:
        """Exclusive writer at the end of the partial object (StoreBusy while another one writes)."""
        ...

    def staged(self, key: str) -> Path:
        """A local path of the partial object, for qemu-img to inspect or to write into."""
        ...

    def commit(self, key: str) -> None:
        """The partial object becomes final."""
        ...

    def size(self, key: str) -> int:
        """Bytes of the final object; StoreMissing when there is none."""
        ...

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes `start` to `end` inclusive of the final object."""
        ...

    def local_path(self, key: str) -> AbstractAsyncContextManager[Path]:
        """The final object as a local file (a remote store would fetch a temporary copy)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the final and the partial object; nothing to remove is fine."""
        ...
