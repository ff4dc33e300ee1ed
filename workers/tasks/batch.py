"""server.batch_create: places every server of the batch in one decision, then starts one
server.create per placed server; done when all children are."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from domain.compute.models import Server, ServerStatus
from domain.compute.scheduler import PlacementFailed
from domain.task.cancel import CANCEL_STAGE
from domain.task.models import Task, TaskStatus
from domain.task.services import finish, stage_job
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import unlock
from workers.tasks.placement import place_servers


@register
class BatchCreate(TaskHandler):
    kind = "server.batch_create"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        children = await _children(sc)
        servers = await _servers(sc, children)
        try:
            placement = await place_servers(sc, [servers[c.id] for c in children], sc.task.params)
        except PlacementFailed as exc:
            for child in children:
                _refuse(sc, child, servers[child.id], exc.message)
            raise
        placed = len(placement.host_ids)
        for child in children[:placed]:
            job = stage_job(child, "on_init")
            child.pending_job = job.to_dict()
            sc.outbox.jobs.append(job)
        if placement.shortfall is not None:
            for child in children[placed:]:
                _refuse(sc, child, servers[child.id], placement.shortfall.message)
        sc.wait("on_children_done", None, progress=10)

    async def on_failed(self, sc: StageContext, error: str) -> None:
        children = (await sc.session.execute(select(Task).where(Task.parent_id == sc.task.id))).scalars()
        for child in children:
            if not child.status.finished and not child.cancel_requested:
                child.cancel_requested = True
                sc.send_later(stage_job(child, CANCEL_STAGE))

    async def on_children_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        children = await _children(sc)
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


async def _children(sc: StageContext) -> list[Task]:
    stmt = select(Task).where(Task.parent_id == sc.task.id).order_by(Task.created_at, Task.id)
    return list((await sc.session.execute(stmt)).scalars())


async def _servers(sc: StageContext, children: list[Task]) -> dict[uuid.UUID, Server]:
    ids = {uuid.UUID(c.params["server_id"]): c.id for c in children}
    stmt = select(Server).where(Server.id.in_(ids)).order_by(Server.id).with_for_update()
    return {ids[s.id]: s for s in (await sc.session.execute(stmt)).scalars()}


def _refuse(sc: StageContext, child: Task, server: Server, message: str) -> None:
    """A server the scheduler found no room for: the server is ERROR and its task FAILED, with the reason."""
    if child.status.finished:
        return
    unlock(sc, server, ServerStatus.ERROR, message)
    finish(child, sc.outbox, TaskStatus.FAILED, error=message)
