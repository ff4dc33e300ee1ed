"""The set of host states a decision reads, with the static filters' verdicts cached per request kind."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from domain.compute.scheduler.filters import all_filters
from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState

StaticVerdict = tuple[list[HostState], list[tuple[HostState, Reason]]]
STATIC_CACHE_SIZE = 256


class HostTable:
    def __init__(self, hosts: Iterable[HostState] = ()) -> None:
        self.hosts: list[HostState] = []
        self.by_id: dict[uuid.UUID, HostState] = {}
        self._static: dict[tuple[Any, ...], StaticVerdict] = {}
        self.memory_unit = self.vcpus_unit = 1.0
        self.replace_all(hosts)

    def replace_all(self, hosts: Iterable[HostState]) -> None:
        self.hosts = sorted(hosts, key=lambda h: h.name)
        self.by_id = {h.id: h for h in self.hosts}
        self._changed_shape()

    def update(self, states: Iterable[HostState]) -> None:
        """Fold fresh rows in; objects are updated in place so cached verdict lists stay valid."""
        reshaped = False
        for new in states:
            old = self.by_id.get(new.id)
            if old is None:
                self.hosts.append(new)
                self.by_id[new.id] = new
                reshaped = True
                continue
            if old.static_facts() != new.static_facts() or (old.memory_total, old.vcpus_total) != (
                new.memory_total,
                new.vcpus_total,
            ):
                reshaped = True
            for slot in HostState.__slots__:
                setattr(old, slot, getattr(new, slot))
        if reshaped:
            self.hosts.sort(key=lambda h: h.name)
            self._changed_shape()

    def remove(self, host_ids: Iterable[uuid.UUID]) -> None:
        gone = set(host_ids) & self.by_id.keys()
        if gone:
            self.replace_all(h for h in self.hosts if h.id not in gone)

    def _changed_shape(self) -> None:
        self._static.clear()
        # Free memory and vCPUs are weighed in units of the largest host, so neither dominates.
        self.memory_unit = 1.0 / max(max((h.memory_total for h in self.hosts), default=1), 1)
        self.vcpus_unit = 1.0 / max(max((h.vcpus_total for h in self.hosts), default=1), 1)

    def static_pass(self, request: PlacementRequest) -> StaticVerdict:
        """Hosts the static filters keep, and the rest with the first filter that removed each."""
        key = request.static_key()
        cached = self._static.get(key)
        if cached is not None:
            return cached
        filters = [f for f in all_filters() if f.static and f.active(request)]
        passing: list[HostState] = []
        rejected: list[tuple[HostState, Reason]] = []
        for host in self.hosts:
            for f in filters:
                reason = f.host_passes(host, request)
                if reason is not None:
                    rejected.append((host, reason))
                    break
            else:
                passing.append(host)
        if len(self._static) >= STATIC_CACHE_SIZE:
            self._static.clear()
        self._static[key] = (passing, rejected)
        return passing, rejected
