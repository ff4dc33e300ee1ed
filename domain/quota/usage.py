"""How much each project holds, per resource, counted from the rows that hold it.

Counting the live rows (rather than keeping counters) means a deleted server frees its quota
the moment its row says DELETED, and nothing can drift. Contexts register a counter per
resource; a resource nobody counts reads as 0.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.models import Disk, DiskStatus, Network, Nic, Server, ServerStatus
from domain.image.models import Image, ImageStatus
from domain.quota.models import RESOURCES

GIB = 1024**3
IMAGE_HOLDING = (ImageStatus.QUEUED, ImageStatus.SAVING, ImageStatus.ACTIVE)
Counter = Callable[[AsyncSession, list[uuid.UUID]], Awaitable[dict[uuid.UUID, dict[str, int]]]]


async def _rows(session: AsyncSession, stmt: Any, names: tuple[str, ...]) -> dict[uuid.UUID, dict[str, int]]:
    out: dict[uuid.UUID, dict[str, int]] = {}
    for project_id, *values in (await session.execute(stmt)).all():
        out[project_id] = {name: int(v or 0) for name, v in zip(names, values, strict=True)}
    return out


async def _servers(session: AsyncSession, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    servers = select(
        Server.project_id.label("project_id"),
        literal(1).label("n"),
        Server.vcpus.label("vcpus"),
        Server.memory_mb.label("memory_mb"),
        Server.disk_gb.label("disk_gb"),
    ).where(Server.project_id.in_(project_ids), Server.status != ServerStatus.DELETED)
    # Volumes (diskCreate) hold disk quota too, from their creation until they are DELETED.
    volumes = select(Disk.project_id, literal(0), literal(0), literal(0), Disk.size_gb).where(
        Disk.project_id.in_(project_ids), Disk.boot_index != 0, Disk.status != DiskStatus.DELETED.value
    )
    held = union_all(servers, volumes).subquery()
    stmt = select(
        held.c.project_id,
        func.sum(held.c.n),
        func.sum(held.c.vcpus),
        func.sum(held.c.memory_mb),
        func.sum(held.c.disk_gb),
    ).group_by(held.c.project_id)
    return await _rows(session, stmt, ("servers", "vcpus", "memory_mb", "disk_gb"))


async def _networks(session: AsyncSession, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    stmt = (
        select(Network.project_id, func.count(Network.id))
        .where(Network.project_id.in_(project_ids))
        .group_by(Network.project_id)
    )
    return await _rows(session, stmt, ("networks",))


async def _ips(session: AsyncSession, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    stmt = (
        select(Nic.project_id, func.count(Nic.id))
        .where(Nic.project_id.in_(project_ids), Nic.ip_address.is_not(None))
        .group_by(Nic.project_id)
    )
    return await _rows(session, stmt, ("ips",))


async def _images(session: AsyncSession, project_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Images that hold or are about to hold bytes; storage in whole GiB, rounded up."""
    stmt = (
        select(Image.project_id, func.count(Image.id), func.sum(Image.size))
        .where(Image.project_id.in_(project_ids), Image.status.in_(IMAGE_HOLDING))
        .group_by(Image.project_id)
    )
    rows = await _rows(session, stmt, ("images", "image_bytes"))
    return {p: {"images": v["images"], "image_storage_gb": -(-v["image_bytes"] // GIB)} for p, v in rows.items()}


# resource -> the counter that reports it (one counter may report several resources)
COUNTERS: dict[str, Counter] = {
    "servers": _servers,
    "vcpus": _servers,
    "memory_mb": _servers,
    "disk_gb": _servers,
    "networks": _networks,
    "ips": _ips,
    "images": _images,
    "image_storage_gb": _images,
}


async def usage(
    session: AsyncSession, project_ids: Iterable[uuid.UUID], resources: Iterable[str] = RESOURCES
) -> dict[uuid.UUID, dict[str, int]]:
    """`project -> resource -> amount held`, with one query per counter involved."""
    ids = list(project_ids)
    wanted = set(resources)
    out = {pid: dict.fromkeys(wanted, 0) for pid in ids}
    if not ids:
        return out
    counters = {COUNTERS[r] for r in wanted if r in COUNTERS}
    for counter in counters:
        for pid, values in (await counter(session, ids)).items():
            out[pid].update({k: v for k, v in values.items() if k in wanted})
    return out
