"""Two tenants and the people in them, built through the API as the system admin.

Tenant `blue` is project `blue` in domain `default`; tenant `red` is project `red` in a new domain
`acme`. Each project has a reader, a member and an admin, a group holding `reader` on it with one
member who has no role of their own, and `acme` has a domain admin. Every persona signs in to its
own project.

Building this costs about thirty requests (a second), so a test module builds it once in a
module fixture (`module_api`) and puts its rows back before each test (`snapshot_rows`,
`restore_rows`), which takes a few milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from domain.models import Base
from nimbus.settings import Settings
from tests.conftest import REDIS_URL, GraphQLClient, _reset

PASSWORD = "Tenant-Passw0rd!"
CUSTOM_ROLE = "auditor"

DOMAIN_CREATE = """
mutation($name: String!) {
  domainCreate(input: {name: $name}) { domain { id } errors { field message code } }
}"""
PROJECT_CREATE = """
mutation($name: String!, $domainId: ID) {
  projectCreate(input: {name: $name, domainId: $domainId}) { project { id } errors { field message code } }
}"""
PROJECT_DESCRIBE = """
mutation($id: ID!, $description: String!) {
  projectUpdate(input: {id: $id, description: $description}) { project { id } errors { field message code } }
}"""
USER_CREATE = """
mutation($name: String!, $password: String!, $domainId: ID) {
  userCreate(input: {name: $name, password: $password, domainId: $domainId}) {
    user { id } errors { field message code }
  }
}"""
GROUP_CREATE = """
mutation($name: String!, $domainId: ID) {
  groupCreate(input: {name: $name, domainId: $domainId}) { group { id } errors { field message code } }
}"""
GROUP_MEMBER_ADD = """
mutation($groupId: ID!, $userId: ID!) {
  groupMemberAdd(input: {groupId: $groupId, userId: $userId}) { group { id } errors { field message code } }
}"""
ROLE_CREATE = """
mutation($name: String!, $permissions: [String!]!) {
  roleCreate(input: {name: $name, permissions: $permissions}) { role { id } errors { field message code } }
}"""
ASSIGN = """
mutation($role: String!, $userId: ID, $groupId: ID, $projectId: ID, $domainId: ID) {
  roleAssignmentCreate(input: {role: $role, userId: $userId, groupId: $groupId, projectId: $projectId,
                               domainId: $domainId}) {
    roleAssignment { id } errors { field message code }
  }
}"""
DEFAULT_DOMAIN = '{ domains(filter: {name: "default"}) { edges { node { id } } } }'
LATEST_EVENT = """
query($operation: String!, $actorId: ID!) {
  auditEvents(first: 1, filter: {operation: $operation, actorId: $actorId}) { edges { node { id } } }
}"""

# Persona key -> (tenant, user name, role, where the role is held).
PERSONAS: dict[str, tuple[str, str, str, str]] = {
    "blue-reader": ("blue", "blue-reader", "reader", "project"),
    "blue-member": ("blue", "blue-member", "member", "project"),
    "blue-admin": ("blue", "blue-admin", "admin", "project"),
    "red-reader": ("red", "red-reader", "reader", "project"),
    "red-member": ("red", "red-member", "member", "project"),
    "red-admin": ("red", "red-admin", "admin", "project"),
    "acme-domain-admin": ("red", "acme-admin", "admin", "domain"),
}


@dataclass(frozen=True)
class Persona:
    """Someone signed in to their own project with one role."""

    key: str
    tenant: str
    name: str
    role: str
    scope: str
    user_id: str
    token: str

    @property
    def kind(self) -> str:
        """reader, member, admin (of the project) or domain-admin."""
        return "domain-admin" if self.scope == "domain" else self.role


@dataclass
class Tenant:
    """One domain with one project, its users, a group and the role assignments on them."""

    name: str
    domain: str
    project: str
    domain_id: str = ""
    project_id: str = ""
    group_id: str = ""
    grouped_user_id: str = ""  # holds no role of their own; signs in through the group
    audit_event_id: str = ""  # the project admin describing the project
    users: dict[str, str] = field(default_factory=dict)  # persona key -> user id
    assignments: dict[str, str] = field(default_factory=dict)  # persona key or "group" -> id

    @property
    def grouped_user(self) -> str:
        return f"{self.name}-grouped"

    def object_ids(self) -> set[str]:
        """Every global id this tenant owns."""
        return {
            self.domain_id,
            self.project_id,
            self.group_id,
            self.grouped_user_id,
            self.audit_event_id,
            *self.users.values(),
            *self.assignments.values(),
        }

    def names(self) -> set[str]:
        """Names that would betray this tenant if they showed up in someone else's error message."""
        return {self.domain, self.project, f"{self.name}-team", self.grouped_user} | {
            spec[1] for spec in PERSONAS.values() if spec[0] == self.name
        }


@dataclass
class World:
    admin_token: str
    blue: Tenant
    red: Tenant
    custom_role_id: str
    personas: dict[str, Persona]

    def own(self, persona: Persona) -> Tenant:
        return self.blue if persona.tenant == "blue" else self.red

    def other(self, persona: Persona) -> Tenant:
        return self.red if persona.tenant == "blue" else self.blue

    def in_tenant(self, tenant: Tenant) -> list[Persona]:
        return [p for p in self.personas.values() if p.tenant == tenant.name]

    def project_admin(self, tenant: Tenant) -> Persona:
        return self.personas[f"{tenant.name}-admin"]


async def created(admin: GraphQLClient, document: str, variables: dict[str, Any], root: str, key: str) -> str:
    """Run a mutation that must succeed and return the id of the object it made."""
    payload = (await admin.ok(document, variables))[root]
    assert payload["errors"] == [], payload
    object_id: str = payload[key]["id"]
    return object_id


async def assign(admin: GraphQLClient, role: str, **target: str) -> str:
    return await created(admin, ASSIGN, {"role": role, **target}, "roleAssignmentCreate", "roleAssignment")


def _keys(tenant: Tenant) -> list[str]:
    return [key for key, spec in PERSONAS.items() if spec[0] == tenant.name]


async def _objects(admin: GraphQLClient, tenant: Tenant) -> None:
    """The project, the users and the group of a tenant whose domain exists."""
    d = {"domainId": tenant.domain_id}
    names = [PERSONAS[k][1] for k in _keys(tenant)] + [tenant.grouped_user]
    project_id, group_id, *user_ids = await asyncio.gather(
        created(admin, PROJECT_CREATE, {"name": tenant.project, **d}, "projectCreate", "project"),
        created(admin, GROUP_CREATE, {"name": f"{tenant.name}-team", **d}, "groupCreate", "group"),
        *(created(admin, USER_CREATE, {"name": n, "password": PASSWORD, **d}, "userCreate", "user") for n in names),
    )
    tenant.project_id, tenant.group_id = project_id, group_id
    *persona_users, tenant.grouped_user_id = user_ids
    tenant.users = dict(zip(_keys(tenant), persona_users, strict=True))


async def _assignments(admin: GraphQLClient, tenant: Tenant) -> None:
    """Each persona's role; `reader` for the group on the project; the grouped user joins the group."""
    keys = _keys(tenant)

    def target(key: str) -> dict[str, str]:
        return {"domainId": tenant.domain_id} if PERSONAS[key][3] == "domain" else {"projectId": tenant.project_id}

    *ids, _ = await asyncio.gather(
        *(assign(admin, PERSONAS[k][2], userId=tenant.users[k], **target(k)) for k in keys),
        assign(admin, "reader", groupId=tenant.group_id, projectId=tenant.project_id),
        created(
            admin,
            GROUP_MEMBER_ADD,
            {"groupId": tenant.group_id, "userId": tenant.grouped_user_id},
            "groupMemberAdd",
            "group",
        ),
    )
    tenant.assignments = dict(zip([*keys, "group"], ids, strict=True))


async def _sign_in(gql: GraphQLClient, tenant: Tenant) -> dict[str, Persona]:
    keys = _keys(tenant)
    tokens = await asyncio.gather(*(gql.login(PERSONAS[k][1], PASSWORD, tenant.project, tenant.domain) for k in keys))
    return {
        k: Persona(k, tenant.name, PERSONAS[k][1], PERSONAS[k][2], PERSONAS[k][3], tenant.users[k], token)
        for k, token in zip(keys, tokens, strict=True)
    }


async def _some_activity(gql: GraphQLClient, admin: GraphQLClient, tenant: Tenant, persona: Persona) -> None:
    """The project admin changes its project, so the tenant has an audit trail of its own."""
    variables = {"id": tenant.project_id, "description": f"{tenant.name} team's project"}
    await created(gql.as_(persona.token), PROJECT_DESCRIBE, variables, "projectUpdate", "project")
    data = await admin.ok(LATEST_EVENT, {"operation": "projectUpdate", "actorId": persona.user_id})
    tenant.audit_event_id = data["auditEvents"]["edges"][0]["node"]["id"]


async def build_world(gql: GraphQLClient, admin_token: str) -> World:
    admin = gql.as_(admin_token)
    blue = Tenant("blue", domain="default", project="blue")
    red = Tenant("red", domain="acme", project="red")
    default = await admin.ok(DEFAULT_DOMAIN)
    blue.domain_id = default["domains"]["edges"][0]["node"]["id"]
    red.domain_id = await created(admin, DOMAIN_CREATE, {"name": "acme"}, "domainCreate", "domain")
    role = {"name": CUSTOM_ROLE, "permissions": ["audit.*"]}
    custom_role_id, *_ = await asyncio.gather(
        created(admin, ROLE_CREATE, role, "roleCreate", "role"), _objects(admin, blue), _objects(admin, red)
    )
    await asyncio.gather(_assignments(admin, blue), _assignments(admin, red))
    blue_people, red_people = await asyncio.gather(_sign_in(gql, blue), _sign_in(gql, red))
    personas = {**blue_people, **red_people}
    await asyncio.gather(
        _some_activity(gql, admin, blue, personas["blue-admin"]),
        _some_activity(gql, admin, red, personas["red-admin"]),
    )
    return World(admin_token, blue, red, custom_role_id, personas)


# Building once, putting back before each test -------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """Every table's rows as PostgreSQL's own JSON, so they go back in one statement."""

    tables: list[str]  # quoted names, parents before children
    data: dict[str, str]  # quoted table name -> JSON array of its rows (non-empty tables only)


@asynccontextmanager
async def module_api(app: Starlette, engine: AsyncEngine, settings: Settings) -> AsyncIterator[GraphQLClient]:
    """A client on a freshly bootstrapped platform, for module fixtures (`gql` lives for one test)."""
    await _reset(engine, settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://nimbus.test") as http:
        yield GraphQLClient(http)


async def snapshot_rows(engine: AsyncEngine) -> Rows:
    """Every row of every table, to put back with `restore_rows`."""
    quote = engine.dialect.identifier_preparer.quote
    tables = [quote(t.name) for t in Base.metadata.sorted_tables]
    data = {}
    async with engine.connect() as conn:
        for table in tables:
            rows = await conn.scalar(text(f"SELECT coalesce(json_agg(r), '[]')::text FROM {table} r"))
            if rows != "[]":
                data[table] = rows
    return Rows(tables, data)


async def restore_rows(engine: AsyncEngine, settings: Settings, rows: Rows) -> None:
    """Make the database hold exactly `rows` again, and forget sign-in throttling.

    Two statements whatever the number of tables (a DELETE or INSERT per table costs a round
    trip each, and TRUNCATE is slower still): foreign keys are checked at the end of each.
    """
    deletes = ", ".join(f"d{i} AS (DELETE FROM {t})" for i, t in enumerate(rows.tables))
    inserts = ", ".join(
        f"i{i} AS (INSERT INTO {t} SELECT * FROM json_populate_recordset(NULL::{t}, CAST(:rows{i} AS json)))"
        for i, t in enumerate(rows.data)
    )
    async with engine.begin() as conn:
        await conn.execute(text(f"WITH {deletes} SELECT 1"))
        params = {f"rows{i}": data for i, data in enumerate(rows.data.values())}
        await conn.execute(text(f"WITH {inserts} SELECT 1"), params)
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(f"{settings.redis_prefix}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
