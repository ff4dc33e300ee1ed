"""Filters: each module holds one, registered here by name, and answers `host_passes(host, request)`.

Static filters read only what a host is (status, zone, tags, ...), so their verdicts are cached
per kind of request; dynamic ones read what it holds and run for every decision.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import ClassVar

from domain.compute.scheduler.request import PlacementRequest, Reason
from domain.compute.scheduler.state import HostState


class Filter:
    name: ClassVar[str]
    order: ClassVar[int] = 100
    static: ClassVar[bool] = False

    def active(self, request: PlacementRequest) -> bool:
        """False when the request asks nothing this filter checks (it is skipped)."""
        return True

    def host_passes(self, host: HostState, request: PlacementRequest) -> Reason | None:
        raise NotImplementedError

    def select(self, hosts: list[HostState], request: PlacementRequest) -> list[HostState]:
        """The hosts that pass; filters on the hot path override this with a tighter loop."""
        passes = self.host_passes
        return [h for h in hosts if passes(h, request) is None]

    def reject(self, summary: str, detail: str = "") -> Reason:
        return Reason(self.name, summary, detail)


REGISTRY: dict[str, Filter] = {}


def register(cls: type[Filter]) -> type[Filter]:
    REGISTRY[cls.name] = cls()
    return cls


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def all_filters() -> list[Filter]:
    return sorted(REGISTRY.values(), key=lambda f: (f.order, f.name))


_discover()
