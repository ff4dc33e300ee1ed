"""Mutation inputs of the identity context."""

from __future__ import annotations

import strawberry


@strawberry.input(description="Sign in.")
class TokenCreateInput:
    username: str = strawberry.field(description="User name.")
    password: str = strawberry.field(description="Password.")
    domain: str = strawberry.field(default="default", description="The user's domain name.")
    project: str = strawberry.field(
        description="Project to scope the token to: a name in the user's domain, or `domain/project`."
    )


@strawberry.input(description="Revoke a token.")
class TokenRevokeInput:
    token: str | None = strawberry.field(default=None, description="The token; the calling token when omitted.")


@strawberry.input(description="Create a domain.")
class DomainCreateInput:
    name: str = strawberry.field(description="Unique name.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Change a domain.")
class DomainUpdateInput:
    id: strawberry.ID = strawberry.field(description="The domain.")
    description: str | None = strawberry.field(default=None, description="New description.")
    enabled: bool | None = strawberry.field(default=None, description="Enable or disable.")


@strawberry.input(description="Delete an object by its ID.")
class DeleteInput:
    id: strawberry.ID = strawberry.field(description="The object to delete.")


@strawberry.input(description="Create a project.")
class ProjectCreateInput:
    name: str = strawberry.field(description="Name, unique in the domain.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Domain; the caller's by default.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Change a project.")
class ProjectUpdateInput:
    id: strawberry.ID = strawberry.field(description="The project.")
    name: str | None = strawberry.field(default=None, description="New name.")
    description: str | None = strawberry.field(default=None, description="New description.")
    enabled: bool | None = strawberry.field(default=None, description="Enable or disable.")


@strawberry.input(description="Create a user.")
class UserCreateInput:
    name: str = strawberry.field(description="Sign-in name, unique in the domain.")
    password: str = strawberry.field(description="Initial password; must meet the password policy.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Domain; the caller's by default.")
    email: str | None = strawberry.field(default=None, description="Contact address.")


@strawberry.input(description="Change a user.")
class UserUpdateInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    email: str | None = strawberry.field(default=None, description="New e-mail address.")
    enabled: bool | None = strawberry.field(default=None, description="Enable or disable (disabling voids tokens).")


@strawberry.input(description="Change a password: your own (give the current one) or, as an admin, another's.")
class UserPasswordChangeInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="The user; yourself when omitted.")
    current_password: str | None = strawberry.field(default=None, description="Your current password.")
    new_password: str = strawberry.field(description="The new password.")


@strawberry.input(description="Create a group.")
class GroupCreateInput:
    name: str = strawberry.field(description="Name, unique in the domain.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="Domain; the caller's by default.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Add a user to, or remove one from, a group.")
class GroupMemberInput:
    group_id: strawberry.ID = strawberry.field(description="The group.")
    user_id: strawberry.ID = strawberry.field(description="The user (of the group's domain).")


@strawberry.input(description="Create a custom role.")
class RoleCreateInput:
    name: str = strawberry.field(description="Unique name.")
    description: str | None = strawberry.field(default=None, description="Free text.")
    permissions: list[str] = strawberry.field(description="Permission patterns, e.g. `compute.server.*`.")


@strawberry.input(description="Change a custom role.")
class RoleUpdateInput:
    id: strawberry.ID = strawberry.field(description="The role.")
    description: str | None = strawberry.field(default=None, description="New description.")
    permissions: list[str] | None = strawberry.field(default=None, description="New policy (replaces the old).")


@strawberry.input(description="Give a role to a user or group on a project, a domain or the system.")
class RoleAssignmentCreateInput:
    role: str = strawberry.field(description="Role name, e.g. `member`.")
    user_id: strawberry.ID | None = strawberry.field(default=None, description="The user (or give groupId).")
    group_id: strawberry.ID | None = strawberry.field(default=None, description="The group (or give userId).")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="On this project.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="On this domain.")
    system: bool | None = strawberry.field(default=None, description="On the whole system.")


@strawberry.input(description="Delete an empty domain.")
class DomainDeleteInput(DeleteInput):
    pass


@strawberry.input(description="Delete a project.")
class ProjectDeleteInput(DeleteInput):
    pass


@strawberry.input(description="Delete a user.")
class UserDeleteInput(DeleteInput):
    pass


@strawberry.input(description="Delete a group.")
class GroupDeleteInput(DeleteInput):
    pass


@strawberry.input(description="Delete a custom role.")
class RoleDeleteInput(DeleteInput):
    pass


@strawberry.input(description="Delete a role assignment.")
class RoleAssignmentDeleteInput(DeleteInput):
    pass


@strawberry.input(description="Add a user to a group.")
class GroupMemberAddInput(GroupMemberInput):
    pass


@strawberry.input(description="Remove a user from a group.")
class GroupMemberRemoveInput(GroupMemberInput):
    pass
