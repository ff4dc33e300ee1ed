"""Creating tasks and moving them between stages; every change is a row update plus an event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.identity.access import Principal
from domain.task.models import Task, TaskStatus

# Logical queue names; the sender prefixes them with the platform's Redis prefix, so the
# default deployment listens on `nimbus:worker` and `nimbus:agent:host:<name>`.
WORKER_QUEUE = "worker"
TOPIC = "task"
RESOURCE_TOPIC = "resource"


def agent_queue(kind: str, name: str) -> str:
    return f"agent:{kind}:{name}"


@dataclass(frozen=True)
class Job:
    """An arq job to send once the transaction that decided it has committed."""

    queue: str
    function: str
    args: list[Any]
    job_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "function": self.function, "args": self.args, "job_id": self.job_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        return cls(data["queue"], data["function"], list(data["args"]), data["job_id"])


class JobSender(Protocol):
    async def send(self, job: Job) -> None: ...


@dataclass
class Outbox:
    """Jobs and events produced inside a transaction, released only after it commits."""

    jobs: list[Job] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    # Other notifications, as (topic, message): e.g. "identity" when access may have narrowed.
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Audit records written by a stage, streamed to `auditEvents` after commit.
    audits: list[dict[str, Any]] = field(default_factory=list)

    def changed(
        self, kind: str, obj_id: uuid.UUID, status: str, project_id: uuid.UUID | None, domain_id: uuid.UUID | None
    ) -> None:
        """A resource changed state: announced on the `resource` topic after commit."""
        self.resources.append(
            {
                "kind": kind,
                "id": str(obj_id),
                "status": status,
                "project_id": str(project_id) if project_id else None,
                "domain_id": str(domain_id) if domain_id else None,
            }
        )

    def touch(self, task: Task) -> None:
        if task not in self.tasks:
            self.tasks.append(task)


def now() -> datetime:
    return datetime.now(UTC)


def stage_job(task: Task, stage: str, payload: dict[str, Any] | None = None) -> Job:
    return Job(WORKER_QUEUE, "run_stage", [str(task.id), stage, payload or {}], f"task:{task.id}:{task.seq}:{stage}")


def create_task(
    session: AsyncSession,
    outbox: Outbox,
    *,
    kind: str,
    target_type: str,
    target_id: uuid.UUID | None,
    params: dict[str, Any],
    principal: Principal | None,
    meta: RequestMeta | None,
    project_id: uuid.UUID | None,
    domain_id: uuid.UUID | None,
    deadline_s: float,
    parent: Task | None = None,
    start: bool = True,
) -> Task:
    """A QUEUED task whose first stage (`on_init`) is sent after commit when `start`."""
    task = Task(
        id=uuid.uuid4(),
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        parent_id=parent.id if parent else None,
        stage="on_init",
        status=TaskStatus.QUEUED,
        progress=0,
        params=params,
        actor_id=principal.user_id if principal else None,
        actor_name=principal.user_name if principal else "system",
        project_id=project_id,
        domain_id=domain_id,
        request_id=meta.request_id if meta else "",
        deadline=now() + timedelta(seconds=deadline_s),
        seq=0,
        updated_at=now(),
        created_at=now(),
    )
    session.add(task)
    if start:
        job = stage_job(task, "on_init")
        task.pending_job = job.to_dict()
        outbox.jobs.append(job)
    outbox.touch(task)
    return task


def wait_for(task: Task, outbox: Outbox, stage: str, job: Job | None, progress: int | None = None) -> None:
    """Move the task to `stage`, which runs when `job` (or a child, or an agent) reports back."""
    task.stage = stage
    task.seq += 1
    task.status = TaskStatus.RUNNING
    task.started_at = task.started_at or now()
    task.updated_at = now()
    if progress is not None:
        task.progress = max(task.progress, min(progress, 99))
    task.pending_job = job.to_dict() if job else None
    if job is not None:
        outbox.jobs.append(job)
    outbox.touch(task)


def finish(
    task: Task,
    outbox: Outbox,
    status: TaskStatus,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    task.status = status
    if status is TaskStatus.SUCCEEDED:
        task.stage = "done"  # a failed or cancelled task keeps the stage it ended in
    task.progress = 100 if status is TaskStatus.SUCCEEDED else task.progress
    task.result = result if result is not None else task.result
    task.error = error
    task.finished_at = now()
    task.updated_at = now()
    task.pending_job = None
    task.started_at = task.started_at or task.finished_at
    outbox.touch(task)
    if task.parent_id is not None:
        # The parent re-checks its children; idempotent, so a duplicate is harmless.
        outbox.jobs.append(
            Job(
                WORKER_QUEUE,
                "run_stage",
                [str(task.parent_id), "on_children_done", {}],
                f"task:{task.parent_id}:child:{task.id}",
            )
        )


def to_message(task: Task) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": str(task.id),
        "kind": task.kind,
        "target_type": task.target_type,
        "target_id": str(task.target_id) if task.target_id else None,
        "parent_id": str(task.parent_id) if task.parent_id else None,
        "stage": task.stage,
        "status": task.status.value,
        "progress": task.progress,
        "error": task.error,
        "result": task.result,
        "project_id": str(task.project_id) if task.project_id else None,
        "domain_id": str(task.domain_id) if task.domain_id else None,
        "actor_name": task.actor_name,
        "cancel_requested": bool(task.cancel_requested),
        "created_at": iso(task.created_at),
        "started_at": iso(task.started_at),
        "finished_at": iso(task.finished_at),
        "updated_at": iso(task.updated_at),
    }


def from_message(data: dict[str, Any]) -> Task:
    def uid(key: str) -> uuid.UUID | None:
        return uuid.UUID(data[key]) if data.get(key) else None

    def ts(key: str) -> datetime | None:
        return datetime.fromisoformat(data[key]) if data.get(key) else None

    return Task(
        id=uuid.UUID(data["id"]),
        kind=data["kind"],
        target_type=data["target_type"],
        target_id=uid("target_id"),
        parent_id=uid("parent_id"),
        stage=data["stage"],
        status=TaskStatus(data["status"]),
        progress=data["progress"],
        error=data["error"],
        result=data["result"],
        project_id=uid("project_id"),
        domain_id=uid("domain_id"),
        actor_name=data["actor_name"],
        cancel_requested=bool(data.get("cancel_requested")),
        created_at=ts("created_at"),
        started_at=ts("started_at"),
        finished_at=ts("finished_at"),
        updated_at=ts("updated_at"),
    )
