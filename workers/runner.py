"""`run_stage`: the one arq job that moves every task, idempotently.

A stage runs only if the task is still waiting for exactly that stage, under a row lock; a job
that arq delivers twice, a late agent reply, or a resend by the sweeper finds the task moved on
and does nothing. Jobs and events leave only after the stage's transaction commits.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.task.cancel import CANCEL_STAGE
from domain.task.models import Task, TaskStatus
from domain.task.services import Outbox, finish
from workers.deps import Deps
from workers.handler import HANDLERS, StageContext, StageFailed, TaskHandler

log = logging.getLogger("nimbus.worker")


async def lock_task(session: AsyncSession, task_id: uuid.UUID) -> Task | None:
    stmt = select(Task).where(Task.id == task_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def fail_task(handler: TaskHandler, sc: StageContext, message: str) -> None:
    await handler.on_failed(sc, message)
    finish(sc.task, sc.outbox, TaskStatus.FAILED, error=message)


async def run_stage(ctx: dict[str, Any], task_id: str, stage: str, payload: dict[str, Any]) -> str:
    deps: Deps = ctx["deps"]
    tid = uuid.UUID(task_id)
    outbox = Outbox()
    try:
        async with deps.sessions() as session, session.begin():
            task = await lock_task(session, tid)
            if task is None or task.status.finished:
                return "skipped"
            if stage == CANCEL_STAGE:
                if not task.cancel_requested:
                    return "skipped"
            elif task.stage != stage or task.cancel_requested:
                return "skipped"  # moved on already, or its cancellation will run instead
            handler = HANDLERS[task.kind]
            sc = StageContext(session, task, outbox, deps)
            try:
                await getattr(handler, stage)(sc, payload)
            except (StageFailed, DomainError) as exc:
                await fail_task(handler, sc, exc.message if isinstance(exc, DomainError) else str(exc))
    except Exception as exc:
        log.exception("stage %s of task %s crashed", stage, task_id)
        outbox = await _fail_after_crash(deps, tid, f"internal error in {stage}: {type(exc).__name__}")
    await deps.release(outbox)
    return "ran"


async def _fail_after_crash(deps: Deps, task_id: uuid.UUID, message: str) -> Outbox:
    outbox = Outbox()
    async with deps.sessions() as session, session.begin():
        task = await lock_task(session, task_id)
        if task is not None and not task.status.finished:
            await fail_task(HANDLERS[task.kind], StageContext(session, task, outbox, deps), message)
    return outbox
