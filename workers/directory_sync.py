"""Periodic directory and cloud account syncs: every worker looks now and then; row locks keep it to one task each."""

from __future__ import annotations

import asyncio
import logging

from domain.cloud.accounts import start_due_syncs as start_due_cloud_syncs
from domain.identity.providers.services import start_due_syncs
from domain.task.services import Outbox
from workers.deps import Deps

log = logging.getLogger("nimbus.directory_sync")
CHECK_INTERVAL_S = 30.0


async def schedule_due(deps: Deps) -> int:
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        started = await start_due_syncs(session, outbox)
        started += await start_due_cloud_syncs(session, outbox)
    await deps.release(outbox)
    return started


async def periodic_syncs(deps: Deps, interval: float = CHECK_INTERVAL_S) -> None:
    while True:
        try:
            await schedule_due(deps)
        except Exception:
            log.exception("could not schedule directory syncs")
        await asyncio.sleep(interval)
