"""qcow2 disks of the servers on this host, made and removed with qemu-img.

A server's disks live in `<storage dir>/<server id>/<disk id>.qcow2`; deleting the server removes
that directory. Every operation is idempotent, and a disk appears under its final name only once
qemu-img has finished writing it, so a crash never leaves a half-made disk that a retry would reuse.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from agents.host.driver import DriverError
from agents.host.protocol import DiskSpec

GIB = 1024**3
QEMU_IMG_TIMEOUT_S = 120
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def server_dir(storage_dir: Path, server_id: str) -> Path:
    return storage_dir / _checked_id(server_id)


def disk_path(storage_dir: Path, server_id: str, disk_id: str) -> Path:
    return server_dir(storage_dir, server_id) / f"{_checked_id(disk_id)}.qcow2"


def create_disk(storage_dir: Path, server_id: str, disk: DiskSpec) -> Path:
    """Make the disk unless it exists: blank of `size_gb`, or a qcow2 overlay on `image_path`."""
    return create_disk_file(disk_path(storage_dir, server_id, disk.id), disk)


def create_disk_file(path: Path, disk: DiskSpec) -> Path:
    """Make `disk` at `path` unless a finished file is there already."""
    if path.exists():
        return path
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _make(partial, disk)
        partial.rename(path)
    except OSError as exc:
        raise DriverError(f"cannot create the disk {path}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return path


def delete_disks(storage_dir: Path, server_id: str) -> None:
    """Remove every disk of the server (its whole directory); nothing to remove is fine."""
    directory = server_dir(storage_dir, server_id)
    try:
        shutil.rmtree(directory)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise DriverError(f"cannot remove the disks in {directory}: {exc.strerror or exc}") from exc


def image_info(path: Path) -> dict[str, Any]:
    """`qemu-img info` of a disk or image; `-U` because a running guest holds a lock on its disks."""
    info: dict[str, Any] = json.loads(_qemu_img("info", "-U", "--output=json", str(path)))
    return info


def _make(target: Path, disk: DiskSpec) -> None:
    size = disk.size_gb * GIB
    if disk.image_path is None:
        _qemu_img("create", "-q", "-f", "qcow2", str(target), str(size))
    else:
        _create_overlay(target, Path(disk.image_path).resolve(), size)


def _create_overlay(target: Path, image: Path, size: int) -> None:
    info = image_info(image)
    args = ["create", "-q", "-f", "qcow2", "-b", str(image), "-F", str(info["format"]), str(target)]
    # Grow the overlay when the server asks for more than the image; never shrink below it.
    if size > int(info.get("virtual-size", 0)):
        args.append(str(size))
    _qemu_img(*args)


def run_qemu_img(*args: str) -> str:
    """qemu-img with the given arguments; its stdout, or DriverError with its message."""
    return _qemu_img(*args)


def _qemu_img(*args: str) -> str:
    try:
        done = subprocess.run(
            ["qemu-img", *args], capture_output=True, text=True, timeout=QEMU_IMG_TIMEOUT_S, check=False
        )
    except FileNotFoundError as exc:
        raise DriverError("qemu-img is not installed on this host (Debian package qemu-utils)") from exc
    except subprocess.TimeoutExpired as exc:
        raise DriverError(f"qemu-img {args[0]} did not finish within {QEMU_IMG_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        message = done.stderr.strip() or f"exit status {done.returncode}"
        raise DriverError(f"qemu-img {args[0]} failed: {message}")
    return done.stdout


def _checked_id(value: str) -> str:
    # Ids become path components: refuse anything that could climb out of the storage directory.
    if not _SAFE_ID.fullmatch(value):
        raise DriverError(f"invalid id {value!r}: expected letters, digits, '-' or '_'")
    return value


VOLUMES_DIR = "_volumes"


def volume_path(storage_dir: Path, disk_id: str) -> Path:
    """A volume's file: apart from every server's directory, so deleting a server keeps it."""
    return storage_dir / VOLUMES_DIR / f"{_checked_id(disk_id)}.qcow2"


def create_volume(storage_dir: Path, disk_id: str, size_gb: int) -> Path:
    path = volume_path(storage_dir, disk_id)
    if path.exists():
        return path
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _qemu_img("create", "-q", "-f", "qcow2", str(partial), str(size_gb * GIB))
        partial.rename(path)
    except OSError as exc:
        raise DriverError(f"cannot create the volume {path}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return path


def delete_volume(storage_dir: Path, disk_id: str) -> None:
    path = volume_path(storage_dir, disk_id)
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise DriverError(f"cannot remove the volume {path}: {exc.strerror or exc}") from exc


def grow(path: Path, size_gb: int) -> None:
    """Grow a disk no running guest holds open to `size_gb`; never shrinks (data would be lost)."""
    if not path.exists():
        raise DriverError(f"the disk {path} does not exist on this host")
    current = int(image_info(path).get("virtual-size", 0))
    target = size_gb * GIB
    if current > target:
        raise DriverError(f"the disk is {current // GIB} GiB; disks only grow")
    if current < target:
        _qemu_img("resize", "-q", "-f", "qcow2", str(path), str(target))
