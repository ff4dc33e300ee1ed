"""Weighers: each module holds one; `weigh(host, request)` gives a raw score, higher is better.

The scheduler normalises every weigher's scores to 0..1 over the candidate hosts and sums them
times the weigher's multiplier (settings: `multipliers`, 1.0 when unset, 0 turns one off).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import ClassVar

from domain.compute.scheduler.request import PlacementRequest
from domain.compute.scheduler.state import HostState


class Weigher:
    name: ClassVar[str]

    def applies(self, request: PlacementRequest) -> bool:
        return True

    def weigh(self, host: HostState, request: PlacementRequest) -> float:
        raise NotImplementedError

    def weigh_all(self, hosts: list[HostState], request: PlacementRequest) -> list[float]:
        """Scores of many hosts at once; weighers on the hot path override this with a tighter loop."""
        weigh = self.weigh
        return [weigh(h, request) for h in hosts]

    def multiplier(self, request: PlacementRequest) -> float:
        return float(request.multipliers.get(self.name, 1.0))


REGISTRY: dict[str, Weigher] = {}


def register(cls: type[Weigher]) -> type[Weigher]:
    REGISTRY[cls.name] = cls()
    return cls


def active(request: PlacementRequest) -> list[tuple[Weigher, float]]:
    """The weighers that have a say in this request, with their multipliers."""
    chosen = [(w, w.multiplier(request)) for w in sorted(REGISTRY.values(), key=lambda w: w.name)]
    return [(w, m) for w, m in chosen if m != 0 and w.applies(request)]


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_discover()
