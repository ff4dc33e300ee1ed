"""Server snapshots, screenshots and rebuilds on a libvirt domain.

Snapshots are libvirt's internal qcow2 snapshots, stored inside the server's own disk files: of a
stopped server they hold the disks; of a running one they also hold its memory, so a revert brings
the guest back running where it was. Quiescing freezes the guest's filesystems through the QEMU
guest agent for the moment the snapshot is taken.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import libvirt

from agents.host.driver import DriverError

MAX_SCREENSHOT_BYTES = 16 * 1024 * 1024
PLAIN = "nimbus server snapshot"
QUIESCED = "nimbus server snapshot, quiesced"


def snapshot_xml(snapshot_id: str, description: str) -> str:
    return (
        f"<domainsnapshot><name>{escape(snapshot_id)}</name>"
        f"<description>{escape(description)}</description></domainsnapshot>"
    )


def find_snapshot(domain: Any, snapshot_id: str) -> Any:
    """The domain's snapshot of that name, or None."""
    try:
        return domain.snapshotLookupByName(snapshot_id, 0)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT:
            return None
        raise


def create(domain: Any, snapshot_id: str, quiesce: bool) -> None:
    """Take the snapshot unless it exists; a resent job finds it and is done."""
    if find_snapshot(domain, snapshot_id) is not None:
        return
    frozen = quiesce and domain.isActive() and _freeze(domain)
    try:
        domain.snapshotCreateXML(snapshot_xml(snapshot_id, QUIESCED if frozen else PLAIN), 0)
    finally:
        if frozen:
            _thaw(domain)


def revert(domain: Any, snapshot_id: str) -> None:
    snapshot = find_snapshot(domain, snapshot_id)
    if snapshot is None:
        raise DriverError(f"the server has no snapshot {snapshot_id} on this host")
    domain.revertToSnapshot(snapshot, 0)
    # A quiesced snapshot's memory holds frozen filesystems: the guest resumes frozen until thawed.
    if QUIESCED in snapshot.getXMLDesc(0) and domain.isActive():
        _thaw(domain)


def delete(domain: Any, snapshot_id: str) -> None:
    """Remove the snapshot and the data it holds; one already gone is fine."""
    snapshot = find_snapshot(domain, snapshot_id)
    if snapshot is not None:
        snapshot.delete(0)


def forget_all(domain: Any) -> None:
    """Drop libvirt's records of every snapshot; their data went with the disk they were in."""
    for snapshot in domain.listAllSnapshots(0):
        with contextlib.suppress(libvirt.libvirtError):
            snapshot.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)


def screenshot(conn: Any, domain: Any) -> tuple[str, bytes]:
    """The first screen as libvirt hands it over (PNG from QEMU ≥ 7.1) and its MIME type."""
    if not domain.isActive():
        raise DriverError("the server is not running: there is no screen to capture")
    stream = conn.newStream(0)
    chunks: list[bytes] = []
    try:
        mime = domain.screenshot(stream, 0, 0)
        size = 0
        while chunk := stream.recv(256 * 1024):
            if isinstance(chunk, int):  # -2: would block, which a blocking stream never says
                break
            size += len(chunk)
            if size > MAX_SCREENSHOT_BYTES:
                raise DriverError(f"the screenshot is larger than {MAX_SCREENSHOT_BYTES} bytes")
            chunks.append(chunk)
        stream.finish()
    except BaseException:
        with contextlib.suppress(libvirt.libvirtError):
            stream.abort()
        raise
    return str(mime or "application/octet-stream"), b"".join(chunks)


def swap_in(disk: Path, rebuilt: Path, aside: Path) -> None:
    """Put the rebuilt disk in place and keep the old one aside; a second call is a no-op."""
    if rebuilt.exists():
        if disk.exists() and not aside.exists():
            os.rename(disk, aside)
        os.rename(rebuilt, disk)


def swap_back(disk: Path, rebuilt: Path, aside: Path) -> None:
    """Undo swap_in: the old disk returns, the rebuilt one is dropped."""
    if aside.exists():
        if disk.exists():
            os.replace(disk, rebuilt)
        os.rename(aside, disk)
    rebuilt.unlink(missing_ok=True)


def _freeze(domain: Any) -> bool:
    try:
        domain.fsFreeze(None, 0)
    except libvirt.libvirtError as exc:
        raise DriverError(
            "cannot quiesce: the QEMU guest agent in the server did not answer "
            f"({exc.get_error_message() or exc}); snapshot without quiesce for a crash-consistent copy"
        ) from exc
    return True


def _thaw(domain: Any) -> None:
    with contextlib.suppress(libvirt.libvirtError):
        domain.fsThaw(None, 0)
