"""The quota check on SQLite, the all-in-one database of `nimbus up`."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from domain.compute.models import Server, ServerStatus
from domain.db import create_engine, session_factory
from domain.identity.models import Domain, Project
from domain.migrate import upgrade
from domain.quota.errors import QuotaExceeded
from domain.quota.models import Quota, domain_key
from domain.quota.services import charge


async def test_charge_locks_creates_and_refuses_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nimbus.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        domain, project = Domain(id=uuid.uuid4(), name="d"), None
        async with sessions() as session, session.begin():
            session.add(domain)
            await session.flush()
            project = Project(id=uuid.uuid4(), name="p", domain_id=domain.id)
            session.add(project)
            # A domain default only: the project's own row is created by the first charge.
            session.add(Quota(key=domain_key(domain.id), domain_id=domain.id, servers=2, generation=0))
        assert project is not None
        for i in range(2):
            async with sessions() as session, session.begin():
                await charge(session, project.id, domain.id, {"servers": 1})
                session.add(
                    Server(name=f"s{i}", project_id=project.id, domain_id=domain.id, status=ServerStatus.PENDING,
                           vcpus=1, memory_mb=64, disk_gb=1)
                )  # fmt: skip
        async with sessions() as session, session.begin():
            with pytest.raises(QuotaExceeded) as refused:
                await charge(session, project.id, domain.id, {"servers": 1})
        assert refused.value.over == 1
        assert refused.value.resource == "servers"
    finally:
        await engine.dispose()
