"""Fixtures for scheduler tests against the database: hosts written directly, no agents needed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from domain.compute.models import Host, HostStatus
from domain.db import session_factory


@pytest.fixture(autouse=True)
def fresh_host_cache(request: pytest.FixtureRequest) -> None:
    """Tables are emptied between tests behind the api's back: its host cache must not remember them."""
    if "app" in request.fixturenames:
        app: Starlette = request.getfixturevalue("app")
        app.state.services.host_cache.invalidate_all()


async def add_hosts(engine: AsyncEngine, *specs: dict[str, Any]) -> dict[str, uuid.UUID]:
    """Hosts as an agent would have registered them; returns name -> id."""
    defaults: dict[str, Any] = {"status": HostStatus.ONLINE, "cpus": 8, "memory_mb": 16384, "storage_gb": 500}
    rows = [Host(id=uuid.uuid4(), **{**defaults, **spec}) for spec in specs]
    async with session_factory(engine)() as session, session.begin():
        session.add_all(rows)
    return {h.name: h.id for h in rows}
