"""The shape of a task class: stages as methods, a failure stage that undoes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.task.models import Task, TaskStatus
from domain.task.services import Job, Outbox, agent_queue, finish, wait_for
from workers.deps import Deps


class StageFailed(Exception):
    """Raised by a stage to fail its task with a message for the user."""


@dataclass
class StageContext:
    session: AsyncSession
    task: Task
    outbox: Outbox
    deps: Deps

    def wait(self, stage: str, job: Job | None = None, progress: int | None = None) -> None:
        wait_for(self.task, self.outbox, stage, job, progress)

    def agent(self, kind: str, name: str, function: str, reply_stage: str, *args: Any) -> Job:
        """A job for an agent, which answers by running `reply_stage` of this task."""
        job_id = f"agent:{self.task.id}:{self.task.seq + 1}:{function}"
        return Job(agent_queue(kind, name), function, [str(self.task.id), reply_stage, *args], job_id)

    def send_later(self, job: Job) -> None:
        """A job with no reply awaited (best-effort clean-up)."""
        self.outbox.jobs.append(job)

    def succeed(self, result: dict[str, Any] | None = None) -> None:
        finish(self.task, self.outbox, TaskStatus.SUCCEEDED, result=result)

    def fail(self, message: str) -> None:
        raise StageFailed(message)


class TaskHandler:
    kind: ClassVar[str]
    # Controller stages are resent by the sweeper when no progress is seen for this long;
    # agent stages get longer (real VMs and image copies are slow).
    agent_stall_seconds: ClassVar[float] = 120.0

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        raise NotImplementedError

    async def on_failed(self, sc: StageContext, error: str) -> None:
        """Undo what the task holds; must be safe to run at any stage."""

    async def on_cancel(self, sc: StageContext, payload: dict[str, Any]) -> None:
        """Cancellation undoes like a failure, and ends CANCELLED; children are cancelled too."""
        await self.on_failed(sc, f"cancelled by {sc.task.actor_name}")
        finish(sc.task, sc.outbox, TaskStatus.CANCELLED, error="cancelled")


HANDLERS: dict[str, TaskHandler] = {}


def register(handler_cls: type[TaskHandler]) -> type[TaskHandler]:
    HANDLERS[handler_cls.kind] = handler_cls()
    return handler_cls
