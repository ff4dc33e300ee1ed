"""`nimbus console-proxy`: the VNC proxy (websockify, its own process) and the SSH terminal."""

from __future__ import annotations

import multiprocessing
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from arq.connections import ArqRedis

from console_proxy.redeem import Redeemer
from console_proxy.ssh import ssh_app
from console_proxy.vnc import serve_vnc
from domain.db import create_engine, session_factory
from domain.identity.tokens import TokenCodec
from nimbus.settings import Settings


def vnc_config(settings: Settings) -> dict[str, Any]:
    return {
        "database_url": settings.effective_database_url,
        "redis_url": settings.effective_redis_url,
        "redis_prefix": settings.redis_prefix,
        "secret_key": settings.effective_secret_key,
    }


def start_vnc_proxy(settings: Settings) -> multiprocessing.Process:
    """websockify installs signal handlers and blocks: it gets a process of its own.

    Not a daemon process: websockify forks a child per connection, which daemons may not do.
    Callers terminate it when they stop.
    """
    process = multiprocessing.get_context("fork").Process(
        target=serve_vnc,
        args=(vnc_config(settings), settings.console_listen, settings.console_vnc_port),
        name="nimbus-console-vnc",
    )
    process.start()
    return process


def ssh_server(settings: Settings) -> uvicorn.Server:
    engine = create_engine(settings.effective_database_url, pool_size=5, max_overflow=5)
    redis = ArqRedis.from_url(settings.effective_redis_url)
    redeemer = Redeemer(
        session_factory(engine),
        redis,
        settings.redis_prefix,
        TokenCodec(settings.effective_secret_key, settings.token_ttl_seconds),
    )
    app = ssh_app(redeemer)

    @asynccontextmanager
    async def lifespan(_app: Any) -> Any:
        yield
        await redis.aclose()
        await engine.dispose()

    app.router.lifespan_context = lifespan
    config = uvicorn.Config(
        app, host=settings.console_listen, port=settings.console_ssh_port, log_config=None, ws="websockets-sansio"
    )
    return uvicorn.Server(config)


def run_console_proxy(settings: Settings) -> None:
    vnc = start_vnc_proxy(settings)
    try:
        ssh_server(settings).run()
    finally:
        vnc.terminate()
        vnc.join(10)
