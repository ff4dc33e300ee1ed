"""The audit record as a GraphQL type."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain.audit import models
from resolvers.ids import to_global_id
from schema.base import Node


@strawberry.enum(description="How a mutation ended.")
class AuditOutcome(Enum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DENIED = "DENIED"


@strawberry.enum(description="Fields audit events can be sorted by.")
class AuditEventOrderField(Enum):
    TIME = "time"


@strawberry.type(description="One mutation, successful or refused: who, what, on which object, and how it ended.")
class AuditEvent(Node):
    time: datetime = strawberry.field(description="When it happened.")
    actor_id: strawberry.ID | None = strawberry.field(description="The user who acted, if signed in.")
    actor_name: str = strawberry.field(description="The user's name (or the name tried at sign-in).")
    project_id: strawberry.ID | None = strawberry.field(description="The project of the actor's token.")
    operation: str = strawberry.field(description="The mutation, e.g. `projectCreate`.")
    target_type: str = strawberry.field(description="The type of object acted on.")
    target_id: str | None = strawberry.field(description="The object's ID, when known.")
    outcome: AuditOutcome = strawberry.field(description="SUCCESS, FAILURE (payload error) or DENIED.")
    error_code: str | None = strawberry.field(description="The error code of a refusal.")
    detail: str | None = strawberry.field(
        description="Why it failed, for people (a failed placement keeps the scheduler's explanation)."
    )
    request_id: str = strawberry.field(description="The request's id, as in the logs and `X-Request-ID`.")
    client_ip: str | None = strawberry.field(description="The client's address.")

    @classmethod
    def from_model(cls, m: models.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(to_global_id("AuditEvent", m.id)),
            time=m.time,
            actor_id=strawberry.ID(to_global_id("User", m.actor_id)) if m.actor_id else None,
            actor_name=m.actor_name,
            project_id=strawberry.ID(to_global_id("Project", m.project_id)) if m.project_id else None,
            operation=m.operation,
            target_type=m.target_type,
            target_id=m.target_id,
            outcome=AuditOutcome(m.outcome.value),
            error_code=m.error_code,
            detail=m.detail,
            request_id=m.request_id,
            client_ip=m.client_ip,
        )
