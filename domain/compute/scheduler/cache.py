"""Host states kept between decisions, so placing over 10,000 hosts does not reload them each time.

Rows are reloaded when an event says a host changed (allocation, release, heartbeat, hostUpdate),
all of them when the cache is older than `max_age` (a missed event heals by then), and nothing
is kept across restarts. Staleness never oversubscribes: the commit re-checks every host.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.models import Host, Zone
from domain.compute.scheduler.state import COLUMNS, HostState
from domain.compute.scheduler.table import HostTable

_SELECT = select(*(Host.__table__.c[name] for name in COLUMNS))
HOST_KIND = "Host"


class HostStateCache:
    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self.table = HostTable()
        self.loaded_at: float | None = None
        self.loads = 0
        self._dirty: set[uuid.UUID] = set()
        self._lock = asyncio.Lock()

    def invalidate(self, host_ids: Iterable[uuid.UUID]) -> None:
        self._dirty.update(host_ids)

    def invalidate_all(self) -> None:
        self.loaded_at = None

    def on_event(self, change: dict[str, Any]) -> None:
        """A `resource` event: a host's allocation or facts changed somewhere."""
        if change.get("kind") == HOST_KIND and change.get("id"):
            self._dirty.add(uuid.UUID(change["id"]))

    async def current(self, session: AsyncSession) -> HostTable:
        async with self._lock:
            if self.loaded_at is None or time.monotonic() - self.loaded_at > self.max_age:
                await self._load_all(session)
            elif self._dirty:
                await self._load_some(session)
        return self.table

    async def reload(self, session: AsyncSession) -> HostTable:
        self.invalidate_all()
        return await self.current(session)

    async def _regions(self, session: AsyncSession) -> dict[uuid.UUID, uuid.UUID]:
        return {zid: rid for zid, rid in (await session.execute(select(Zone.id, Zone.region_id))).all()}

    async def _load_all(self, session: AsyncSession) -> None:
        self._dirty.clear()  # before reading: events arriving meanwhile mark hosts again
        started = time.monotonic()
        regions = await self._regions(session)
        rows = (await session.execute(_SELECT)).all()
        self.table.replace_all(HostState.from_row(row, regions) for row in rows)
        self.loaded_at, self.loads = started, self.loads + 1

    async def _load_some(self, session: AsyncSession) -> None:
        ids, self._dirty = self._dirty, set()
        regions = await self._regions(session)
        rows = (await session.execute(_SELECT.where(Host.id.in_(ids)))).all()
        states = [HostState.from_row(row, regions) for row in rows]
        self.table.update(states)
        self.table.remove(ids - {s.id for s in states})
