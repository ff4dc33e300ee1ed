"""Query resolvers of the identity context: lists, `me`, and single lookups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from domain.identity.models import Domain, Group, Project, Role, RoleAssignment, User
from domain.identity.permissions import expand
from domain.scoping import restrict
from resolvers.context import Context
from resolvers.filters import name_filters
from resolvers.ids import decode_id
from resolvers.pagination import Page, paginate


@dataclass(frozen=True)
class ListArgs:
    first: int | None
    after: str | None
    order_by: str
    descending: bool


def _id_filter(value: str | None, type_name: str) -> uuid.UUID | None:
    # A malformed id in a filter simply matches nothing; lists never fail on filters.
    if value is None:
        return None
    try:
        return decode_id(value, type_name)
    except Exception:
        return uuid.UUID(int=0)


async def _list(ctx: Context, model: Any, permission: str, stmt: Any, args: ListArgs) -> Page[Any]:
    stmt = restrict(stmt, model, ctx.require_principal(), permission)
    order = getattr(model, args.order_by)
    return await paginate(
        ctx,
        stmt,
        model,
        order,
        descending=args.descending,
        first=args.first,
        after=args.after,
    )


async def list_domains(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    enabled: bool | None = None,
) -> Page[Domain]:
    stmt = name_filters(select(Domain), Domain, name, name_contains)
    if enabled is not None:
        stmt = stmt.where(Domain.enabled.is_(enabled))
    return await _list(ctx, Domain, "identity.domain.list", stmt, args)


async def list_projects(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    domain_id: str | None = None,
    enabled: bool | None = None,
) -> Page[Project]:
    stmt = name_filters(select(Project), Project, name, name_contains)
    if (did := _id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(Project.domain_id == did)
    if enabled is not None:
        stmt = stmt.where(Project.enabled.is_(enabled))
    return await _list(ctx, Project, "identity.project.list", stmt, args)


async def list_users(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    domain_id: str | None = None,
    enabled: bool | None = None,
) -> Page[User]:
    stmt = name_filters(select(User), User, name, name_contains)
    if (did := _id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(User.domain_id == did)
    if enabled is not None:
        stmt = stmt.where(User.enabled.is_(enabled))
    return await _list(ctx, User, "identity.user.list", stmt, args)


async def list_groups(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    domain_id: str | None = None,
) -> Page[Group]:
    stmt = name_filters(select(Group), Group, name, name_contains)
    if (did := _id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(Group.domain_id == did)
    return await _list(ctx, Group, "identity.group.list", stmt, args)


async def list_roles(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
) -> Page[Role]:
    stmt = name_filters(select(Role), Role, name, name_contains)
    return await _list(ctx, Role, "identity.role.list", stmt, args)


async def list_role_assignments(
    ctx: Context,
    args: ListArgs,
    *,
    user_id: str | None = None,
    group_id: str | None = None,
    project_id: str | None = None,
    domain_id: str | None = None,
) -> Page[RoleAssignment]:
    stmt = select(RoleAssignment)
    for value, type_name, column in (
        (user_id, "User", RoleAssignment.user_id),
        (group_id, "Group", RoleAssignment.group_id),
        (project_id, "Project", RoleAssignment.project_id),
        (domain_id, "Domain", RoleAssignment.domain_id),
    ):
        if (obj_id := _id_filter(value, type_name)) is not None:
            stmt = stmt.where(column == obj_id)
    return await _list(ctx, RoleAssignment, "identity.role_assignment.list", stmt, args)


@dataclass(frozen=True)
class Me:
    user: User
    project: Project
    roles: list[str]
    permissions: list[str]


async def me(ctx: Context) -> Me:
    principal = ctx.require_principal()
    async with ctx.reading() as session:
        user = await session.get(User, principal.user_id)
        project = await session.get(Project, principal.project_id)
    assert user is not None
    assert project is not None
    patterns = frozenset(p for g in principal.grants for p in g.permissions)
    return Me(user=user, project=project, roles=principal.roles, permissions=expand(patterns))
