"""Filter and ordering inputs of identity lists."""

from __future__ import annotations

import strawberry

from schema.base import OrderDirection
from schema.identity.enums import NamedOrderField, RoleAssignmentOrderField


@strawberry.input(description="Filter domains.")
class DomainFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")
    enabled: bool | None = strawberry.field(default=None, description="Only enabled (or disabled) domains.")


@strawberry.input(description="Filter projects.")
class ProjectFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Only projects of this domain.")
    enabled: bool | None = strawberry.field(default=None, description="Only enabled (or disabled) projects.")


@strawberry.input(description="Filter users.")
class UserFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Only users of this domain.")
    enabled: bool | None = strawberry.field(default=None, description="Only enabled (or disabled) users.")


@strawberry.input(description="Filter groups.")
class GroupFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Only groups of this domain.")


@strawberry.input(description="Filter roles.")
class RoleFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")


@strawberry.input(description="Filter role assignments.")
class RoleAssignmentFilter:
    user_id: strawberry.ID | None = strawberry.field(default=None, description="Held by this user.")
    group_id: strawberry.ID | None = strawberry.field(default=None, description="Held by this group.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Held on this project.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Held on this domain.")


@strawberry.input(description="Sort order of named objects.")
class NamedOrder:
    field: NamedOrderField = strawberry.field(default=NamedOrderField.NAME, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")


@strawberry.input(description="Sort order of role assignments.")
class RoleAssignmentOrder:
    field: RoleAssignmentOrderField = strawberry.field(
        default=RoleAssignmentOrderField.CREATED_AT, description="Sort key."
    )
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")
