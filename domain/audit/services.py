"""Writing audit records and serialising them for pub/sub."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEvent, Outcome
from domain.identity.access import Principal
from domain.task.models import Task

TOPIC = "audit"


@dataclass(frozen=True)
class RequestMeta:
    request_id: str
    client_ip: str | None


@dataclass
class Target:
    """What a mutation acted on; filled in as the operation learns it."""

    type: str
    id: str | None = None
    domain_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


def record(
    session: AsyncSession,
    meta: RequestMeta,
    principal: Principal | None,
    operation: str,
    target: Target,
    outcome: Outcome,
    error_code: str | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        id=uuid.uuid4(),
        actor_id=principal.user_id if principal else None,
        # The name tried at sign-in is untrusted input: keep it printable (PostgreSQL refuses NUL).
        actor_name=principal.user_name if principal else "".join(c for c in actor_name or "" if c.isprintable())[:128],
        project_id=principal.project_id if principal else None,
        domain_id=principal.project_domain_id if principal else None,
        target_project_id=target.project_id,
        target_domain_id=target.domain_id,
        operation=operation,
        target_type=target.type,
        target_id=target.id,
        outcome=outcome,
        error_code=error_code,
        request_id=meta.request_id,
        client_ip=meta.client_ip,
    )
    session.add(event)
    return event


def record_task_failure(
    session: AsyncSession, task: Task, operation: str, target: Target, error_code: str, detail: str
) -> AuditEvent:
    """A failure found by a worker after the request was accepted (a placement nobody could make)."""
    event = AuditEvent(
        id=uuid.uuid4(),
        actor_id=task.actor_id,
        actor_name=task.actor_name,
        project_id=task.project_id,
        domain_id=task.domain_id,
        target_project_id=target.project_id,
        target_domain_id=target.domain_id,
        operation=operation,
        target_type=target.type,
        target_id=target.id,
        outcome=Outcome.FAILURE,
        error_code=error_code,
        detail=detail,
        request_id=task.request_id,
        client_ip=None,
    )
    session.add(event)
    return event


_FIELDS = (
    "actor_name",
    "operation",
    "target_type",
    "target_id",
    "outcome",
    "error_code",
    "detail",
    "request_id",
    "client_ip",
)
_UUIDS = (
    "id",
    "actor_id",
    "project_id",
    "domain_id",
    "target_project_id",
    "target_domain_id",
)


def to_message(event: AuditEvent) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(event, f) for f in _FIELDS}
    data.update({f: str(v) if (v := getattr(event, f)) else None for f in _UUIDS})
    data["time"] = event.time.isoformat()
    return data


def from_message(data: dict[str, Any]) -> AuditEvent:
    fields: dict[str, Any] = {f: data.get(f) for f in _FIELDS}
    fields.update({f: uuid.UUID(v) if (v := data.get(f)) else None for f in _UUIDS})
    fields["outcome"] = Outcome(data["outcome"])
    fields["time"] = datetime.fromisoformat(data["time"])
    return AuditEvent(**fields)
