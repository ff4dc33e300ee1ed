"""Listing cloud accounts and servers with their relations costs the same statements for 2 or 12 rows;
and periodic syncs start once per due account."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.cloud.accounts import start_due_syncs
from domain.cloud.models import CloudAccount
from domain.db import session_factory
from domain.identity.models import Project
from domain.task.services import Outbox
from tests.conftest import GraphQLClient

PAGE = """query($n: Int) { cloudAccounts(first: $n) { totalCount edges { node { id name status regions
  project { name } } } } }"""


async def _seed(engine: AsyncEngine, count: int, interval: int = 0) -> None:
    async with session_factory(engine)() as session, session.begin():
        project = (await session.execute(select(Project).where(Project.name == "admin"))).scalar_one()
        for _ in range(count):
            session.add(
                CloudAccount(
                    name=f"qc-{uuid.uuid4().hex[:8]}",
                    provider="aws",
                    project_id=project.id,
                    domain_id=project.domain_id,
                    regions=["us-east-1"],
                    credentials_sealed="sealed",
                    sync_interval_s=interval,
                    config={},
                    last_sync_result={},
                )
            )


async def test_account_pages_cost_a_constant_number_of_statements(
    admin: GraphQLClient, engine: AsyncEngine, queries: Any
) -> None:
    await admin.ok(PAGE, {"n": 1})  # the token check is cached after the first request
    counts = []
    for size, more in ((2, 2), (12, 10)):
        await _seed(engine, more)
        with queries() as counter:
            data = await admin.ok(PAGE, {"n": size})
        assert len(data["cloudAccounts"]["edges"]) == size, json.dumps(data)[:200]
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


async def test_due_accounts_get_one_sync_each(admin: GraphQLClient, engine: AsyncEngine) -> None:
    await _seed(engine, 2, interval=60)
    await _seed(engine, 1, interval=0)
    async with session_factory(engine)() as session, session.begin():
        assert await start_due_syncs(session, Outbox()) == 2
    async with session_factory(engine)() as session, session.begin():
        # The syncs are still queued: nothing new starts.
        assert await start_due_syncs(session, Outbox()) == 0
