"""Query resolvers of the identity context: lists, `me`, and single lookups."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from domain.identity.auth import sign_in_targets
from domain.identity.models import Domain, Group, Project, Role, RoleAssignment, User
from domain.identity.permissions import expand
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


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
    return await list_page(ctx, Domain, "identity.domain.list", stmt, args)


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
    if (did := id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(Project.domain_id == did)
    if enabled is not None:
        stmt = stmt.where(Project.enabled.is_(enabled))
    return await list_page(ctx, Project, "identity.project.list", stmt, args)


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
    if (did := id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(User.domain_id == did)
    if enabled is not None:
        stmt = stmt.where(User.enabled.is_(enabled))
    return await list_page(ctx, User, "identity.user.list", stmt, args)


async def list_groups(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    domain_id: str | None = None,
) -> Page[Group]:
    stmt = name_filters(select(Group), Group, name, name_contains)
    if (did := id_filter(domain_id, "Domain")) is not None:
        stmt = stmt.where(Group.domain_id == did)
    return await list_page(ctx, Group, "identity.group.list", stmt, args)


async def list_roles(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
) -> Page[Role]:
    stmt = name_filters(select(Role), Role, name, name_contains)
    return await list_page(ctx, Role, "identity.role.list", stmt, args)


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
        if (obj_id := id_filter(value, type_name)) is not None:
            stmt = stmt.where(column == obj_id)
    return await list_page(ctx, RoleAssignment, "identity.role_assignment.list", stmt, args)


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


async def sign_in_projects(ctx: Context) -> list[tuple[Project, str]]:
    """Where the caller may sign in: their own roles, whatever the token's scope."""
    principal = ctx.require_principal()
    async with ctx.reading() as session:
        return await sign_in_targets(session, principal.user_id)
