"""Saving a server's disk as an image: a standalone qcow2 copy, uploaded to the images service.

A running server is copied from a temporary internal snapshot, so the copy is crash-consistent
even while the guest keeps writing; the snapshot is removed afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from agents.host import disks
from agents.host.driver import DriverError

BLOCK = 4 * 1024 * 1024
TIMEOUT = httpx.Timeout(30.0, read=600.0, write=600.0)


def copy_disk(source: Path, target: Path, snapshot: str | None) -> None:
    """A flattened qcow2 of `source` (as of `snapshot`, if given), written to `target`."""
    partial = target.with_name(f".{target.name}.partial")
    args = ["convert", "-U", "-q", "-O", "qcow2"]
    if snapshot is not None:
        args += ["-l", f"snapshot.name={snapshot}"]
    try:
        disks.run_qemu_img(*args, str(source), str(partial))
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)


async def upload(api_url: str, path: str, file: Path) -> dict[str, Any]:
    """PUT the file at the signed upload path; the image's JSON when the images service took it."""
    size = (await asyncio.to_thread(file.stat)).st_size
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.put(
            api_url.rstrip("/") + path, content=_blocks(file), headers={"Content-Length": str(size)}
        )
    if response.status_code != 201:
        raise DriverError(f"the images service refused the upload (HTTP {response.status_code}): {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


async def _blocks(file: Path) -> AsyncIterator[bytes]:
    with file.open("rb") as handle:
        while block := await asyncio.to_thread(handle.read, BLOCK):
            yield block
