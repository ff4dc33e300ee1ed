"""Test fixtures: a fresh PostgreSQL database and Redis key prefix per run, the app, and helpers."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from redis.asyncio import Redis
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from domain.db import session_factory
from domain.identity.bootstrap import bootstrap
from domain.migrate import upgrade
from domain.models import Base
from nimbus.app import create_app
from nimbus.settings import Settings

PG_ADMIN = os.environ.get("NIMBUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("NIMBUS_TEST_REDIS", "redis://127.0.0.1:6379/0")
ADMIN_PASSWORD = "Admin-Passw0rd!"
RUN_ID = secrets.token_hex(4)


def _pg_url(database: str, driver: str = "postgresql+asyncpg") -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    return f"{driver}://{base}/{database}"


async def create_database(name: str) -> str:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _pg_url(name)


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    name = f"nimbus_test_{RUN_ID}"
    url = await create_database(name)
    await asyncio.to_thread(upgrade, url)
    yield url
    await drop_database(name)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"nimbus-test-{RUN_ID}",
        secret_key=secrets.token_hex(32),
        password_hash_profile="fast",
        log_json=False,
        # Every in-process worker and app of a run shares PostgreSQL's 100 connections.
        db_pool_size=5,
        db_max_overflow=10,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def engine(app: Starlette) -> AsyncEngine:
    bind: AsyncEngine = app.state.services.sessions.kw["bind"]
    return bind


async def _reset(engine: AsyncEngine, settings: Settings) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    async with session_factory(engine)() as session, session.begin():
        await bootstrap(session, password=ADMIN_PASSWORD, reset_password=True, hash_profile="fast")
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(f"{settings.redis_prefix}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> None:
    """Every test that touches the platform starts from a freshly bootstrapped one."""
    if "app" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    await _reset(engine, request.getfixturevalue("settings"))


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://nimbus.test") as c:
        yield c


class GraphQLClient:
    """Posts GraphQL documents to the app, as a given token if any."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http, self.token = http, token

    def as_(self, token: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, token)

    async def raw(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        hdrs = {"accept": "application/graphql-response+json", **headers}
        if self.token:
            hdrs["authorization"] = f"Bearer {self.token}"
        return await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=hdrs)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.raw(query, variables)
        body: dict[str, Any] = response.json()
        return body

    async def ok(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self(query, variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def login(self, username: str, password: str, project: str, domain: str = "default") -> str:
        data = await self.ok(TOKEN_CREATE, {"u": username, "p": password, "pr": project, "d": domain})
        payload = data["tokenCreate"]
        assert payload["errors"] == [], payload
        token: str = payload["token"]
        return token


TOKEN_CREATE = """
mutation($u: String!, $p: String!, $pr: String!, $d: String!) {
  tokenCreate(input: {username: $u, password: $p, project: $pr, domain: $d}) {
    token expiresAt user { id name } errors { field message code }
  }
}"""


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
async def admin(gql: GraphQLClient) -> GraphQLClient:
    return gql.as_(await gql.login("admin", ADMIN_PASSWORD, "admin"))


@dataclass
class QueryCounter:
    count: int = 0
    statements: list[str] | None = None


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[QueryCounter]:
    """Count the SQL statements the app sends while the block runs."""
    counter = QueryCounter(statements=[])

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counter.count += 1
        assert counter.statements is not None
        counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


@pytest.fixture
def queries(engine: AsyncEngine) -> Any:
    return lambda: count_queries(engine)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    admin_password: str = ADMIN_PASSWORD


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The API served by uvicorn in a thread, for WebSocket and climc tests."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_config=None, ws="websockets-sansio", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
