"""What esxi agents send without a task stage: inventory changes, operation progress, hello."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from domain.task.models import Task, TaskStatus
from domain.task.services import Outbox, now
from domain.vmware.accounts import start_sync
from domain.vmware.inventory import Message, apply, lock_account
from domain.vmware.models import AccountStatus, VmwareAccount
from workers.deps import Deps

# Operation progress maps into the span between dispatch and completion of a task.
PROGRESS_FROM, PROGRESS_TO = 10, 95


async def vmware_report(ctx: dict[str, Any], account_id: str, payload: dict[str, Any]) -> str:
    """Apply one change (or a whole snapshot after the agent signed in again)."""
    deps: Deps = ctx["deps"]
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        account = await lock_account(session, uuid.UUID(account_id))
        if account is None:
            return "unknown account"
        if payload.get("error"):
            account.status, account.last_error = AccountStatus.ERROR, str(payload["error"])
        else:
            await apply(session, account, outbox, Message.from_dict(payload))
    await deps.release(outbox)
    return "applied"


async def vmware_progress(ctx: dict[str, Any], task_id: str, percent: int) -> str:
    deps: Deps = ctx["deps"]
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        stmt = select(Task).where(Task.id == uuid.UUID(task_id)).with_for_update()
        task = (await session.execute(stmt)).scalar_one_or_none()
        if task is None or task.status is not TaskStatus.RUNNING:
            return "skipped"
        scaled = PROGRESS_FROM + (PROGRESS_TO - PROGRESS_FROM) * max(0, min(percent, 100)) // 100
        if scaled > task.progress:
            task.progress, task.updated_at = scaled, now()
            outbox.touch(task)
    await deps.release(outbox)
    return "ok"


async def vmware_agent_hello(ctx: dict[str, Any], account_id: str, started_at: float = 0.0) -> str:
    """An agent (re)started: unless a sync already reached it, a sync gives it the account and a snapshot."""
    deps: Deps = ctx["deps"]
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        account = await session.get(VmwareAccount, uuid.UUID(account_id))
        if account is None:
            return "unknown account"
        # A sync that ended after the agent started was served by it (one agent per account queue).
        served = await session.scalar(
            select(Task.id).where(
                Task.kind == "vmware.sync",
                Task.target_id == account.id,
                Task.status == TaskStatus.SUCCEEDED,
                Task.finished_at >= datetime.fromtimestamp(started_at, UTC),
            )
        )
        if served is not None:
            return "served"
        await start_sync(session, None, outbox, None, account)
    await deps.release(outbox)
    return "syncing"
