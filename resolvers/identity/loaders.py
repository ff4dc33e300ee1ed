"""Per-request DataLoaders for identity relations (created lazily through `Context.loader`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.identity import services
from domain.identity.models import Domain, Group, Project, Role, RoleAssignment, User
from resolvers.context import Context
from resolvers.loaders import by_id, many_by

DomainByIdLoader = by_id(Domain, "identity.domain.get")
ProjectByIdLoader = by_id(Project, "identity.project.get")
UserByIdLoader = by_id(User, "identity.user.get")
GroupByIdLoader = by_id(Group, "identity.group.get")
RoleByIdLoader = by_id(Role, "identity.role.get")
RoleAssignmentsByProjectLoader = many_by(
    RoleAssignment,
    RoleAssignment.project_id,
    "identity.role_assignment.list",
    RoleAssignment.created_at,
)
RoleAssignmentsByUserLoader = many_by(
    RoleAssignment,
    RoleAssignment.user_id,
    "identity.role_assignment.list",
    RoleAssignment.created_at,
)


def PermissionsByRoleLoader(ctx: Context) -> DataLoader[uuid.UUID, list[str]]:  # noqa: N802 - a loader "class"
    async def load(keys: Sequence[uuid.UUID]) -> list[list[str]]:
        async with ctx.reading() as session:
            found = await services.role_permissions(session, list(keys))
        return [found[k] for k in keys]

    return DataLoader(load_fn=load)


async def domain(ctx: Context, domain_id: uuid.UUID | None) -> Domain | None:
    if domain_id is None:
        return None
    result: Domain | None = await ctx.loader("domain_by_id", DomainByIdLoader).load(domain_id)
    return result


async def project(ctx: Context, project_id: uuid.UUID | None) -> Project | None:
    if project_id is None:
        return None
    result: Project | None = await ctx.loader("project_by_id", ProjectByIdLoader).load(project_id)
    return result


async def user(ctx: Context, user_id: uuid.UUID | None) -> User | None:
    if user_id is None:
        return None
    result: User | None = await ctx.loader("user_by_id", UserByIdLoader).load(user_id)
    return result


async def group(ctx: Context, group_id: uuid.UUID | None) -> Group | None:
    if group_id is None:
        return None
    result: Group | None = await ctx.loader("group_by_id", GroupByIdLoader).load(group_id)
    return result


async def role(ctx: Context, role_id: uuid.UUID) -> Role | None:
    result: Role | None = await ctx.loader("role_by_id", RoleByIdLoader).load(role_id)
    return result


RoleAssignmentByIdLoader = by_id(RoleAssignment, "identity.role_assignment.list")


async def role_assignment(ctx: Context, assignment_id: uuid.UUID) -> RoleAssignment | None:
    result: RoleAssignment | None = await ctx.loader("assignment_by_id", RoleAssignmentByIdLoader).load(assignment_id)
    return result
