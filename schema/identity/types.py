"""GraphQL object types of the identity context; each converts from its model in one place."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.identity import models
from resolvers.context import Context
from resolvers.identity import loaders
from resolvers.identity.queries import sign_in_projects
from resolvers.ids import to_global_id
from resolvers.loaders import load_converted
from schema.base import Node
from schema.identity.enums import IdentityErrorCode

NimbusInfo = Info[Context, None]


@strawberry.type(description="A payload error of an identity mutation.")
class IdentityError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: IdentityErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.type(description="A namespace of projects, users and groups: an organisation.")
class Domain(Node):
    name: str = strawberry.field(description="Unique name.")
    description: str = strawberry.field(description="Free text.")
    enabled: bool = strawberry.field(description="Disabled domains cannot sign in.")
    created_at: datetime = strawberry.field(description="Creation time.")

    @classmethod
    def from_model(cls, m: models.Domain) -> Domain:
        return cls(
            id=strawberry.ID(to_global_id("Domain", m.id)),
            name=m.name,
            description=m.description,
            enabled=m.enabled,
            created_at=m.created_at,
        )


@strawberry.type(description="A tenant: owns resources, and scopes tokens.")
class Project(Node):
    name: str = strawberry.field(description="Name, unique in its domain.")
    description: str = strawberry.field(description="Free text.")
    enabled: bool = strawberry.field(description="Disabled projects cannot be signed into.")
    created_at: datetime = strawberry.field(description="Creation time.")
    domain_id: strawberry.Private[uuid.UUID]
    pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The domain the project belongs to.")
    def domain(self, info: NimbusInfo) -> Domain | None:
        return load_converted(
            info.context,
            "domain_by_id",
            loaders.DomainByIdLoader,
            Domain.from_model,
            self.domain_id,
        )

    @strawberry.field(description="Roles held on this project, as far as the caller may see them.")
    def role_assignments(self, info: NimbusInfo) -> list[RoleAssignment]:
        return load_converted(
            info.context,
            "assignments_by_project",
            loaders.RoleAssignmentsByProjectLoader,
            RoleAssignment.from_model,
            self.pk,
            many=True,
        )

    @classmethod
    def from_model(cls, m: models.Project) -> Project:
        return cls(
            id=strawberry.ID(to_global_id("Project", m.id)),
            name=m.name,
            description=m.description,
            enabled=m.enabled,
            created_at=m.created_at,
            domain_id=m.domain_id,
            pk=m.id,
        )


@strawberry.type(description="A person or service account that signs in.")
class User(Node):
    name: str = strawberry.field(description="Sign-in name, unique in its domain.")
    email: str | None = strawberry.field(description="Contact address.")
    enabled: bool = strawberry.field(description="Disabled users cannot sign in; their tokens stop working.")
    created_at: datetime = strawberry.field(description="Creation time.")
    domain_id: strawberry.Private[uuid.UUID]
    pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The user's domain.")
    def domain(self, info: NimbusInfo) -> Domain | None:
        return load_converted(
            info.context,
            "domain_by_id",
            loaders.DomainByIdLoader,
            Domain.from_model,
            self.domain_id,
        )

    @strawberry.field(description="Roles the user holds directly, as far as the caller may see them.")
    def role_assignments(self, info: NimbusInfo) -> list[RoleAssignment]:
        return load_converted(
            info.context,
            "assignments_by_user",
            loaders.RoleAssignmentsByUserLoader,
            RoleAssignment.from_model,
            self.pk,
            many=True,
        )

    @classmethod
    def from_model(cls, m: models.User) -> User:
        return cls(
            id=strawberry.ID(to_global_id("User", m.id)),
            name=m.name,
            email=m.email,
            enabled=m.enabled,
            created_at=m.created_at,
            domain_id=m.domain_id,
            pk=m.id,
        )


@strawberry.type(description="A set of users of one domain; roles given to it apply to its members.")
class Group(Node):
    name: str = strawberry.field(description="Name, unique in its domain.")
    description: str = strawberry.field(description="Free text.")
    created_at: datetime = strawberry.field(description="Creation time.")
    domain_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The group's domain.")
    def domain(self, info: NimbusInfo) -> Domain | None:
        return load_converted(
            info.context,
            "domain_by_id",
            loaders.DomainByIdLoader,
            Domain.from_model,
            self.domain_id,
        )

    @classmethod
    def from_model(cls, m: models.Group) -> Group:
        return cls(
            id=strawberry.ID(to_global_id("Group", m.id)),
            name=m.name,
            description=m.description,
            created_at=m.created_at,
            domain_id=m.domain_id,
        )


@strawberry.type(description="A named set of permissions (its policy).")
class Role(Node):
    name: str = strawberry.field(description="Unique name, used by roleAssignmentCreate.")
    description: str = strawberry.field(description="Free text.")
    built_in: bool = strawberry.field(description="admin, member and reader come with Nimbus and cannot change.")
    pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Permission patterns granted, e.g. `compute.*` or `*.list`.")
    def permissions(self, info: NimbusInfo) -> list[str]:
        return info.context.loader("permissions_by_role", loaders.PermissionsByRoleLoader).load(self.pk)

    @classmethod
    def from_model(cls, m: models.Role) -> Role:
        return cls(
            id=strawberry.ID(to_global_id("Role", m.id)),
            name=m.name,
            description=m.description,
            built_in=m.built_in,
            pk=m.id,
        )


@strawberry.type(description="A role held by a user or group on a project, a domain or the whole system.")
class RoleAssignment(Node):
    system: bool = strawberry.field(description="Held on the whole system.")
    created_at: datetime = strawberry.field(description="Creation time.")
    m: strawberry.Private[models.RoleAssignment]

    @strawberry.field(description="The role.")
    def role(self, info: NimbusInfo) -> Role | None:
        return load_converted(
            info.context,
            "role_by_id",
            loaders.RoleByIdLoader,
            Role.from_model,
            self.m.role_id,
        )

    @strawberry.field(description="The user holding it (or null for a group).")
    def user(self, info: NimbusInfo) -> User | None:
        return load_converted(
            info.context,
            "user_by_id",
            loaders.UserByIdLoader,
            User.from_model,
            self.m.user_id,
        )

    @strawberry.field(description="The group holding it (or null for a user).")
    def group(self, info: NimbusInfo) -> Group | None:
        return load_converted(
            info.context,
            "group_by_id",
            loaders.GroupByIdLoader,
            Group.from_model,
            self.m.group_id,
        )

    @strawberry.field(description="The project it is held on, if any.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(
            info.context,
            "project_by_id",
            loaders.ProjectByIdLoader,
            Project.from_model,
            self.m.project_id,
        )

    @strawberry.field(description="The domain it is held on, if any.")
    def domain(self, info: NimbusInfo) -> Domain | None:
        return load_converted(
            info.context,
            "domain_by_id",
            loaders.DomainByIdLoader,
            Domain.from_model,
            self.m.domain_id,
        )

    @classmethod
    def from_model(cls, m: models.RoleAssignment) -> RoleAssignment:
        return cls(
            id=strawberry.ID(to_global_id("RoleAssignment", m.id)), system=m.system, created_at=m.created_at, m=m
        )


@strawberry.type(description="The caller: user, token scope, roles and effective permissions.")
class Me:
    user: User = strawberry.field(description="The signed-in user.")
    project: Project = strawberry.field(description="The project the token is scoped to.")
    roles: list[str] = strawberry.field(description="Names of the roles in effect.")
    permissions: list[str] = strawberry.field(description="Permissions granted in some scope.")

    @strawberry.field(
        description="Projects the signed-in user may scope a token to (by their own roles, in any scope), "
        "for a project switcher; at most 500."
    )
    async def projects(self, info: NimbusInfo) -> list[SignInProject]:
        return [
            SignInProject(
                id=strawberry.ID(to_global_id("Project", p.id)),
                name=p.name,
                domain=domain,
                sign_in_name=f"{domain}/{p.name}",
            )
            for p, domain in await sign_in_projects(info.context)
        ]


@strawberry.type(description="A project the signed-in user may scope a token to.")
class SignInProject:
    id: strawberry.ID = strawberry.field(description="The project's global ID.")
    name: str = strawberry.field(description="The project's name.")
    domain: str = strawberry.field(description="Its domain's name.")
    sign_in_name: str = strawberry.field(description="What `tokenCreate`'s `project` takes: `domain/project`.")
