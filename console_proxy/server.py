"""`nimbus console-proxy`: the VNC proxy (websockify, its own process) and the SSH terminal."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
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
    # Set from both sides (the child does it too), so the group exists whichever runs first.
    if process.pid is not None:
        with contextlib.suppress(OSError):
            os.setpgid(process.pid, process.pid)
    return process


def stop_vnc_proxy(process: multiprocessing.Process, timeout_s: float = 5) -> None:
    """SIGTERM to the proxy and to every connection process it forked (its process group), then
    SIGKILL to what is left: websockify, once terminated, can wait on its connections' processes
    for good, and an orphaned proxy would keep its consoles open."""
    if process.pid is None:  # never started
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except OSError:  # the group is gone already, or was never made: the process alone
            process.kill() if sig == signal.SIGKILL else process.terminate()
        process.join(timeout_s)
        if not process.is_alive():
            return


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


def exit_on_sigterm() -> None:
    """uvicorn shuts down on SIGTERM, then raises the signal again with the handler it found: with
    this one that is SystemExit, so `finally` blocks still stop what the process started."""

    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def run_console_proxy(settings: Settings) -> None:
    vnc = start_vnc_proxy(settings)
    exit_on_sigterm()
    try:
        ssh_server(settings).run()
    finally:
        stop_vnc_proxy(vnc)
