"""Models and migrations agree, and migrations run both ways on PostgreSQL and on SQLite."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from domain.db import create_engine
from domain.migrate import alembic_config, downgrade, upgrade
from domain.models import Base
from tests.conftest import create_database, drop_database


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_on_postgresql() -> None:
    name = f"nimbus_migrate_{secrets.token_hex(4)}"
    url = await create_database(name)
    try:
        expected = set(Base.metadata.tables)
        await asyncio.to_thread(upgrade, url)
        assert expected <= await _tables(url)
        await asyncio.to_thread(downgrade, url, "base")
        assert await _tables(url) == {"alembic_version"}
        await asyncio.to_thread(upgrade, url)
        assert expected <= await _tables(url)
        # `alembic check` raises if autogenerate would find any difference: no drift.
        await asyncio.to_thread(command.check, alembic_config(url))
    finally:
        await drop_database(name)


async def test_migrations_run_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nimbus.db'}"
    await asyncio.to_thread(upgrade, url)
    assert set(Base.metadata.tables) <= await _tables(url)
    await asyncio.to_thread(command.check, alembic_config(url))
    await asyncio.to_thread(downgrade, url, "base")
