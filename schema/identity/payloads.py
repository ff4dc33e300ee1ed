"""Mutation payloads of the identity context: the object (or a result) and payload errors."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.errors import DomainError
from schema.identity.enums import IdentityErrorCode
from schema.identity.types import Domain, Group, IdentityError, Project, Role, RoleAssignment, User
from schema.payload_errors import convert


def identity_errors(errors: list[DomainError]) -> list[IdentityError]:
    return convert(errors, IdentityError, IdentityErrorCode, IdentityErrorCode.INVALID)


@strawberry.type(description="Result of tokenCreate.")
class TokenCreatePayload:
    token: str | None = strawberry.field(default=None, description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime | None = strawberry.field(default=None, description="When the token stops working.")
    user: User | None = strawberry.field(default=None, description="Who signed in.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why sign-in failed.")


@strawberry.type(description="Result of tokenRevoke.")
class TokenRevokePayload:
    revoked: bool = strawberry.field(default=False, description="The token no longer works.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of domainCreate and domainUpdate.")
class DomainPayload:
    domain: Domain | None = strawberry.field(default=None, description="The domain.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of projectCreate and projectUpdate.")
class ProjectPayload:
    project: Project | None = strawberry.field(default=None, description="The project.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of userCreate, userUpdate and userPasswordChange.")
class UserPayload:
    user: User | None = strawberry.field(default=None, description="The user.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of groupCreate, groupMemberAdd and groupMemberRemove.")
class GroupPayload:
    group: Group | None = strawberry.field(default=None, description="The group.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of roleCreate and roleUpdate.")
class RolePayload:
    role: Role | None = strawberry.field(default=None, description="The role.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of roleAssignmentCreate.")
class RoleAssignmentCreatePayload:
    role_assignment: RoleAssignment | None = strawberry.field(default=None, description="The new assignment.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of a delete mutation.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted object.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of domainCreate.")
class DomainCreatePayload(DomainPayload):
    pass


@strawberry.type(description="Result of domainUpdate.")
class DomainUpdatePayload(DomainPayload):
    pass


@strawberry.type(description="Result of domainDelete.")
class DomainDeletePayload(DeletePayload):
    pass


@strawberry.type(description="Result of projectCreate.")
class ProjectCreatePayload(ProjectPayload):
    pass


@strawberry.type(description="Result of projectUpdate.")
class ProjectUpdatePayload(ProjectPayload):
    pass


@strawberry.type(description="Result of projectDelete.")
class ProjectDeletePayload(DeletePayload):
    pass


@strawberry.type(description="Result of userCreate.")
class UserCreatePayload(UserPayload):
    pass


@strawberry.type(description="Result of userUpdate.")
class UserUpdatePayload(UserPayload):
    pass


@strawberry.type(description="Result of userPasswordChange.")
class UserPasswordChangePayload(UserPayload):
    pass


@strawberry.type(description="Result of userDelete.")
class UserDeletePayload(DeletePayload):
    pass


@strawberry.type(description="Result of groupCreate.")
class GroupCreatePayload(GroupPayload):
    pass


@strawberry.type(description="Result of groupDelete.")
class GroupDeletePayload(DeletePayload):
    pass


@strawberry.type(description="Result of groupMemberAdd.")
class GroupMemberAddPayload(GroupPayload):
    pass


@strawberry.type(description="Result of groupMemberRemove.")
class GroupMemberRemovePayload(GroupPayload):
    pass


@strawberry.type(description="Result of roleCreate.")
class RoleCreatePayload(RolePayload):
    pass


@strawberry.type(description="Result of roleUpdate.")
class RoleUpdatePayload(RolePayload):
    pass


@strawberry.type(description="Result of roleDelete.")
class RoleDeletePayload(DeletePayload):
    pass


@strawberry.type(description="Result of roleAssignmentDelete.")
class RoleAssignmentDeletePayload(DeletePayload):
    pass
