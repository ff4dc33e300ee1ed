"""arq WorkerSettings for `nimbus worker`: the stage runner, heartbeats and the reaper loop."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from arq import func
from arq.connections import RedisSettings

import workers.tasks  # noqa: F401  (registers the task classes)
from domain.db import create_engine, session_factory
from domain.identity.providers.secrets import SecretBox
from domain.image.local_store import STORES
from domain.image.services import CONVERT_DEADLINE_S
from nimbus.settings import Settings
from workers.deps import Deps
from workers.directory_sync import periodic_syncs
from workers.heartbeat import host_heartbeat
from workers.host_events import follow_hosts
from workers.image_jobs import convert_image
from workers.lb_report import lb_agent_report
from workers.reaper import sweep
from workers.runner import run_stage
from workers.vmware_report import vmware_agent_hello, vmware_progress, vmware_report

SWEEP_INTERVAL_S = 2.0


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


async def _sweeper(deps: Deps) -> None:
    while True:
        await sweep(deps)
        await asyncio.sleep(SWEEP_INTERVAL_S)


def worker_settings(settings: Settings, *, max_jobs: int = 50) -> dict[str, Any]:
    engine = create_engine(
        settings.effective_database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )

    async def startup(ctx: dict[str, Any]) -> None:
        deps = Deps(
            session_factory(engine),
            ctx["redis"],
            settings.redis_prefix,
            stall_seconds=settings.task_stall_seconds,
            heartbeat_seconds=settings.heartbeat_seconds,
            secret_box=SecretBox(settings.effective_secret_key),
            images=STORES[settings.image_store](settings.effective_image_dir),
            link_secret=settings.effective_secret_key,
            upload_expiry_seconds=settings.image_upload_expiry_seconds,
            secret_key=settings.effective_secret_key,
        )
        ctx["deps"] = deps
        ctx["sweeper"] = asyncio.create_task(_sweeper(deps))
        ctx["directory_sync"] = asyncio.create_task(periodic_syncs(deps))
        ctx["host_events"] = asyncio.create_task(follow_hosts(deps))

    async def shutdown(ctx: dict[str, Any]) -> None:
        for name in ("sweeper", "directory_sync", "host_events"):
            task = ctx.get(name)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await engine.dispose()

    return {
        "functions": [
            run_stage,
            host_heartbeat,
            lb_agent_report,
            func(convert_image, timeout=CONVERT_DEADLINE_S),
            vmware_report,
            vmware_progress,
            vmware_agent_hello,
        ],
        "queue_name": f"{settings.redis_prefix}:worker",
        "redis_settings": redis_settings(settings.effective_redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": max_jobs,
        "job_timeout": 120,
        "poll_delay": 0.05,
        "keep_result": 0,  # stages are idempotent; results are in the database
        "handle_signals": True,
    }
