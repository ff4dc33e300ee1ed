"""The Task row."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, ColumnElement, Enum, ForeignKey, Integer, String, Text, or_
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime, utcnow
from domain.identity.access import Visibility


class TaskStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED)


ACTIVE = (TaskStatus.QUEUED, TaskStatus.RUNNING)


class Task(IdMixin, Base):
    __tablename__ = "task"

    kind: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), nullable=True, index=True
    )
    stage: Mapped[str] = mapped_column(String(64), default="on_init")
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, name="task_status", native_enum=False, length=16), default=TaskStatus.QUEUED, index=True
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    actor_name: Mapped[str] = mapped_column(String(128), default="")
    project_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    domain_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    request_id: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    # The job that moves the task on from its current stage: re-sent by the sweeper when a
    # worker, an agent or Redis lost it. {"queue", "function", "args"}.
    pending_job: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Counts stage transitions; part of job ids so a re-sent job is not deduplicated away.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)

    __scope_label__: ClassVar[str] = "task"
    __scope_context__: ClassVar[str] = "task"
    __permission_prefix__: ClassVar[str] = "task"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id

    def visible_to(self, vis: Visibility) -> bool:
        return vis.covers(self.domain_id, self.project_id)
