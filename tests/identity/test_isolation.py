"""Tenants are sealed off from each other: no one sees, changes or hands out another tenant's objects.

Every persona of one tenant tries every identity query and mutation on the other tenant's objects.
Each refusal must show nothing (lists and `node` stay silent), change nothing (the system admin's
view is the same afterwards) and leave an audit record: FAILURE with the payload error's code when
the target is out of sight, DENIED with a top-level `FORBIDDEN` when it is in sight but read-only.

The two tenants are built once through the API (about thirty requests) and their rows are put
back before each test, so the ~250 cases run in seconds rather than minutes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from nimbus.settings import Settings
from tests.conftest import ADMIN_PASSWORD, TOKEN_CREATE, GraphQLClient
from tests.identity.personas import (
    PASSWORD,
    PERSONAS,
    Persona,
    Rows,
    Tenant,
    World,
    assign,
    build_world,
    module_api,
    restore_rows,
    snapshot_rows,
)

NOT_FOUND = "NOT_FOUND"
DENIED = "DENIED"

# The system admin's view of the whole platform, compared before and after every attempt, and the
# audit records an actor left since the world was built.
PLATFORM = """
  domains(first: 100) { edges { node { id name description enabled } } }
  projects(first: 100) { edges { node { id name description enabled } } }
  users(first: 100) { edges { node { id name email enabled } } }
  groups(first: 100) { edges { node { id name } } }
  roles(first: 100) { edges { node { id name permissions } } }
  roleAssignments(first: 100) { edges { node { id } } }
"""
SNAPSHOT = "{" + PLATFORM + "}"
AFTERMATH = (
    "query($operation: String!, $actorId: ID!, $since: DateTime) {"
    + PLATFORM
    + """
  auditEvents(first: 10, filter: {operation: $operation, actorId: $actorId, since: $since}) {
    edges { node { outcome errorCode actorName } }
  }
}"""
)

ME = "{ me { user { id name } project { id name } roles } }"

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"

LISTS = {
    "projects": """
query($domainId: ID) {
  all: projects(first: 100) { totalCount edges { node { id name domain { id } } } }
  filtered: projects(first: 100, filter: {domainId: $domainId}) { totalCount edges { node { id } } }
}""",
    "users": """
query($domainId: ID) {
  all: users(first: 100) { totalCount edges { node { id name domain { id } roleAssignments { id } } } }
  filtered: users(first: 100, filter: {domainId: $domainId}) { totalCount edges { node { id } } }
}""",
    "groups": """
query($domainId: ID) {
  all: groups(first: 100) { totalCount edges { node { id name domain { id } } } }
  filtered: groups(first: 100, filter: {domainId: $domainId}) { totalCount edges { node { id } } }
}""",
    "domains": """
query($name: String) {
  all: domains(first: 100) { totalCount edges { node { id name } } }
  filtered: domains(first: 100, filter: {name: $name}) { totalCount edges { node { id } } }
}""",
    "roleAssignments": """
query($domainId: ID, $projectId: ID) {
  all: roleAssignments(first: 100) {
    totalCount edges { node { id user { id } group { id } project { id } domain { id } } }
  }
  filtered: roleAssignments(first: 100, filter: {projectId: $projectId}) { totalCount edges { node { id } } }
  onDomain: roleAssignments(first: 100, filter: {domainId: $domainId}) { totalCount edges { node { id } } }
}""",
    "auditEvents": """
query($projectId: ID) {
  all: auditEvents(first: 100) {
    totalCount edges { node { id operation actorId actorName projectId targetId } }
  }
  filtered: auditEvents(first: 100, filter: {projectId: $projectId}) { totalCount edges { node { id } } }
}""",
}


# The world ------------------------------------------------------------------------------------


@dataclass
class Built:
    world: World
    rows: Rows
    snapshot: dict[str, Any]
    finished: str  # every audit event after this instant comes from the running test
    dirty: bool = False  # a test since the last restore may have written something


@pytest.fixture(scope="module")
async def built(app: Starlette, engine: AsyncEngine, settings: Settings) -> Built:
    """Two tenants built through the API once for this module, with the admin's view of them."""
    async with module_api(app, engine, settings) as gql:
        admin_token = await gql.login("admin", ADMIN_PASSWORD, "admin")
        world = await build_world(gql, admin_token)
        snapshot = await gql.as_(admin_token).ok(SNAPSHOT)
    rows = await snapshot_rows(engine)
    return Built(world, rows, snapshot, datetime.now(UTC).isoformat())


@pytest.fixture(autouse=True)
async def clean_state() -> None:
    """Replaces the conftest's reset for this module: `world` puts every row back itself."""


@pytest.fixture
async def world(built: Built, engine: AsyncEngine, settings: Settings) -> World:
    """The two tenants exactly as built, for a test that may change them."""
    await restore_rows(engine, settings, built.rows)
    built.dirty = True
    return built.world


@pytest.fixture
async def untouched_world(built: Built, engine: AsyncEngine, settings: Settings) -> World:
    """The two tenants exactly as built, for a test that only reads (no sign-in, no mutation)."""
    if built.dirty:
        await restore_rows(engine, settings, built.rows)
        built.dirty = False
    return built.world


@pytest.fixture
def admin_view(gql: GraphQLClient, world: World) -> GraphQLClient:
    return gql.as_(world.admin_token)


Record = tuple[str, str | None, str]  # outcome, error code, actor name


@dataclass
class Aftermath:
    platform: dict[str, Any]  # the system admin's view
    audit: list[Record]  # what the actor's attempts left in the audit log, newest first


AftermathOf = Callable[[str, Persona], Awaitable[Aftermath]]


@pytest.fixture
def aftermath(admin_view: GraphQLClient, built: Built) -> AftermathOf:
    """How the platform looks after a test's attempts, read by the system admin in one request."""

    async def read(operation: str, actor: Persona) -> Aftermath:
        variables = {"operation": operation, "actorId": actor.user_id, "since": built.finished}
        data = await admin_view.ok(AFTERMATH, variables)
        events = data.pop("auditEvents")["edges"]
        return Aftermath(data, [(e["node"]["outcome"], e["node"]["errorCode"], e["node"]["actorName"]) for e in events])

    return read


def as_(gql: GraphQLClient, persona: Persona) -> GraphQLClient:
    return gql.as_(persona.token)


# What a refusal looks like --------------------------------------------------------------------


def _leaks(text: str, victim: Tenant) -> set[str]:
    words = set(text.replace("'", " ").replace('"', " ").split())
    return {name for name in victim.names() if name in words}


def assert_refused(body: dict[str, Any], root: str, expected: str, field: str | None, victim: Tenant) -> None:
    """NOT_FOUND: a payload error on `field`, no object. DENIED: a top-level FORBIDDEN, no data."""
    if expected == DENIED:
        assert body.get("data") is None, body
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN", error
        assert error["path"] == [root]
        assert not _leaks(error["message"], victim), error
        return
    assert "errors" not in body, body
    payload = body["data"][root]
    (error,) = payload["errors"]
    assert (error["code"], error["field"]) == (expected, field), error
    assert not _leaks(error["message"], victim), error
    produced = {k: v for k, v in payload.items() if k != "errors"}
    assert all(v in (None, False) for v in produced.values()), payload


def audited_as(expected: str, actor: Persona) -> list[Record]:
    """The one audit record a refusal leaves."""
    outcome, code = ("DENIED", "FORBIDDEN") if expected == DENIED else ("FAILURE", expected)
    return [(outcome, code, actor.name)]


async def can_sign_in(gql: GraphQLClient, name: str, password: str, domain: str, project: str) -> bool:
    data = await gql.ok(TOKEN_CREATE, {"u": name, "p": password, "pr": project, "d": domain})
    return data["tokenCreate"]["token"] is not None


async def token_works(gql: GraphQLClient, persona: Persona) -> bool:
    response = await as_(gql, persona).raw(ME)
    return response.status_code == 200 and "errors" not in response.json()


# The matrix: persona x mutation ---------------------------------------------------------------

Vars = Callable[[World, Persona], dict[str, Any]]
Check = Callable[[GraphQLClient, World, Persona], Awaitable[None]]


@dataclass(frozen=True)
class Attempt:
    """One mutation aimed at the other tenant, and how each kind of persona must be refused."""

    name: str
    root: str
    document: str
    variables: Vars
    expected: str | dict[str, str]
    field: str | None = None
    check: Check | None = None  # what else must still hold afterwards

    def outcome_for(self, persona: Persona) -> str:
        return self.expected if isinstance(self.expected, str) else self.expected[persona.kind]


ERRORS = "errors { field message code }"


def _doc(root: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {root}(input: $input) {{ {selection} {ERRORS} }} }}"


def _victim(w: World, p: Persona) -> Persona:
    return w.project_admin(w.other(p))


async def _victim_unharmed(gql: GraphQLClient, w: World, p: Persona) -> None:
    # A changed password, a disabled user, domain or role, a revoked token: each voids this token.
    assert await token_works(gql, _victim(w, p))


async def _not_let_in(gql: GraphQLClient, w: World, p: Persona) -> None:
    other = w.other(p)
    assert not await can_sign_in(gql, p.name, PASSWORD, w.own(p).domain, f"{other.domain}/{other.project}")


async def _grouped_user_still_in(gql: GraphQLClient, w: World, p: Persona) -> None:
    other = w.other(p)
    assert await can_sign_in(gql, other.grouped_user, PASSWORD, other.domain, other.project)


ATTEMPTS = [
    Attempt(
        "projectUpdate",
        "projectUpdate",
        _doc("projectUpdate", "ProjectUpdateInput", "project { id name }"),
        lambda w, p: {"input": {"id": w.other(p).project_id, "name": "pwned", "description": "x", "enabled": False}},
        NOT_FOUND,
        "id",
    ),
    Attempt(
        "projectDelete",
        "projectDelete",
        _doc("projectDelete", "ProjectDeleteInput", "deletedId"),
        lambda w, p: {"input": {"id": w.other(p).project_id}},
        NOT_FOUND,
        "id",
    ),
    Attempt(
        "userUpdate",
        "userUpdate",
        _doc("userUpdate", "UserUpdateInput", "user { id email enabled }"),
        lambda w, p: {"input": {"id": _victim(w, p).user_id, "email": "pwned@evil.example", "enabled": False}},
        NOT_FOUND,
        "id",
        _victim_unharmed,
    ),
    Attempt(
        "userDelete",
        "userDelete",
        _doc("userDelete", "UserDeleteInput", "deletedId"),
        lambda w, p: {"input": {"id": _victim(w, p).user_id}},
        NOT_FOUND,
        "id",
        _victim_unharmed,
    ),
    Attempt(
        "userPasswordChange",
        "userPasswordChange",
        _doc("userPasswordChange", "UserPasswordChangeInput", "user { id }"),
        lambda w, p: {"input": {"id": _victim(w, p).user_id, "newPassword": "Pwned-Passw0rd-1"}},
        NOT_FOUND,
        "id",
        _victim_unharmed,
    ),
    Attempt(
        "groupCreate",
        "groupCreate",
        _doc("groupCreate", "GroupCreateInput", "group { id }"),
        lambda w, p: {"input": {"name": "intruders", "domainId": w.other(p).domain_id}},
        NOT_FOUND,
        "domainId",
    ),
    Attempt(
        "groupMemberAdd-self-to-their-group",
        "groupMemberAdd",
        _doc("groupMemberAdd", "GroupMemberAddInput", "group { id }"),
        lambda w, p: {"input": {"groupId": w.other(p).group_id, "userId": p.user_id}},
        NOT_FOUND,
        "groupId",
        _not_let_in,
    ),
    Attempt(
        "groupMemberAdd-their-user-to-own-group",
        "groupMemberAdd",
        _doc("groupMemberAdd", "GroupMemberAddInput", "group { id }"),
        lambda w, p: {"input": {"groupId": w.own(p).group_id, "userId": _victim(w, p).user_id}},
        # Project personas see their own group but may not change it; the domain admin may, and
        # then does not find the foreign user.
        {"reader": DENIED, "member": DENIED, "admin": DENIED, "domain-admin": NOT_FOUND},
        "userId",
    ),
    Attempt(
        "groupMemberRemove",
        "groupMemberRemove",
        _doc("groupMemberRemove", "GroupMemberRemoveInput", "group { id }"),
        lambda w, p: {"input": {"groupId": w.other(p).group_id, "userId": w.other(p).grouped_user_id}},
        NOT_FOUND,
        "groupId",
        _grouped_user_still_in,
    ),
    Attempt(
        "groupDelete",
        "groupDelete",
        _doc("groupDelete", "GroupDeleteInput", "deletedId"),
        lambda w, p: {"input": {"id": w.other(p).group_id}},
        NOT_FOUND,
        "id",
        _grouped_user_still_in,
    ),
    Attempt(
        "roleAssignmentCreate-self-on-their-project",
        "roleAssignmentCreate",
        _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id }"),
        lambda w, p: {"input": {"role": "admin", "userId": p.user_id, "projectId": w.other(p).project_id}},
        NOT_FOUND,
        "projectId",
        _not_let_in,
    ),
    Attempt(
        "roleAssignmentCreate-their-user-on-own-project",
        "roleAssignmentCreate",
        _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id }"),
        lambda w, p: {"input": {"role": "reader", "userId": _victim(w, p).user_id, "projectId": w.own(p).project_id}},
        {"reader": DENIED, "member": DENIED, "admin": NOT_FOUND, "domain-admin": NOT_FOUND},
        "userId",
    ),
    Attempt(
        "roleAssignmentCreate-their-group-on-own-project",
        "roleAssignmentCreate",
        _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id }"),
        lambda w, p: {"input": {"role": "reader", "groupId": w.other(p).group_id, "projectId": w.own(p).project_id}},
        {"reader": DENIED, "member": DENIED, "admin": NOT_FOUND, "domain-admin": NOT_FOUND},
        "groupId",
    ),
    Attempt(
        "roleAssignmentCreate-their-user-on-own-domain",
        "roleAssignmentCreate",
        _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id }"),
        lambda w, p: {"input": {"role": "reader", "userId": _victim(w, p).user_id, "domainId": w.own(p).domain_id}},
        {"reader": DENIED, "member": DENIED, "admin": DENIED, "domain-admin": NOT_FOUND},
        "userId",
    ),
    Attempt(
        "roleAssignmentCreate-self-on-their-domain",
        "roleAssignmentCreate",
        _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id }"),
        lambda w, p: {"input": {"role": "admin", "userId": p.user_id, "domainId": w.other(p).domain_id}},
        NOT_FOUND,
        "domainId",
        _not_let_in,
    ),
    Attempt(
        "roleAssignmentCreate-self-on-system",
        "roleAssignmentCreate",
        _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id }"),
        lambda w, p: {"input": {"role": "admin", "userId": p.user_id, "system": True}},
        DENIED,
        check=_not_let_in,
    ),
    Attempt(
        "roleAssignmentDelete",
        "roleAssignmentDelete",
        _doc("roleAssignmentDelete", "RoleAssignmentDeleteInput", "deletedId"),
        lambda w, p: {"input": {"id": w.other(p).assignments[_victim(w, p).key]}},
        NOT_FOUND,
        "id",
        _victim_unharmed,
    ),
    Attempt(
        "domainUpdate",
        "domainUpdate",
        _doc("domainUpdate", "DomainUpdateInput", "domain { id enabled }"),
        lambda w, p: {"input": {"id": w.other(p).domain_id, "description": "pwned", "enabled": False}},
        NOT_FOUND,
        "id",
        _victim_unharmed,
    ),
    Attempt(
        "domainDelete",
        "domainDelete",
        _doc("domainDelete", "DomainDeleteInput", "deletedId"),
        lambda w, p: {"input": {"id": w.other(p).domain_id}},
        NOT_FOUND,
        "id",
    ),
    Attempt(
        "projectCreate-in-their-domain",
        "projectCreate",
        _doc("projectCreate", "ProjectCreateInput", "project { id }"),
        lambda w, p: {"input": {"name": "intruder", "domainId": w.other(p).domain_id}},
        NOT_FOUND,
        "domainId",
    ),
    Attempt(
        "userCreate-in-their-domain",
        "userCreate",
        _doc("userCreate", "UserCreateInput", "user { id }"),
        lambda w, p: {"input": {"name": "intruder", "password": PASSWORD, "domainId": w.other(p).domain_id}},
        NOT_FOUND,
        "domainId",
    ),
    Attempt(
        "domainCreate",
        "domainCreate",
        _doc("domainCreate", "DomainCreateInput", "domain { id }"),
        lambda w, p: {"input": {"name": "evil"}},
        DENIED,
    ),
    Attempt(
        "roleCreate",
        "roleCreate",
        _doc("roleCreate", "RoleCreateInput", "role { id }"),
        lambda w, p: {"input": {"name": "superuser", "permissions": ["*"]}},
        DENIED,
    ),
    Attempt(
        "roleUpdate",
        "roleUpdate",
        _doc("roleUpdate", "RoleUpdateInput", "role { id }"),
        lambda w, p: {"input": {"id": w.custom_role_id, "permissions": ["*"]}},
        DENIED,
    ),
    Attempt(
        "roleDelete",
        "roleDelete",
        _doc("roleDelete", "RoleDeleteInput", "deletedId"),
        lambda w, p: {"input": {"id": w.custom_role_id}},
        DENIED,
    ),
    Attempt(
        "tokenRevoke-their-token",
        "tokenRevoke",
        _doc("tokenRevoke", "TokenRevokeInput", "revoked"),
        lambda w, p: {"input": {"token": _victim(w, p).token}},
        NOT_FOUND,
        "token",
        _victim_unharmed,
    ),
]


@pytest.mark.parametrize(
    ("attempt", "persona_key"),
    [pytest.param(a, k, id=f"{k}:{a.name}") for a in ATTEMPTS for k in PERSONAS],
)
async def test_a_foreign_change_is_refused_and_audited(
    gql: GraphQLClient,
    world: World,
    aftermath: AftermathOf,
    built: Built,
    attempt: Attempt,
    persona_key: str,
) -> None:
    persona = world.personas[persona_key]
    expected = attempt.outcome_for(persona)
    body = await as_(gql, persona)(attempt.document, attempt.variables(world, persona))
    assert_refused(body, attempt.root, expected, attempt.field, world.other(persona))
    after = await aftermath(attempt.root, persona)
    assert after.platform == built.snapshot
    assert after.audit == audited_as(expected, persona)
    if attempt.check is not None:
        await attempt.check(gql, world, persona)


# The matrix: persona x query ------------------------------------------------------------------

NODE_KINDS: dict[str, Callable[[Tenant], list[str]]] = {
    "Project": lambda t: [t.project_id],
    "Domain": lambda t: [t.domain_id],
    "User": lambda t: [*t.users.values(), t.grouped_user_id],
    "Group": lambda t: [t.group_id],
    "RoleAssignment": lambda t: list(t.assignments.values()),
    "AuditEvent": lambda t: [t.audit_event_id],
}


@pytest.mark.parametrize(
    ("kind", "persona_key"),
    [pytest.param(kind, k, id=f"{k}:node-{kind}") for kind in NODE_KINDS for k in PERSONAS],
)
async def test_node_of_another_tenant_is_null(
    gql: GraphQLClient, untouched_world: World, kind: str, persona_key: str
) -> None:
    world = untouched_world
    persona = world.personas[persona_key]
    client = as_(gql, persona)
    for object_id in NODE_KINDS[kind](world.other(persona)):
        assert await client.ok(NODE, {"id": object_id}) == {"node": None}, object_id
    # Not vacuous: the same kind of object in the persona's own tenant is there.
    own = (await client.ok(NODE, {"id": NODE_KINDS[kind](world.own(persona))[0]}))["node"]
    assert own is not None
    assert own["__typename"] == kind


def _ids(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["id"] for edge in connection["edges"]}


def _referenced(node: dict[str, Any]) -> set[str]:
    """Every id a list item shows or points at."""
    found = set()
    for value in node.values():
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict) and "id" in value:
            found.add(value["id"])
        elif isinstance(value, list):
            found |= {item["id"] for item in value if isinstance(item, dict)}
    return found


def _list_variables(name: str, other: Tenant) -> dict[str, Any]:
    if name == "domains":
        return {"name": other.domain}
    if name == "auditEvents":
        return {"projectId": other.project_id}
    if name == "roleAssignments":
        return {"domainId": other.domain_id, "projectId": other.project_id}
    return {"domainId": other.domain_id}


def _own_expected(name: str, world: World, persona: Persona) -> set[str]:
    """What of its own tenant the persona must find in the list (so the check is not vacuous)."""
    own = world.own(persona)
    people = {p.user_id for p in world.in_tenant(own) if p.scope == "project"}
    return {
        "projects": {own.project_id},
        "users": people | {persona.user_id},
        "groups": {own.group_id},
        # Members may read a domain but not list domains (their policy has no identity.domain.list).
        "domains": set() if persona.kind == "member" else {own.domain_id},
        "roleAssignments": {own.assignments[k] for k in own.assignments if k != "acme-domain-admin"},
        "auditEvents": {own.audit_event_id},
    }[name]


@pytest.mark.parametrize(
    ("name", "persona_key"),
    [pytest.param(name, k, id=f"{k}:{name}") for name in LISTS for k in PERSONAS],
)
async def test_lists_hold_nothing_of_another_tenant(
    gql: GraphQLClient, untouched_world: World, name: str, persona_key: str
) -> None:
    world = untouched_world
    persona = world.personas[persona_key]
    other = world.other(persona)
    data = await as_(gql, persona).ok(LISTS[name], _list_variables(name, other))
    everything = data["all"]
    shown = set().union(*(_referenced(edge["node"]) for edge in everything["edges"]))
    assert not shown & other.object_ids()
    assert not {e["node"].get("name") for e in everything["edges"]} & other.names()
    assert not {e["node"].get("actorName", "").split("/")[-1] for e in everything["edges"]} & other.names()
    assert everything["totalCount"] == len(everything["edges"])
    for alias in ("filtered", "onDomain"):
        if alias in data:
            assert data[alias] == {"totalCount": 0, "edges": []}, alias
    assert _own_expected(name, world, persona) <= _ids(everything)


# Positive controls: the same people can do what their role allows -----------------------------

PROJECTS = "{ projects(first: 100) { edges { node { id name } } } }"
USERS = "{ users(first: 100) { totalCount edges { node { id name } } } }"
ASSIGN = _doc("roleAssignmentCreate", "RoleAssignmentCreateInput", "roleAssignment { id role { name } user { id } }")
USER_CREATE = _doc("userCreate", "UserCreateInput", "user { id }")
PROJECT_CREATE = _doc("projectCreate", "ProjectCreateInput", "project { id name domain { name } }")
GROUP_CREATE = _doc("groupCreate", "GroupCreateInput", "group { id }")


@pytest.mark.parametrize("persona_key", list(PERSONAS))
async def test_each_persona_sees_its_own_project(gql: GraphQLClient, untouched_world: World, persona_key: str) -> None:
    world = untouched_world
    persona = world.personas[persona_key]
    own = world.own(persona)
    client = as_(gql, persona)
    me = (await client.ok(ME))["me"]
    assert (me["user"]["name"], me["project"]["name"]) == (persona.name, own.project)
    projects = {(e["node"]["id"], e["node"]["name"]) for e in (await client.ok(PROJECTS))["projects"]["edges"]}
    assert (own.project_id, own.project) in projects


@pytest.mark.parametrize("persona_key", ["blue-member", "red-member"])
async def test_a_member_reads_the_users_of_its_project(
    gql: GraphQLClient, untouched_world: World, persona_key: str
) -> None:
    world = untouched_world
    persona = world.personas[persona_key]
    data = await as_(gql, persona).ok(USERS)
    names = {e["node"]["name"] for e in data["users"]["edges"]}
    assert {f"{persona.tenant}-reader", f"{persona.tenant}-member", f"{persona.tenant}-admin"} <= names
    assert data["users"]["totalCount"] == len(names)


@pytest.mark.parametrize("persona_key", ["blue-admin", "red-admin"])
async def test_a_project_admin_gives_reader_to_a_user_of_its_domain(
    gql: GraphQLClient, world: World, admin_view: GraphQLClient, aftermath: AftermathOf, persona_key: str
) -> None:
    persona = world.personas[persona_key]
    own = world.own(persona)
    newcomer = {"name": "newcomer", "password": PASSWORD, "domainId": own.domain_id}
    user = (await admin_view.ok(USER_CREATE, {"input": newcomer}))["userCreate"]["user"]
    data = await as_(gql, persona).ok(
        ASSIGN, {"input": {"role": "reader", "userId": user["id"], "projectId": own.project_id}}
    )
    payload = data["roleAssignmentCreate"]
    assert payload["errors"] == []
    assert payload["roleAssignment"]["role"]["name"] == "reader"
    assert payload["roleAssignment"]["user"]["id"] == user["id"]
    assert (await aftermath("roleAssignmentCreate", persona)).audit == [("SUCCESS", None, persona.name)]
    assert await can_sign_in(gql, "newcomer", PASSWORD, own.domain, own.project)


READER_CREATES: dict[str, tuple[str, str, Callable[[World, Persona], dict[str, Any]]]] = {
    "projectCreate": ("projectCreate", PROJECT_CREATE, lambda w, p: {"name": "mine"}),
    "userCreate": ("userCreate", USER_CREATE, lambda w, p: {"name": "mine", "password": PASSWORD}),
    "groupCreate": ("groupCreate", GROUP_CREATE, lambda w, p: {"name": "mine"}),
    "roleAssignmentCreate": (
        "roleAssignmentCreate",
        ASSIGN,
        lambda w, p: {
            "role": "reader",
            "userId": w.personas[f"{p.tenant}-member"].user_id,
            "projectId": w.own(p).project_id,
        },
    ),
}


@pytest.mark.parametrize("persona_key", ["blue-reader", "red-reader"])
@pytest.mark.parametrize("what", list(READER_CREATES))
async def test_a_reader_creates_nothing_even_at_home(
    gql: GraphQLClient, world: World, aftermath: AftermathOf, built: Built, what: str, persona_key: str
) -> None:
    persona = world.personas[persona_key]
    root, document, make = READER_CREATES[what]
    body = await as_(gql, persona)(document, {"input": make(world, persona)})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    after = await aftermath(root, persona)
    assert after.platform == built.snapshot
    assert after.audit == audited_as(DENIED, persona)


async def test_the_acme_domain_admin_creates_projects_in_acme_only(
    gql: GraphQLClient, world: World, aftermath: AftermathOf
) -> None:
    persona = world.personas["acme-domain-admin"]
    client = as_(gql, persona)
    made = await client.ok(PROJECT_CREATE, {"input": {"name": "green", "domainId": world.red.domain_id}})
    assert made["projectCreate"]["errors"] == []
    assert made["projectCreate"]["project"]["domain"]["name"] == "acme"
    refused = await client.ok(PROJECT_CREATE, {"input": {"name": "green", "domainId": world.blue.domain_id}})
    assert [(e["code"], e["field"]) for e in refused["projectCreate"]["errors"]] == [("NOT_FOUND", "domainId")]
    assert refused["projectCreate"]["project"] is None
    after = await aftermath("projectCreate", persona)
    assert after.audit == [("FAILURE", "NOT_FOUND", persona.name), ("SUCCESS", None, persona.name)]
    assert sorted(e["node"]["name"] for e in after.platform["projects"]["edges"]) == ["admin", "blue", "green", "red"]


# Known holes --------------------------------------------------------------------------------------

USER_CREATE_IN = _doc("userCreate", "UserCreateInput", "user { id }")
USER_UPDATE = _doc("userUpdate", "UserUpdateInput", "user { id email }")
AUDIT_LOG = """
query($projectId: ID) {
  all: auditEvents(first: 100) { totalCount edges { node { operation actorName targetId } } }
  onProject: auditEvents(first: 100, filter: {projectId: $projectId}) { totalCount }
}"""


async def default_domain_admin(gql: GraphQLClient, admin: GraphQLClient, world: World) -> GraphQLClient:
    """An admin of domain `default` (blue's domain), signed in to `blue`."""
    user = {"name": "default-admin", "password": PASSWORD, "domainId": world.blue.domain_id}
    user_id = (await admin.ok(USER_CREATE_IN, {"input": user}))["userCreate"]["user"]["id"]
    await assign(admin, "admin", userId=user_id, domainId=world.blue.domain_id)
    return gql.as_(await gql.login("default-admin", PASSWORD, "blue", "default"))


def _foreign_events(data: dict[str, Any], other: Tenant) -> list[tuple[str, str]]:
    return [
        (e["node"]["operation"], e["node"]["targetId"])
        for e in data["all"]["edges"]
        if e["node"]["targetId"] in other.object_ids()
    ]


async def test_a_domain_admin_of_default_sees_nothing_of_acme_in_the_audit_log(
    gql: GraphQLClient, world: World, admin_view: GraphQLClient
) -> None:
    observer = await default_domain_admin(gql, admin_view, world)
    data = await observer.ok(AUDIT_LOG, {"projectId": world.red.project_id})
    assert data["all"]["totalCount"] > 0  # it does see default's own trail
    assert _foreign_events(data, world.red) == []
    assert data["onProject"]["totalCount"] == 0


async def test_the_system_admin_at_work_in_red_does_not_show_red_what_it_did_to_blue(
    gql: GraphQLClient, world: World
) -> None:
    # A system role reaches every project, so the operator may sign in to a customer's project.
    operator = gql.as_(await gql.login("admin", ADMIN_PASSWORD, "acme/red"))
    blue_reader = world.personas["blue-reader"].user_id
    changed = await operator.ok(USER_UPDATE, {"input": {"id": blue_reader, "email": "reader@blue.example"}})
    assert changed["userUpdate"]["errors"] == []
    red_reader = as_(gql, world.personas["red-reader"])
    data = await red_reader.ok(AUDIT_LOG, {"projectId": world.blue.project_id})
    assert _foreign_events(data, world.blue) == []


SYSTEM_ADMIN_CHANGES: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "userPasswordChange": (
        _doc("userPasswordChange", "UserPasswordChangeInput", "user { id }"),
        lambda admin_id: {"id": admin_id, "newPassword": "Taken-0ver-Passw0rd"},
    ),
    "userUpdate": (USER_UPDATE, lambda admin_id: {"id": admin_id, "enabled": False}),
    "userDelete": (_doc("userDelete", "UserDeleteInput", "deletedId"), lambda admin_id: {"id": admin_id}),
}


@pytest.mark.parametrize("operation", list(SYSTEM_ADMIN_CHANGES))
async def test_a_domain_admin_cannot_take_over_the_system_admin(
    gql: GraphQLClient, world: World, admin_view: GraphQLClient, operation: str
) -> None:
    observer = await default_domain_admin(gql, admin_view, world)
    admin_id = (await admin_view.ok(ME))["me"]["user"]["id"]
    document, make = SYSTEM_ADMIN_CHANGES[operation]
    body = await observer(document, {"input": make(admin_id)})
    refused = body.get("data") is None or body["data"][operation]["errors"] != []
    assert refused, body
    assert await can_sign_in(gql, "admin", ADMIN_PASSWORD, "default", "admin")
