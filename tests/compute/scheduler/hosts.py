"""Host states and requests for scheduler unit tests."""

from __future__ import annotations

import uuid
from typing import Any

from domain.compute.scheduler import PlacementRequest
from domain.compute.scheduler.state import HostState


def host(name: str = "h1", **kw: Any) -> HostState:
    defaults: dict[str, Any] = {"vcpus_total": 16, "memory_total": 32768, "disk_total": 500}
    return HostState(id=kw.pop("id", uuid.uuid4()), name=name, **{**defaults, **kw})


def request(**kw: Any) -> PlacementRequest:
    defaults: dict[str, Any] = {"vcpus": 2, "memory_mb": 2048, "disk_gb": 20}
    return PlacementRequest(**{**defaults, **kw})
