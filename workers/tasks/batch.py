"""server.batch_create: the parent of one server.create per server; done when all children are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.task.cancel import CANCEL_STAGE
from domain.task.models import Task, TaskStatus
from domain.task.services import finish, stage_job
from workers.handler import StageContext, TaskHandler, register


@register
class BatchCreate(TaskHandler):
    kind = "server.batch_create"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        sc.wait("on_children_done", None)

    async def on_failed(self, sc: StageContext, error: str) -> None:
        children = (await sc.session.execute(select(Task).where(Task.parent_id == sc.task.id))).scalars()
        for child in children:
            if not child.status.finished and not child.cancel_requested:
                child.cancel_requested = True
                sc.send_later(stage_job(child, CANCEL_STAGE))

    async def on_children_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        children = list((await sc.session.execute(select(Task).where(Task.parent_id == sc.task.id))).scalars())
        done = [c for c in children if c.status.finished]
        sc.task.status = TaskStatus.RUNNING
        sc.task.started_at = sc.task.started_at or min(c.created_at for c in children)
        sc.task.progress = max(sc.task.progress, int(99 * len(done) / max(len(children), 1)))
        sc.outbox.touch(sc.task)
        if len(done) < len(children):
            return
        failed = [c for c in done if c.status is not TaskStatus.SUCCEEDED]
        result = {"total": len(children), "succeeded": len(children) - len(failed), "failed": len(failed)}
        if failed:
            first = failed[0].error or "failed"
            finish(
                sc.task,
                sc.outbox,
                TaskStatus.FAILED,
                result=result,
                error=f"{len(failed)} of {len(children)} servers failed; first error: {first}",
            )
        else:
            finish(sc.task, sc.outbox, TaskStatus.SUCCEEDED, result=result)
