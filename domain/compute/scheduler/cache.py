"""Host states kept between decisions, so placing over 10,000 hosts does not reload them each time.

Rows are reloaded when an event says a host changed (allocation, release, heartbeat, hostUpdate),
all of them when the cache is older than `max_age` (a missed event heals by then), and nothing
is kept across restarts. Staleness never oversubscribes: the commit re-checks every host.

A claim this process made is held against its hosts until its transaction ends, so concurrent
decisions here see it before other sessions can; then the hosts are reread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from domain.compute.models import Host, Zone
from domain.compute.scheduler.state import COLUMNS, HostState
from domain.compute.scheduler.table import HostTable

_SELECT = select(*(Host.__table__.c[name] for name in COLUMNS))
HOST_KIND = "Host"
# A hold outlives no transaction; this only bounds one whose end was never seen.
HOLD_SECONDS = 300.0


class Hold:
    """Resources claimed by an open transaction of this process, per host."""

    __slots__ = ("disk", "expires", "memory", "servers", "vcpus")

    def __init__(self, vcpus: int, memory: int, disk: int, servers: int) -> None:
        self.vcpus, self.memory, self.disk, self.servers = vcpus, memory, disk, servers
        self.expires = time.monotonic() + HOLD_SECONDS

    def apply(self, host: HostState, sign: int = 1) -> None:
        host.vcpus_free -= sign * self.vcpus
        host.memory_free -= sign * self.memory
        host.disk_free -= sign * self.disk
        host.servers_count += sign * self.servers


class HostStateCache:
    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self.table = HostTable()
        self.loaded_at: float | None = None
        self.loads = 0
        self._dirty: set[uuid.UUID] = set()
        self._lock = asyncio.Lock()
        self._holds: dict[uuid.UUID, list[Hold]] = {}
        self._zones: dict[uuid.UUID, uuid.UUID] = {}

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

    def hold(self, session: AsyncSession, claims: dict[uuid.UUID, tuple[int, int, int, int]]) -> None:
        """Count `claims` (host -> vCPUs, MB, GB, servers) against their hosts until `session`'s
        transaction commits or rolls back; then reread those hosts."""
        held: list[tuple[uuid.UUID, Hold]] = []
        for host_id, (vcpus, memory, disk, servers) in claims.items():
            hold = Hold(vcpus, memory, disk, servers)
            self._holds.setdefault(host_id, []).append(hold)
            if (host := self.table.by_id.get(host_id)) is not None:
                hold.apply(host)
            held.append((host_id, hold))

        def ended(_session: Session, transaction: SessionTransaction) -> None:
            if transaction.parent is None and held:
                self._release(held)
                held.clear()

        # The listener lives as long as the session; a later transaction finds nothing held.
        event.listen(session.sync_session, "after_transaction_end", ended)

    def _release(self, held: list[tuple[uuid.UUID, Hold]]) -> None:
        for host_id, hold in held:
            holds = self._holds.get(host_id, [])
            if hold in holds:
                holds.remove(hold)
                if (host := self.table.by_id.get(host_id)) is not None:
                    hold.apply(host, -1)
            if not holds:
                self._holds.pop(host_id, None)
            self._dirty.add(host_id)

    def _reapply(self, hosts: Iterable[HostState]) -> None:
        """Fresh rows do not show what open transactions here hold: count it again."""
        now = time.monotonic()
        for host in hosts:
            holds = self._holds.get(host.id)
            if not holds:
                continue
            holds[:] = [h for h in holds if h.expires > now]
            for hold in holds:
                hold.apply(host)

    async def reload(self, session: AsyncSession) -> HostTable:
        self.invalidate_all()
        return await self.current(session)

    async def _regions(self, session: AsyncSession) -> dict[uuid.UUID, uuid.UUID]:
        self._zones = {zid: rid for zid, rid in (await session.execute(select(Zone.id, Zone.region_id))).all()}
        return self._zones

    async def _load_all(self, session: AsyncSession) -> None:
        self._dirty.clear()  # before reading: events arriving meanwhile mark hosts again
        started = time.monotonic()
        regions = await self._regions(session)
        rows = (await session.execute(_SELECT)).all()
        self.table.replace_all(HostState.from_row(row, regions) for row in rows)
        self._reapply(self.table.hosts)
        self.loaded_at, self.loads = started, self.loads + 1

    async def _load_some(self, session: AsyncSession) -> None:
        ids, self._dirty = self._dirty, set()
        rows = (await session.execute(_SELECT.where(Host.id.in_(ids)))).all()
        # Zones never change region; only a zone created since the last read needs a lookup.
        regions = self._zones
        if any(row.zone_id is not None and row.zone_id not in regions for row in rows):
            regions = await self._regions(session)
        states = [HostState.from_row(row, regions) for row in rows]
        self.table.update(states)
        self._reapply(self.table.by_id[s.id] for s in states)
        self.table.remove(ids - {s.id for s in states})
