"""Two tenants and the people in them, built through the API as the system admin.

`default` holds project `blue`, `acme` holds project `red`; each project has a reader, a member
and an admin, and `acme` has a domain admin. Every persona signs in to its own project.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import GraphQLClient

PASSWORD = "Tenant-Passw0rd!"
CUSTOM_ROLE = "auditor"

DOMAIN_CREATE = """
mutation($name: String!) {
  domainCreate(input: {name: $name}) { domain { id name } errors { field message code } }
}"""

PROJECT_CREATE = """
mutation($name: String!, $domainId: ID) {
  projectCreate(input: {name: $name, domainId: $domainId}) { project { id name } errors { field message code } }
}"""

USER_CREATE = """
mutation($name: String!, $password: String!, $domainId: ID) {
  userCreate(input: {name: $name, password: $password, domainId: $domainId}) {
    user { id name } errors { field message code }
  }
}"""

GROUP_CREATE = """
mutation($name: String!, $domainId: ID) {
  groupCreate(input: {name: $name, domainId: $domainId}) { group { id name } errors { field message code } }
}"""

GROUP_MEMBER_ADD = """
mutation($groupId: ID!, $userId: ID!) {
  groupMemberAdd(input: {groupId: $groupId, userId: $userId}) { group { id } errors { field message code } }
}"""

ROLE_CREATE = """
mutation($name: String!, $permissions: [String!]!) {
  roleCreate(input: {name: $name, permissions: $permissions}) { role { id name } errors { field message code } }
}"""

ASSIGN = """
mutation($role: String!, $userId: ID, $groupId: ID, $projectId: ID, $domainId: ID, $system: Boolean) {
  roleAssignmentCreate(input: {role: $role, userId: $userId, groupId: $groupId, projectId: $projectId,
                               domainId: $domainId, system: $system}) {
    roleAssignment { id } errors { field message code }
  }
}"""


@dataclass
class Persona:
    """Someone who signed in to their own project with one role."""

    key: str
    tenant: str
    role: str
    user_id: str
    client: GraphQLClient


@dataclass
class Tenant:
    """One domain with one project, its users, a group and the role assignments on them."""

    name: str
    domain: str
    project: str
    domain_id: str = ""
    project_id: str = ""
    group_id: str = ""
    users: dict[str, str] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)

    def object_ids(self) -> set[str]:
        """Every global id this tenant owns."""
        return {
            self.domain_id,
            self.project_id,
            self.group_id,
            *self.users.values(),
            *self.assignments.values(),
        }


@dataclass
class World:
    admin: GraphQLClient
    blue: Tenant
    red: Tenant
    custom_role_id: str
    personas: dict[str, Persona]

    def tenant(self, name: str) -> Tenant:
        return self.blue if name == "blue" else self.red

    def other(self, persona: Persona) -> Tenant:
        return self.red if persona.tenant == "blue" else self.blue

    def own(self, persona: Persona) -> Tenant:
        return self.tenant(persona.tenant)


# Persona key -> (tenant, user name, role, scope of the assignment).
PERSONAS: dict[str, tuple[str, str, str, str]] = {
    "blue-reader": ("blue", "blue-reader", "reader", "project"),
    "blue-member": ("blue", "blue-member", "member", "project"),
    "blue-admin": ("blue", "blue-admin", "admin", "project"),
    "red-reader": ("red", "red-reader", "reader", "project"),
    "red-member": ("red", "red-member", "member", "project"),
    "red-admin": ("red", "red-admin", "admin", "project"),
    "acme-domain-admin": ("red", "acme-admin", "admin", "domain"),
}


async def created(admin: GraphQLClient, document: str, variables: dict[str, Any], root: str, key: str) -> str:
    """Run a create mutation as the admin and return the new object's id."""
    payload = (await admin.ok(document, variables))[root]
    assert payload["errors"] == [], payload
    object_id: str = payload[key]["id"]
    return object_id


async def assign(admin: GraphQLClient, role: str, **target: Any) -> str:
    return await created(admin, ASSIGN, {"role": role, **target}, "roleAssignmentCreate", "roleAssignment")


async def _tenant_objects(admin: GraphQLClient, tenant: Tenant) -> None:
    """The project, users and group of a tenant whose domain exists."""
    d = {"domainId": tenant.domain_id}
    users = [(key, spec[1]) for key, spec in PERSONAS.items() if spec[0] == tenant.name]
    project_id, group_id, *user_ids = await asyncio.gather(
        created(admin, PROJECT_CREATE, {"name": tenant.project, **d}, "projectCreate", "project"),
        created(admin, GROUP_CREATE, {"name": f"{tenant.name}-team", **d}, "groupCreate", "group"),
        *(created(admin, USER_CREATE, {"name": n, "password": PASSWORD, **d}, "userCreate", "user") for _, n in users),
    )
    tenant.project_id, tenant.group_id = project_id, group_id
    tenant.users = {key: uid for (key, _), uid in zip(users, user_ids, strict=True)}


async def _tenant_assignments(admin: GraphQLClient, tenant: Tenant) -> None:
    """Each persona's role, plus `reader` for the group on the project (so project members see it)."""
    keys = [key for key, spec in PERSONAS.items() if spec[0] == tenant.name]

    def target(key: str) -> dict[str, str]:
        _, _, _, scope = PERSONAS[key]
        return {"domainId": tenant.domain_id} if scope == "domain" else {"projectId": tenant.project_id}

    ids = await asyncio.gather(
        *(assign(admin, PERSONAS[k][2], userId=tenant.users[k], **target(k)) for k in keys),
        assign(admin, "reader", groupId=tenant.group_id, projectId=tenant.project_id),
    )
    tenant.assignments = dict(zip([*keys, "group"], ids, strict=True))


async def _sign_in(gql: GraphQLClient, tenant: Tenant) -> None:
    keys = [key for key, spec in PERSONAS.items() if spec[0] == tenant.name]
    tokens = await asyncio.gather(*(gql.login(PERSONAS[k][1], PASSWORD, tenant.project, tenant.domain) for k in keys))
    for key, token in zip(keys, tokens, strict=True):
        tenant.personas[key] = Persona(key, tenant.name, PERSONAS[key][2], tenant.users[key], gql.as_(token))


async def build_world(gql: GraphQLClient, admin: GraphQLClient) -> World:
    blue = Tenant("blue", domain="default", project="blue")
    red = Tenant("red", domain="acme", project="red")
    blue.domain_id, red.domain_id = await asyncio.gather(
        _default_domain_id(admin),
        created(admin, DOMAIN_CREATE, {"name": "acme"}, "domainCreate", "domain"),
    )
    custom_role_id, *_ = await asyncio.gather(
        created(admin, ROLE_CREATE, {"name": CUSTOM_ROLE, "permissions": ["audit.*"]}, "roleCreate", "role"),
        _tenant_objects(admin, blue),
        _tenant_objects(admin, red),
    )
    await asyncio.gather(_tenant_assignments(admin, blue), _tenant_assignments(admin, red))
    await asyncio.gather(_sign_in(gql, blue), _sign_in(gql, red))
    return World(admin, blue, red, custom_role_id, {**blue.personas, **red.personas})


DEFAULT_DOMAIN = '{ domains(filter: {name: "default"}) { edges { node { id } } } }'


async def _default_domain_id(admin: GraphQLClient) -> str:
    data = await admin.ok(DEFAULT_DOMAIN)
    domain_id: str = data["domains"]["edges"][0]["node"]["id"]
    return domain_id
