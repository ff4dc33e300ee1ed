"""host.drain: the parent of the migrations that empty a host entering maintenance; it ends when
they all have, FAILED if any server stayed behind (the host stays in maintenance either way)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.compute.migration import DRAIN_KIND
from domain.task.cancel import CANCEL_STAGE
from domain.task.models import Task, TaskStatus
from domain.task.services import finish, stage_job
from workers.handler import StageContext, TaskHandler, register


async def _children(sc: StageContext) -> list[Task]:
    stmt = select(Task).where(Task.parent_id == sc.task.id).order_by(Task.created_at, Task.id)
    return list((await sc.session.execute(stmt)).scalars())


@register
class HostDrain(TaskHandler):
    kind = DRAIN_KIND

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        sc.wait("on_children_done", None, progress=1)

    async def on_children_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        children = await _children(sc)
        done = [c for c in children if c.status.finished]
        sc.task.progress = max(sc.task.progress, int(99 * len(done) / max(len(children), 1)))
        sc.outbox.touch(sc.task)
        if len(done) < len(children):
            return
        skipped: dict[str, str] = dict(sc.task.params.get("skipped") or {})
        for child in done:
            if child.status is not TaskStatus.SUCCEEDED:
                skipped[str(child.target_id)] = child.error or child.status.value.lower()
        result = {"migrated": sum(1 for c in done if c.status is TaskStatus.SUCCEEDED), "skipped": skipped}
        if skipped:
            finish(
                sc.task, sc.outbox, TaskStatus.FAILED, result=result, error=f"{len(skipped)} servers could not be moved"
            )
        else:
            finish(sc.task, sc.outbox, TaskStatus.SUCCEEDED, result=result)

    async def on_failed(self, sc: StageContext, error: str) -> None:
        for child in await _children(sc):
            if not child.status.finished and not child.cancel_requested:
                child.cancel_requested = True
                sc.send_later(stage_job(child, CANCEL_STAGE))
