"""Scheduler figures: batch placement throughput (decision + commit) and single-decision latency
at 1,000 / 10,000 / 50,000 hosts, against PostgreSQL, in this process.

Targets (issue 4, this 2-core machine): >= 1,000 placements/s for a 1,000-server batch at 10,000
hosts including the commit, and a single-server decision p50 <= 20 ms at 10,000 hosts.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time
import uuid

import asyncpg
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.compute import scheduler
from domain.compute.models import Host, HostStatus, Server, ServerStatus
from domain.db import create_engine, session_factory
from domain.migrate import upgrade

PG_ADMIN = os.environ.get("NIMBUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SCALES = (1_000, 10_000, 50_000)
BATCH = 1_000
ROUNDS = 3
SINGLE_SAMPLES = 50
SHAPE = scheduler.Resources(vcpus=2, memory_mb=4096, disk_gb=20)


async def _sql(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _hosts(engine: AsyncEngine, count: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE compute_server, compute_host CASCADE"))
        rows = [
            {
                "id": uuid.uuid4(),
                "name": f"host-{i:05d}",
                "status": HostStatus.ONLINE,
                "enabled": True,
                "cpus": 64,
                "memory_mb": 262_144,
                "storage_gb": 4_000,
                "tags": ["ssd"] if i % 3 == 0 else [],
            }
            for i in range(count)
        ]
        for start in range(0, count, 5_000):
            await conn.execute(insert(Host), rows[start : start + 5_000])


async def _servers(engine: AsyncEngine) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(BATCH)]
    project = uuid.uuid4()
    rows = [
        {
            "id": sid,
            "name": f"b-{i}",
            "project_id": project,
            "domain_id": project,
            "status": ServerStatus.PENDING,
            "vcpus": SHAPE.vcpus,
            "memory_mb": SHAPE.memory_mb,
            "disk_gb": SHAPE.disk_gb,
        }
        for i, sid in enumerate(ids)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(Server), rows)
    return ids


async def _reset(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM compute_server"))
        await conn.execute(update(Host).values(vcpus_used=0, memory_used_mb=0, storage_used_gb=0, servers_count=0))


async def _batch(engine: AsyncEngine, cache: scheduler.HostStateCache) -> tuple[float, int]:
    """One 1,000-server batch, decided and committed; returns (seconds, servers placed)."""
    server_ids = await _servers(engine)
    sessions = session_factory(engine)
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        request = await scheduler.build_request(session, SHAPE, count=BATCH)
        placement = await scheduler.place(session, cache, request)
        await scheduler.assign_hosts(session, server_ids, placement.host_ids)
    elapsed = time.perf_counter() - started
    return elapsed, len(placement.host_ids)


async def _single(engine: AsyncEngine, cache: scheduler.HostStateCache) -> list[float]:
    """Single-server decisions on the warm cache (what each server.create does before its claim)."""
    samples = []
    async with session_factory(engine)() as session:
        request = await scheduler.build_request(session, SHAPE)
        tagged = await scheduler.build_request(
            session, SHAPE, hints=scheduler.PlacementHints(required_tags=frozenset({"ssd"}))
        )
        for i in range(SINGLE_SAMPLES):
            started = time.perf_counter()
            table = await cache.current(session)
            decision = scheduler.decide(table, tagged if i % 2 else request)
            samples.append(time.perf_counter() - started)
            assert decision.complete
    return samples


async def _check(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as conn:
        placed = await conn.scalar(select(func.sum(Host.servers_count)))
        over = await conn.scalar(
            select(func.count()).where(
                (Host.vcpus_used > Host.cpus * Host.cpu_ratio)
                | (Host.memory_used_mb > Host.memory_mb * Host.memory_ratio)
                | (Host.storage_used_gb > Host.storage_gb * Host.storage_ratio)
            )
        )
    return int(placed or 0), int(over or 0)


async def _scale(engine: AsyncEngine, count: int) -> list[tuple[str, str]]:
    await _hosts(engine, count)
    cache = scheduler.HostStateCache()
    async with session_factory(engine)() as session:
        started = time.perf_counter()
        await cache.current(session)
        load = time.perf_counter() - started
    rates = []
    for _ in range(ROUNDS):
        await _reset(engine)
        elapsed, placed = await _batch(engine, cache)
        assert placed == BATCH
        rates.append(placed / elapsed)
        total, over = await _check(engine)
        assert (total, over) == (BATCH, 0), (total, over)
    singles = sorted(await _single(engine, cache))
    p50 = statistics.median(singles) * 1000
    p95 = singles[int(len(singles) * 0.95) - 1] * 1000
    return [
        (
            f"scheduler @ {count:>6,} hosts: {BATCH:,}-server batch incl. commit",
            f"{statistics.median(rates):,.0f} placements/s",
        ),
        (f"scheduler @ {count:>6,} hosts: single decision", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"),
        (f"scheduler @ {count:>6,} hosts: cold host cache load", f"{load * 1000:.0f} ms"),
    ]


async def _run() -> list[tuple[str, str]]:
    name = f"nimbus_bench_sched_{secrets.token_hex(4)}"
    host = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    url = f"postgresql+asyncpg://{host}/{name}"
    await _sql(f'CREATE DATABASE "{name}"')
    try:
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        try:
            figures: list[tuple[str, str]] = []
            for count in SCALES:
                figures += await _scale(engine, count)
            return figures
        finally:
            await engine.dispose()
    finally:
        await _sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run() -> list[tuple[str, str]]:
    return asyncio.run(_run())


if __name__ == "__main__":
    for figure, value in run():
        print(f"  {figure}  {value}")
