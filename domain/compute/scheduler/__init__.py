"""Placement: find a host with room and claim it with a conditional update.

The claim is one `UPDATE ... WHERE used + asked <= total` per host: PostgreSQL re-checks the
condition against the latest row version, so concurrent workers can never oversubscribe a host.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode
from domain.compute.models import Host, HostStatus
from domain.errors import DomainError

MAX_CANDIDATES = 50


@dataclass(frozen=True)
class Resources:
    vcpus: int
    memory_mb: int
    disk_gb: int


def _fits(r: Resources) -> tuple[ColumnElement[bool], ...]:
    # Integer used + asked against the fractional total: the same as comparing with its floor,
    # on every database (a CAST would round on PostgreSQL and truncate on SQLite).
    return (
        Host.vcpus_used + r.vcpus <= Host.cpus * Host.cpu_ratio,
        Host.memory_used_mb + r.memory_mb <= Host.memory_mb * Host.memory_ratio,
        Host.storage_used_gb + r.disk_gb <= Host.storage_gb * Host.storage_ratio,
    )


async def claim(session: AsyncSession, host_id: uuid.UUID, r: Resources) -> bool:
    stmt = (
        update(Host)
        .where(Host.id == host_id, Host.status == HostStatus.ONLINE, Host.enabled.is_(True), *_fits(r))
        .values(
            vcpus_used=Host.vcpus_used + r.vcpus,
            memory_used_mb=Host.memory_used_mb + r.memory_mb,
            storage_used_gb=Host.storage_used_gb + r.disk_gb,
            servers_count=Host.servers_count + 1,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def release(session: AsyncSession, host_id: uuid.UUID, r: Resources) -> None:
    await session.execute(
        update(Host)
        .where(Host.id == host_id)
        .values(
            vcpus_used=Host.vcpus_used - r.vcpus,
            memory_used_mb=Host.memory_used_mb - r.memory_mb,
            storage_used_gb=Host.storage_used_gb - r.disk_gb,
            servers_count=Host.servers_count - 1,
        )
        .execution_options(synchronize_session=False)
    )


async def place(session: AsyncSession, r: Resources, *, host_id: uuid.UUID | None = None) -> uuid.UUID:
    """Claim room on the host with the most free memory (or on `host_id`), or explain why not."""
    stmt = select(Host.id).where(Host.status == HostStatus.ONLINE, Host.enabled.is_(True), *_fits(r))
    if host_id is not None:
        stmt = stmt.where(Host.id == host_id)
    stmt = stmt.order_by((Host.memory_used_mb - Host.memory_mb * Host.memory_ratio).asc(), Host.id).limit(
        MAX_CANDIDATES
    )
    for candidate in (await session.execute(stmt)).scalars():
        if await claim(session, candidate, r):
            return candidate
    raise DomainError(ComputeErrorCode.NO_CAPACITY, await explain(session, r, host_id), None)


async def explain(session: AsyncSession, r: Resources, host_id: uuid.UUID | None) -> str:
    stmt = select(Host)
    if host_id is not None:
        stmt = stmt.where(Host.id == host_id)
    hosts = list((await session.execute(stmt)).scalars())
    if not hosts:
        return "No host is registered" if host_id is None else "The requested host does not exist"
    reasons: dict[str, int] = {}
    for host in hosts:
        reason = _reason(host, r)
        reasons[reason] = reasons.get(reason, 0) + 1
    detail = "; ".join(f"{count} host(s): {reason}" for reason, count in sorted(reasons.items()))
    return (
        f"No host has room for {r.vcpus} vCPU, {r.memory_mb} MB memory, {r.disk_gb} GB disk "
        f"({len(hosts)} checked: {detail})"
    )


def _reason(host: Host, r: Resources) -> str:
    if host.status is not HostStatus.ONLINE:
        return f"host is {host.status.value.lower()}"
    if not host.enabled:
        return "host is disabled"
    if host.vcpus_used + r.vcpus > host.vcpus_total:
        return "not enough vCPUs"
    if host.memory_used_mb + r.memory_mb > host.memory_total_mb:
        return "not enough memory"
    if host.storage_used_gb + r.disk_gb > host.storage_total_gb:
        return "not enough disk"
    return "lost a race for the last capacity"
