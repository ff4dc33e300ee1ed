"""Writing a decision: conditional updates that re-check every host against its latest row.

PostgreSQL re-evaluates an UPDATE's WHERE against the newest committed row version, so two
workers deciding on the same stale picture cannot both take a host's last room: the second one's
row is not updated, and it retries on fresh state. A batch locks its hosts in id order first
(no deadlock between batches) and claims them all with one statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Uuid, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.models import Host, HostStatus, Server


@dataclass(frozen=True)
class Resources:
    vcpus: int
    memory_mb: int
    disk_gb: int


def _room(r: Resources, n: ColumnElement[int] | int, max_servers: int) -> list[ColumnElement[bool]]:
    # Integer used + asked against the fractional total: the same as comparing with its floor,
    # on every database (a CAST would round on PostgreSQL and truncate on SQLite).
    conditions = [
        Host.status == HostStatus.ONLINE,
        Host.enabled.is_(True),
        Host.vcpus_used + n * r.vcpus <= Host.cpus * Host.cpu_ratio,
        Host.memory_used_mb + n * r.memory_mb <= Host.memory_mb * Host.memory_ratio,
        Host.storage_used_gb + n * r.disk_gb <= Host.storage_gb * Host.storage_ratio,
    ]
    if max_servers > 0:
        conditions.append(Host.servers_count + n <= max_servers)
    return conditions


def _grow(r: Resources, n: ColumnElement[int] | int) -> dict[str, ColumnElement[int]]:
    return {
        "vcpus_used": Host.vcpus_used + n * r.vcpus,
        "memory_used_mb": Host.memory_used_mb + n * r.memory_mb,
        "storage_used_gb": Host.storage_used_gb + n * r.disk_gb,
        "servers_count": Host.servers_count + n,
    }


async def claim(session: AsyncSession, host_id: uuid.UUID, r: Resources, n: int = 1, max_servers: int = 0) -> bool:
    stmt = (
        update(Host)
        .where(Host.id == host_id, *_room(r, n, max_servers))
        .values(**_grow(r, n))
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def claim_many(
    session: AsyncSession, r: Resources, per_host: dict[uuid.UUID, int], max_servers: int = 0
) -> set[uuid.UUID]:
    """Claim `n` servers' worth on each host, all or none; returns the hosts that had no room."""
    if not per_host:
        return set()
    if len(per_host) == 1:  # one statement that updates the row or not: nothing to undo
        ((host_id, n),) = per_host.items()
        return set() if await claim(session, host_id, r, n, max_servers) else {host_id}
    nested = await session.begin_nested()
    try:
        if session.get_bind().dialect.name == "postgresql":
            failed = await _claim_statement(session, r, per_host, max_servers)
        else:
            failed = {h for h, n in sorted(per_host.items()) if not await claim(session, h, r, n, max_servers)}
    except DBAPIError:
        # A deadlock with a writer that locks hosts in another order: nothing was claimed.
        await nested.rollback()
        return set(per_host)
    if failed:
        await nested.rollback()
    else:
        await nested.commit()
    return failed


def _unnest(name: str, *columns: tuple[str, list[Any], Any]) -> Any:
    """Rows from parallel arrays: one statement text whatever the batch size (prepared once)."""
    arrays = [bindparam(f"{name}_{col}", values, type_=ARRAY(kind)) for col, values, kind in columns]
    return func.unnest(*arrays).table_valued(*(col for col, _, _ in columns)).render_derived(name=name)


async def _claim_statement(
    session: AsyncSession, r: Resources, per_host: dict[uuid.UUID, int], max_servers: int
) -> set[uuid.UUID]:
    ids = sorted(per_host)
    lock = select(Host.id).where(Host.id == any_(bindparam("ids", ids, type_=ARRAY(Uuid)))).order_by(Host.id)
    await session.execute(lock.with_for_update())
    wanted = _unnest("wanted", ("host_id", ids, Uuid), ("n", [per_host[h] for h in ids], Integer))
    stmt = (
        update(Host)
        .where(Host.id == wanted.c.host_id, *_room(r, wanted.c.n, max_servers))
        .values(**_grow(r, wanted.c.n))
        .returning(Host.id)
        .execution_options(synchronize_session=False)
    )
    claimed = set((await session.execute(stmt)).scalars())
    return set(ids) - claimed


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


async def assign(session: AsyncSession, server_hosts: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Record each server's host: one statement on PostgreSQL, an executemany elsewhere."""
    if not server_hosts:
        return
    table = Server.__table__
    if session.get_bind().dialect.name == "postgresql":
        pairs = _unnest(
            "pairs",
            ("server_id", [s for s, _ in server_hosts], Uuid),
            ("host_id", [h for _, h in server_hosts], Uuid),
        )
        stmt = update(table).where(table.c.id == pairs.c.server_id).values(host_id=pairs.c.host_id)  # type: ignore[arg-type]
        await session.execute(stmt)
        return
    stmt = update(table).where(table.c.id == bindparam("sid")).values(host_id=bindparam("hid"))  # type: ignore[arg-type]
    await session.execute(stmt, [{"sid": s, "hid": h} for s, h in server_hosts])


async def adjust(session: AsyncSession, host_id: uuid.UUID, delta: Resources) -> bool:
    """Grow or shrink what a placed server or volume holds on its host, with the same room check as a
    claim for whatever grows (a resize or a new volume); shrinking always succeeds."""
    growing = Resources(max(delta.vcpus, 0), max(delta.memory_mb, 0), max(delta.disk_gb, 0))
    stmt = (
        update(Host)
        .where(Host.id == host_id, *_room(growing, 1, 0))
        .values(
            vcpus_used=Host.vcpus_used + delta.vcpus,
            memory_used_mb=Host.memory_used_mb + delta.memory_mb,
            storage_used_gb=Host.storage_used_gb + delta.disk_gb,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
