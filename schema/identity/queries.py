"""Identity fields of the root Query."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.identity import queries
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.identity.enums import NamedOrderField, RoleAssignmentOrderField
from schema.identity.filters import (
    DomainFilter,
    GroupFilter,
    NamedOrder,
    ProjectFilter,
    RoleAssignmentFilter,
    RoleAssignmentOrder,
    RoleFilter,
    UserFilter,
)
from schema.identity.types import Domain, Group, Me, NimbusInfo, Project, Role, RoleAssignment, User


def list_args(first: int | None, after: str | None, order: Any, default_field: Any) -> ListArgs:
    field = order.field if order else default_field
    descending = bool(order and order.direction is OrderDirection.DESC)
    return ListArgs(first=first, after=after, order_by=field.value, descending=descending)


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The caller: user, project, roles and permissions.")
    async def me(self, info: NimbusInfo) -> Me:
        found = await queries.me(info.context)
        return Me(
            user=User.from_model(found.user),
            project=Project.from_model(found.project),
            roles=found.roles,
            permissions=found.permissions,
        )

    @strawberry.field(description="Domains the caller may see.")
    async def domains(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: DomainFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[Domain]:
        args = list_args(first, after, order_by, NamedOrderField.NAME)
        page = await queries.list_domains(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, Domain.from_model)

    @strawberry.field(description="Projects the caller may see.")
    async def projects(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: ProjectFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[Project]:
        args = list_args(first, after, order_by, NamedOrderField.NAME)
        page = await queries.list_projects(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, Project.from_model)

    @strawberry.field(description="Users the caller may see.")
    async def users(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: UserFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[User]:
        args = list_args(first, after, order_by, NamedOrderField.NAME)
        page = await queries.list_users(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, User.from_model)

    @strawberry.field(description="Groups the caller may see.")
    async def groups(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: GroupFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[Group]:
        args = list_args(first, after, order_by, NamedOrderField.NAME)
        page = await queries.list_groups(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, Group.from_model)

    @strawberry.field(description="Roles and their policies.")
    async def roles(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: RoleFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[Role]:
        args = list_args(first, after, order_by, NamedOrderField.NAME)
        page = await queries.list_roles(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, Role.from_model)

    @strawberry.field(description="Role assignments the caller may see.")
    async def role_assignments(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: RoleAssignmentFilter | None = None,
        order_by: RoleAssignmentOrder | None = None,
    ) -> Connection[RoleAssignment]:
        args = list_args(first, after, order_by, RoleAssignmentOrderField.CREATED_AT)
        page = await queries.list_role_assignments(info.context, args, **filter_kwargs(filter))
        return Connection.from_page(page, RoleAssignment.from_model)
