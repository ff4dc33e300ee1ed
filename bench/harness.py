"""A throwaway platform for benchmarks: its own PostgreSQL database and Redis prefix, served by uvicorn."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from domain.db import create_engine, session_factory
from domain.identity.bootstrap import bootstrap
from domain.migrate import upgrade
from nimbus.settings import Settings

PG_ADMIN = os.environ.get("NIMBUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ADMIN_PASSWORD = "Bench-Admin-Passw0rd"


@dataclass
class Platform:
    url: str
    settings: Settings
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]]

    def start(self, *args: str) -> None:
        """Another process of the platform (`nimbus worker`, `python -m bench.agents 20`, …)."""
        command = [sys.executable, *args] if args[0] == "-m" else [str(Path(sys.executable).parent / "nimbus"), *args]
        self.processes.append(subprocess.Popen(command, env=self.env))


async def _sql(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _bootstrap(settings: Settings) -> None:
    engine = create_engine(settings.effective_database_url)
    async with session_factory(engine)() as session, session.begin():
        await bootstrap(session, password=ADMIN_PASSWORD, reset_password=True)
    await engine.dispose()


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("nimbus api did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def platform(extra_env: dict[str, str] | None = None) -> Iterator[Platform]:
    name = f"nimbus_bench_{secrets.token_hex(4)}"
    host = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    asyncio.run(_sql(f'CREATE DATABASE "{name}"'))
    settings = Settings(
        database_url=f"postgresql+asyncpg://{host}/{name}",
        redis_url="redis://127.0.0.1:6379/0",
        redis_prefix=f"nimbus-bench-{name}",
        secret_key=secrets.token_hex(32),
        log_level="WARNING",
    )
    try:
        upgrade(settings.effective_database_url)
        asyncio.run(_bootstrap(settings))
        port = free_port()
        # A separate process: a server thread beside the client would share its GIL and
        # measure Python's thread switch interval instead of Nimbus.
        env = {
            **os.environ,
            "NIMBUS_DATABASE_URL": settings.effective_database_url,
            "NIMBUS_REDIS_URL": settings.redis_url or "",
            "NIMBUS_REDIS_PREFIX": settings.redis_prefix,
            "NIMBUS_SECRET_KEY": settings.secret_key or "",
            "NIMBUS_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        nimbus = str(Path(sys.executable).parent / "nimbus")
        proc = subprocess.Popen([nimbus, "api", "--port", str(port)], env=env)
        platform = Platform(f"http://127.0.0.1:{port}", settings, env, [proc])
        try:
            _wait(f"http://127.0.0.1:{port}/healthz", proc)
            yield platform
        finally:
            for p in platform.processes:
                p.terminate()
            for p in platform.processes:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
    finally:
        asyncio.run(_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
