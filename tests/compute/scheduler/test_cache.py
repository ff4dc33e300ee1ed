"""The host state cache: reloads what events name, rereads everything after a gap or a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.compute import scheduler
from domain.compute.models import Host, HostStatus
from domain.compute.scheduler import HostStateCache
from domain.db import session_factory
from domain.events import publish
from domain.task.services import RESOURCE_TOPIC
from nimbus.settings import Settings
from tests.compute.scheduler.conftest import add_hosts
from workers.deps import Deps
from workers.host_events import follow_hosts

SHAPE = scheduler.Resources(2, 4096, 20)


async def _free(cache: HostStateCache, engine: AsyncEngine, name: str) -> int:
    async with session_factory(engine)() as session:
        table = await cache.current(session)
    return next(h.memory_free for h in table.hosts if h.name == name)


async def test_events_reload_hosts_and_a_restart_starts_from_the_database(engine: AsyncEngine) -> None:
    ids = await add_hosts(engine, {"name": "a"}, {"name": "b"})
    cache = HostStateCache()
    assert await _free(cache, engine, "a") == 16384
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Host).where(Host.id == ids["a"]).values(memory_used_mb=4096))
    assert await _free(cache, engine, "a") == 16384  # nobody said anything: still the cached state
    cache.on_event({"kind": "Host", "id": str(ids["a"]), "status": "ONLINE"})
    assert await _free(cache, engine, "a") == 12288
    assert await _free(HostStateCache(), engine, "a") == 12288  # a new process reads the database


async def test_a_stale_cache_cannot_oversubscribe(engine: AsyncEngine) -> None:
    ids = await add_hosts(engine, {"name": "only", "memory_mb": 8192})
    cache = HostStateCache()
    await _free(cache, engine, "only")
    async with session_factory(engine)() as session, session.begin():  # someone else took most of it
        await session.execute(update(Host).where(Host.id == ids["only"]).values(memory_used_mb=6144))
    async with session_factory(engine)() as session, session.begin():
        request = await scheduler.build_request(session, SHAPE)
        with pytest.raises(scheduler.PlacementFailed, match="1 by memory: not enough memory"):
            await scheduler.place(session, cache, request)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(Host).where(Host.id == ids["only"]).values(status=HostStatus.OFFLINE))
    cache.invalidate_all()
    assert await _free(cache, engine, "only") == 2048


async def test_the_worker_follows_host_events(engine: AsyncEngine, settings: Settings) -> None:
    from arq.connections import create_pool

    from workers.settings import redis_settings

    ids = await add_hosts(engine, {"name": "a"})
    redis = await create_pool(redis_settings(settings.effective_redis_url))
    deps = Deps(session_factory(engine), redis, settings.redis_prefix)
    follower = asyncio.create_task(follow_hosts(deps))
    try:
        await asyncio.sleep(0.3)
        await _free(deps.host_cache, engine, "a")
        async with session_factory(engine)() as session, session.begin():
            await session.execute(update(Host).where(Host.id == ids["a"]).values(memory_used_mb=1024))
        change = {"kind": "Host", "id": str(ids["a"]), "status": "ONLINE", "project_id": None, "domain_id": None}
        await publish(redis, settings.redis_prefix, RESOURCE_TOPIC, change)
        for _ in range(50):
            if await _free(deps.host_cache, engine, "a") == 15360:
                break
            await asyncio.sleep(0.05)
        assert await _free(deps.host_cache, engine, "a") == 15360
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
        await redis.aclose()


async def test_a_claim_is_held_here_until_its_transaction_ends(engine: AsyncEngine) -> None:
    """Concurrent decisions in one process see each other's claims before they commit."""
    await add_hosts(engine, {"name": "a"}, {"name": "b"})
    cache = HostStateCache()
    sessions = session_factory(engine)
    async with sessions() as first, first.begin():
        placed = await scheduler.place(first, cache, await scheduler.build_request(first, SHAPE))
        async with sessions() as second, second.begin():
            other = await scheduler.place(second, cache, await scheduler.build_request(second, SHAPE))
            assert other.host_ids != placed.host_ids  # spread: the held host looks fuller
            await second.rollback()
        assert await _free(cache, engine, "b") == 16384  # given back at rollback
        assert await _free(cache, engine, "a") == 12288  # still held by the open transaction
    assert await _free(cache, engine, "a") == 12288  # committed: reread from the database
    assert await _free(HostStateCache(), engine, "a") == 12288


async def test_a_placement_on_a_warm_cache_costs_two_statements_and_a_batch_five(
    engine: AsyncEngine, queries: Any
) -> None:
    await add_hosts(engine, *({"name": f"h{i}"} for i in range(50)))
    cache = HostStateCache()
    sessions = session_factory(engine)
    async with sessions() as session:
        await cache.current(session)
    for count, most in ((1, 2), (20, 5)):  # settings + claim; settings + savepoint, lock, claim, release
        async with sessions() as session, session.begin():
            with queries() as counted:
                request = await scheduler.build_request(session, SHAPE, count=count)
                placement = await scheduler.place(session, cache, request)
        assert len(placement.host_ids) == count
        assert counted.count <= most, counted.statements
        async with sessions() as session:
            await cache.current(session)  # reread the claimed hosts outside the count
