"""Identity fields of the root Mutation: each parses its input, calls one resolver, shapes the payload."""

from __future__ import annotations

import strawberry

from resolvers.identity.mutations.domain_create import domain_create
from resolvers.identity.mutations.domain_delete import domain_delete
from resolvers.identity.mutations.domain_update import domain_update
from resolvers.identity.mutations.group_create import group_create
from resolvers.identity.mutations.group_delete import group_delete
from resolvers.identity.mutations.group_member_add import group_membership
from resolvers.identity.mutations.project_create import project_create
from resolvers.identity.mutations.project_delete import project_delete
from resolvers.identity.mutations.project_update import project_update
from resolvers.identity.mutations.role_assignment_create import role_assignment_create
from resolvers.identity.mutations.role_assignment_delete import role_assignment_delete
from resolvers.identity.mutations.role_create import role_create
from resolvers.identity.mutations.role_delete import role_delete
from resolvers.identity.mutations.role_update import role_update
from resolvers.identity.mutations.token_create import token_create
from resolvers.identity.mutations.token_revoke import token_revoke
from resolvers.identity.mutations.user_create import user_create
from resolvers.identity.mutations.user_delete import user_delete
from resolvers.identity.mutations.user_password_change import user_password_change
from resolvers.identity.mutations.user_update import user_update
from schema.identity import inputs as i
from schema.identity import payloads as p
from schema.identity.payloads import identity_errors
from schema.identity.types import Domain, Group, NimbusInfo, Project, Role, RoleAssignment, User
from schema.payload_errors import deleted_id


def _obj(convert, value):  # type: ignore[no-untyped-def]
    return None if value is None else convert(value)


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Sign in: a token scoped to one project.")
    async def token_create(self, info: NimbusInfo, input: i.TokenCreateInput) -> p.TokenCreatePayload:
        r = await token_create(
            info.context, username=input.username, password=input.password, domain=input.domain, project=input.project
        )
        if r.value is None:
            return p.TokenCreatePayload(errors=identity_errors(r.errors))
        return p.TokenCreatePayload(
            token=r.value.token, expires_at=r.value.claims.expires_at, user=User.from_model(r.value.user)
        )

    @strawberry.mutation(description="Revoke a token (the calling one by default) before it expires.")
    async def token_revoke(self, info: NimbusInfo, input: i.TokenRevokeInput) -> p.TokenRevokePayload:
        r = await token_revoke(info.context, token=input.token)
        return p.TokenRevokePayload(revoked=bool(r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Create a domain (system admins).")
    async def domain_create(self, info: NimbusInfo, input: i.DomainCreateInput) -> p.DomainCreatePayload:
        r = await domain_create(info.context, name=input.name, description=input.description)
        return p.DomainCreatePayload(domain=_obj(Domain.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Change a domain's description or enabled flag.")
    async def domain_update(self, info: NimbusInfo, input: i.DomainUpdateInput) -> p.DomainUpdatePayload:
        r = await domain_update(info.context, id=input.id, description=input.description, enabled=input.enabled)
        return p.DomainUpdatePayload(domain=_obj(Domain.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Delete an empty domain.")
    async def domain_delete(self, info: NimbusInfo, input: i.DomainDeleteInput) -> p.DomainDeletePayload:
        r = await domain_delete(info.context, id=input.id)
        return p.DomainDeletePayload(deleted_id=deleted_id("Domain", r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Create a project.")
    async def project_create(self, info: NimbusInfo, input: i.ProjectCreateInput) -> p.ProjectCreatePayload:
        r = await project_create(
            info.context, name=input.name, domain_id=input.domain_id, description=input.description
        )
        return p.ProjectCreatePayload(project=_obj(Project.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Rename, describe, enable or disable a project.")
    async def project_update(self, info: NimbusInfo, input: i.ProjectUpdateInput) -> p.ProjectUpdatePayload:
        r = await project_update(
            info.context, id=input.id, name=input.name, description=input.description, enabled=input.enabled
        )
        return p.ProjectUpdatePayload(project=_obj(Project.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Delete a project.")
    async def project_delete(self, info: NimbusInfo, input: i.ProjectDeleteInput) -> p.ProjectDeletePayload:
        r = await project_delete(info.context, id=input.id)
        return p.ProjectDeletePayload(deleted_id=deleted_id("Project", r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Create a user.")
    async def user_create(self, info: NimbusInfo, input: i.UserCreateInput) -> p.UserCreatePayload:
        r = await user_create(
            info.context, name=input.name, password=input.password, domain_id=input.domain_id, email=input.email
        )
        return p.UserCreatePayload(user=_obj(User.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Change a user's e-mail or enabled flag.")
    async def user_update(self, info: NimbusInfo, input: i.UserUpdateInput) -> p.UserUpdatePayload:
        r = await user_update(info.context, id=input.id, email=input.email, enabled=input.enabled)
        return p.UserUpdatePayload(user=_obj(User.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Change a password; every older token of that user stops working.")
    async def user_password_change(
        self, info: NimbusInfo, input: i.UserPasswordChangeInput
    ) -> p.UserPasswordChangePayload:
        r = await user_password_change(
            info.context, id=input.id, current_password=input.current_password, new_password=input.new_password
        )
        return p.UserPasswordChangePayload(user=_obj(User.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Delete a user.")
    async def user_delete(self, info: NimbusInfo, input: i.UserDeleteInput) -> p.UserDeletePayload:
        r = await user_delete(info.context, id=input.id)
        return p.UserDeletePayload(deleted_id=deleted_id("User", r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Create a group.")
    async def group_create(self, info: NimbusInfo, input: i.GroupCreateInput) -> p.GroupCreatePayload:
        r = await group_create(info.context, name=input.name, domain_id=input.domain_id, description=input.description)
        return p.GroupCreatePayload(group=_obj(Group.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Delete a group.")
    async def group_delete(self, info: NimbusInfo, input: i.GroupDeleteInput) -> p.GroupDeletePayload:
        r = await group_delete(info.context, id=input.id)
        return p.GroupDeletePayload(deleted_id=deleted_id("Group", r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Add a user to a group.")
    async def group_member_add(self, info: NimbusInfo, input: i.GroupMemberAddInput) -> p.GroupMemberAddPayload:
        r = await group_membership(info.context, group_id=input.group_id, user_id=input.user_id, member=True)
        return p.GroupMemberAddPayload(group=_obj(Group.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Remove a user from a group.")
    async def group_member_remove(
        self, info: NimbusInfo, input: i.GroupMemberRemoveInput
    ) -> p.GroupMemberRemovePayload:
        r = await group_membership(info.context, group_id=input.group_id, user_id=input.user_id, member=False)
        return p.GroupMemberRemovePayload(group=_obj(Group.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Create a custom role with its policy (system admins).")
    async def role_create(self, info: NimbusInfo, input: i.RoleCreateInput) -> p.RoleCreatePayload:
        r = await role_create(
            info.context, name=input.name, description=input.description, permissions=input.permissions
        )
        return p.RoleCreatePayload(role=_obj(Role.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Change a custom role (system admins).")
    async def role_update(self, info: NimbusInfo, input: i.RoleUpdateInput) -> p.RoleUpdatePayload:
        r = await role_update(info.context, id=input.id, description=input.description, permissions=input.permissions)
        return p.RoleUpdatePayload(role=_obj(Role.from_model, r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Delete an unassigned custom role (system admins).")
    async def role_delete(self, info: NimbusInfo, input: i.RoleDeleteInput) -> p.RoleDeletePayload:
        r = await role_delete(info.context, id=input.id)
        return p.RoleDeletePayload(deleted_id=deleted_id("Role", r.value), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Give a role to a user or group on a project, a domain or the system.")
    async def role_assignment_create(
        self, info: NimbusInfo, input: i.RoleAssignmentCreateInput
    ) -> p.RoleAssignmentCreatePayload:
        r = await role_assignment_create(
            info.context,
            role=input.role,
            user_id=input.user_id,
            group_id=input.group_id,
            project_id=input.project_id,
            domain_id=input.domain_id,
            system=input.system,
        )
        return p.RoleAssignmentCreatePayload(
            role_assignment=_obj(RoleAssignment.from_model, r.value), errors=identity_errors(r.errors)
        )

    @strawberry.mutation(description="Take a role assignment away.")
    async def role_assignment_delete(
        self, info: NimbusInfo, input: i.RoleAssignmentDeleteInput
    ) -> p.RoleAssignmentDeletePayload:
        r = await role_assignment_delete(info.context, id=input.id)
        return p.RoleAssignmentDeletePayload(
            deleted_id=deleted_id("RoleAssignment", r.value), errors=identity_errors(r.errors)
        )
