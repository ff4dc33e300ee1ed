"""The one scoping helper: every read and write of a scoped row goes through here.

A model takes part by implementing `ScopedModel`: `visible_where` turns the caller's reach
(everything, some domains, some projects) into a WHERE clause, and `scope_ref` says which domain
and project one row belongs to. Cloudpods' scopes (system > domain > project > user) map onto
the grants of `Principal`.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped

from domain.errors import NotFound, PermissionDenied
from domain.identity.access import Principal, Visibility


class ProjectOwned:
    """Mixin of rows a project owns: visible to that project's members and its domain's admins.
    A model sets `__scope_context__` (its permissions' prefix) and `__scope_label__`."""

    project_id: Mapped[uuid.UUID]
    domain_id: Mapped[uuid.UUID]

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(cls.domain_id.in_(vis.domain_ids), cls.project_id.in_(vis.project_ids))

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return self.domain_id, self.project_id


class ScopedModel(Protocol):
    id: Any
    __scope_label__: ClassVar[str]

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]: ...

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]: ...


M = TypeVar("M", bound=ScopedModel)
S = TypeVar("S", bound=Select[Any])


def restrict(stmt: S, model: type[ScopedModel], principal: Principal, permission: str) -> S:
    """Limit `stmt` to the rows of `model` the caller may `permission`."""
    vis = principal.visibility(permission)
    if vis.everything:
        return stmt
    if vis.nothing:
        return stmt.where(false())
    return stmt.where(model.visible_where(vis, principal.user_id))


async def get_visible(
    session: AsyncSession,
    model: type[M],
    principal: Principal,
    obj_id: uuid.UUID,
    *,
    field: str = "id",
) -> M:
    """Fetch one row the caller may read; rows out of reach look exactly like missing ones."""
    noun = model.__scope_label__
    stmt = restrict(
        select(model).where(model.id == obj_id),
        model,
        principal,
        f"{_prefix(model)}.get",
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound(noun.replace("_", " ").capitalize(), field)
    return row


async def get_for_change(
    session: AsyncSession,
    model: type[M],
    principal: Principal,
    obj_id: uuid.UUID,
    action: str,
    *,
    field: str = "id",
) -> M:
    """Fetch a row the caller wants to change: invisible → NOT_FOUND, visible but read-only → FORBIDDEN."""
    row = await get_visible(session, model, principal, obj_id, field=field)
    domain_id, project_id = row.scope_ref()
    permission = f"{_prefix(model)}.{action}"
    if not principal.allows(permission, domain_id=domain_id, project_id=project_id):
        raise PermissionDenied(permission)
    return row


def _prefix(model: type[ScopedModel]) -> str:
    """`identity.project` for Project: permissions are `<prefix>.<action>`."""
    prefix = getattr(model, "__permission_prefix__", None)
    if prefix:
        return str(prefix)
    return f"{getattr(model, '__scope_context__', 'identity')}.{model.__scope_label__}"
