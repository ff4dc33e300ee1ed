"""Running a mutation: one transaction, the audit record inside it, and the refusal path.

Every mutation goes through `run_mutation`, so none can forget authorization or the audit log:
expected failures roll back and are audited as FAILURE (and returned as payload errors);
authorization failures roll back, are audited as DENIED and re-raised as top-level errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEvent, Outcome
from domain.audit.services import TOPIC, Target, record, to_message
from domain.errors import DomainError, PermissionDenied, Unauthenticated
from domain.events import publish
from domain.identity.access import ACCESS_NARROWED, Principal
from domain.task.dispatch import release
from domain.task.services import Outbox
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.principals import IDENTITY_TOPIC

T = TypeVar("T")
log = logging.getLogger("nimbus.mutation")


@dataclass
class Result(Generic[T]):
    value: T | None = None
    errors: list[DomainError] = field(default_factory=list)


Action = Callable[[AsyncSession, Any], Awaitable[T]]


async def run_task_mutation(
    ctx: Context, operation: str, target: Target, action: Callable[[AsyncSession, Any, Outbox], Awaitable[T]]
) -> Result[T]:
    """A mutation that starts tasks: their first jobs leave only once the transaction commits."""
    outbox = Outbox()
    result = await run_mutation(ctx, operation, target, lambda session, principal: action(session, principal, outbox))
    if result.value is not None:
        await release(ctx.services.redis, ctx.services.redis_prefix, outbox)
    return result


async def run_mutation(
    ctx: Context,
    operation: str,
    target: Target,
    action: Action[T],
    *,
    anonymous: bool = False,
    actor_name: str | None = None,
) -> Result[T]:
    principal = ctx.principal
    if principal is None and not anonymous:
        raise Unauthenticated()
    # Domain code flags here when it narrowed someone's access as a side effect, committed on
    # its own (a directory sign-in), so even a refused mutation can have to announce it.
    info: dict[Any, Any] = {}
    try:
        async with ctx.services.sessions() as session, session.begin():
            info = session.info
            value = await action(session, principal)
            _describe(target, value)
            event = record(
                session,
                ctx.meta,
                principal,
                operation,
                target,
                Outcome.SUCCESS,
                actor_name=actor_name,
            )
    except DomainError as exc:
        await _refused(ctx, principal, operation, target, Outcome.FAILURE, exc.code, actor_name)
        if info.get(ACCESS_NARROWED):
            await _identity_changed(ctx)
        return Result(errors=[exc])
    except PermissionDenied as exc:
        await _refused(ctx, principal, operation, target, Outcome.DENIED, exc.code, actor_name)
        raise
    except Exception:
        # A bug: the client gets a masked error, the audit log still gets the attempt.
        await _refused(ctx, principal, operation, target, Outcome.FAILURE, "INTERNAL_SERVER_ERROR", actor_name)
        raise
    await _announce(ctx, event)
    if info.get(ACCESS_NARROWED) or (target.type in IDENTITY_TARGETS and operation not in GRANTS_NOTHING_AWAY):
        await _identity_changed(ctx)
    return Result(value=value)


def _describe(target: Target, value: object) -> None:
    """Fill the audit target from the object the mutation produced."""
    obj_id = getattr(value, "id", None)
    if obj_id is not None and target.id is None:
        target.id = to_global_id(target.type, obj_id)
    scope_ref = getattr(value, "scope_ref", None)
    if callable(scope_ref):
        target.domain_id, target.project_id = scope_ref()


async def _refused(
    ctx: Context,
    principal: Principal | None,
    operation: str,
    target: Target,
    outcome: Outcome,
    code: str,
    actor_name: str | None,
) -> None:
    async with ctx.services.sessions() as session, session.begin():
        event = record(
            session,
            ctx.meta,
            principal,
            operation,
            target,
            outcome,
            code,
            actor_name=actor_name,
        )
    await _announce(ctx, event)


# A change to any of these can end or narrow someone's access: cached principals must go.
IDENTITY_TARGETS = {"Token", "User", "Project", "Domain", "Role", "RoleAssignment", "Group"}
# Creating things takes no access away from anyone: no cached token check goes stale.
GRANTS_NOTHING_AWAY = {"tokenCreate", "projectCreate", "userCreate", "groupCreate", "domainCreate", "roleCreate"}


async def _identity_changed(ctx: Context) -> None:
    ctx.services.principals.clear()
    try:
        await publish(ctx.services.redis, ctx.services.redis_prefix, IDENTITY_TOPIC, {"at": time.time()})
    except Exception:
        log.warning("could not tell other replicas to drop cached tokens", exc_info=True)


async def _announce(ctx: Context, event: AuditEvent) -> None:
    try:
        await publish(ctx.services.redis, ctx.services.redis_prefix, TOPIC, to_message(event))
    except Exception:  # the row is committed; a missed notification must not fail the request
        log.warning("could not publish audit event %s", event.id, exc_info=True)
