"""Random batches from several deciders at once, each with its own cache, against PostgreSQL:
whatever wins, no host ends over its capacity and every claim is accounted for."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.compute import scheduler
from domain.compute.models import Host
from domain.compute.scheduler import PlacementHints
from domain.db import session_factory
from tests.compute.scheduler.conftest import add_hosts

DECIDERS = 4
BATCHES = 12


async def _decider(engine: AsyncEngine, seed: int) -> tuple[int, int]:
    """Place random batches; returns (servers placed, vCPUs claimed)."""
    rng = random.Random(seed)
    cache = scheduler.HostStateCache()
    placed = vcpus = 0
    for _ in range(BATCHES):
        shape = scheduler.Resources(rng.randint(1, 4), rng.choice([512, 1024, 2048]), rng.randint(1, 20))
        hints = PlacementHints(allow_partial=rng.random() < 0.5, strategy=rng.choice(["SPREAD", "PACK"]))
        async with session_factory(engine)() as session, session.begin():
            request = await scheduler.build_request(session, shape, count=rng.randint(1, 12), hints=hints)
            try:
                placement = await scheduler.place(session, cache, request)
            except scheduler.PlacementFailed:
                continue
        placed += len(placement.host_ids)
        vcpus += len(placement.host_ids) * shape.vcpus
    return placed, vcpus


async def test_random_concurrent_batches_never_oversubscribe(engine: AsyncEngine) -> None:
    await add_hosts(
        engine,
        *({"name": f"h{i}", "cpus": 4, "cpu_ratio": 2.0, "memory_mb": 8192, "storage_gb": 100} for i in range(6)),
    )
    results = await asyncio.gather(*(_decider(engine, seed) for seed in range(DECIDERS)))
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Host))).all()
        total_servers = await conn.scalar(select(func.sum(Host.servers_count)))
        total_vcpus = await conn.scalar(select(func.sum(Host.vcpus_used)))
    for h in rows:
        assert 0 <= h.vcpus_used <= h.cpus * h.cpu_ratio
        assert 0 <= h.memory_used_mb <= h.memory_mb * h.memory_ratio
        assert 0 <= h.storage_used_gb <= h.storage_gb * h.storage_ratio
    assert total_servers == sum(p for p, _ in results) > 0
    assert total_vcpus == sum(v for _, v in results)
