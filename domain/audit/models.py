"""The audit record."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import ColumnElement, Enum, String, Text, and_, or_
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, UTCDateTime, utcnow
from domain.identity.access import Visibility


class Outcome(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DENIED = "DENIED"


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    time: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    actor_name: Mapped[str] = mapped_column(String(128), default="")
    # The scope of the request (the token's project and its domain).
    project_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    domain_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    # The scope of the target, when the target was found: its owners may read the record too.
    target_project_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    target_domain_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    operation: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    outcome: Mapped[Outcome] = mapped_column(Enum(Outcome, name="audit_outcome", native_enum=False, length=16))
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Why it failed, for people (a placement failure keeps the scheduler's explanation here).
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_id: Mapped[str] = mapped_column(String(64), default="")
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __scope_label__: ClassVar[str] = "event"
    __scope_context__: ClassVar[str] = "audit"

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        # A record belongs to its target's owners when the target is known (so an operator's
        # work on tenant B shows nowhere in tenant A, whatever project the operator's token is
        # scoped to); otherwise, to the scope of the request.
        target_unknown = and_(cls.target_domain_id.is_(None), cls.target_project_id.is_(None))
        return or_(
            and_(target_unknown, or_(cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids))),
            cls.target_domain_id.in_(vis.domain_ids),
            cls.target_project_id.in_(vis.project_ids),
        )

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id

    def visible_to(self, vis: Visibility) -> bool:
        """The same rule as `visible_where`, for events that arrive over pub/sub."""
        if self.target_domain_id is None and self.target_project_id is None:
            return vis.covers(self.domain_id, self.project_id)
        return vis.covers(self.target_domain_id, self.target_project_id)
