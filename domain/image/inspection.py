"""Checking an image's bytes with qemu-img before anyone boots from them.

Refused: a file whose real format is not the declared one, a qcow2 with a backing file or an
external data file (either would let a guest read any file of the host), a VMDK whose extents
live in other files, and anything qemu-img finds corrupt or truncated.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.image.models import DiskFormat

# The name qemu-img gives each format; an ISO is a raw file with a CD001 volume descriptor.
QEMU_FORMAT = {
    DiskFormat.QCOW2: "qcow2",
    DiskFormat.RAW: "raw",
    DiskFormat.VMDK: "vmdk",
    DiskFormat.VHD: "vpc",
    DiskFormat.VHDX: "vhdx",
    DiskFormat.ISO: "raw",
}
CHECKABLE = {"qcow2", "vmdk", "vhdx"}
ISO_MAGIC_OFFSET = 0x8001
QEMU_IMG_TIMEOUT_S = 600
# `qemu-img check`: 2 = corrupt, 1 = could not finish (e.g. unreadable metadata); 3 = leaks only.
CHECK_FAILED = {1, 2}


class ImageRejected(Exception):
    """The bytes are not an acceptable image of the declared format; the message says why."""


@dataclass(frozen=True)
class Inspection:
    format: str
    virtual_size: int


async def inspect(path: Path, declared: DiskFormat) -> Inspection:
    info = await _info(path)
    actual = str(info.get("format"))
    expected = QEMU_FORMAT[declared]
    if actual != expected:
        raise ImageRejected(f"declared {declared.value} but the file is {actual}")
    _refuse_external_files(info, path)
    if declared is DiskFormat.ISO and not await asyncio.to_thread(_has_iso_magic, path):
        raise ImageRejected("declared ISO but the file has no ISO 9660 volume descriptor")
    if actual in CHECKABLE:
        await _check(path, actual)
    return Inspection(actual, int(info.get("virtual-size") or 0))


def _refuse_external_files(info: dict[str, Any], path: Path) -> None:
    if info.get("backing-filename") or info.get("full-backing-filename"):
        raise ImageRejected("the image has a backing file, which is not allowed")
    data = (info.get("format-specific") or {}).get("data") or {}
    if data.get("data-file"):
        raise ImageRejected("the image has an external data file, which is not allowed")
    for extent in data.get("extents") or []:
        filename = extent.get("filename")
        if filename and Path(filename).resolve() != path.resolve():
            raise ImageRejected("the VMDK refers to extents in other files, which is not allowed")


def _has_iso_magic(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(ISO_MAGIC_OFFSET)
        return fh.read(5) == b"CD001"


async def _info(path: Path) -> dict[str, Any]:
    code, out, err = await qemu_img("info", "--output=json", str(path))
    if code != 0:
        raise ImageRejected(f"qemu-img cannot read the image: {_last_line(err)}")
    try:
        info: dict[str, Any] = json.loads(out)
    except ValueError:
        raise ImageRejected("qemu-img gave no readable description of the image") from None
    return info


async def _check(path: Path, fmt: str) -> None:
    code, out, err = await qemu_img("check", "-f", fmt, str(path))
    if code in CHECK_FAILED:
        raise ImageRejected(f"the image is corrupt or truncated: {_last_line(err or out)}")


async def qemu_img(*args: str) -> tuple[int, str, str]:
    """Run qemu-img; a missing binary or a hang is an ImageRejected, not a crash."""
    try:
        proc = await asyncio.create_subprocess_exec(
            "qemu-img", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise ImageRejected("qemu-img is not installed (Debian package qemu-utils)") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), QEMU_IMG_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise ImageRejected(f"qemu-img {args[0]} did not finish within {QEMU_IMG_TIMEOUT_S} s") from None
    return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no details"
