"""Bad input is refused as a payload error naming the field and the code, writes nothing, and is audited.

Every case runs as the system admin, so what refuses it is validation and nothing else. Input of
the wrong GraphQL type never reaches a resolver: it is a top-level error with a code. Each test
starts from the bootstrapped platform plus a group and a user (see `Ids`), built once and put
back before each test.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from nimbus.settings import Settings
from tests.conftest import ADMIN_PASSWORD, TOKEN_CREATE, GraphQLClient
from tests.identity.personas import Rows, module_api, restore_rows, snapshot_rows

PASSWORD = "Tenant-Passw0rd!"


def _mutation(root: str, selection: str) -> str:
    input_type = root[0].upper() + root[1:] + "Input"
    return (
        f"mutation($input: {input_type}!) {{ {root}(input: $input) {{ {selection} errors {{ field message code }} }} }}"
    )


DOMAIN_CREATE = _mutation("domainCreate", "domain { id }")
DOMAIN_UPDATE = _mutation("domainUpdate", "domain { id }")
DOMAIN_DELETE = _mutation("domainDelete", "deletedId")
PROJECT_CREATE = _mutation("projectCreate", "project { id }")
PROJECT_UPDATE = _mutation("projectUpdate", "project { id }")
PROJECT_DELETE = _mutation("projectDelete", "deletedId")
USER_CREATE = _mutation("userCreate", "user { id }")
USER_UPDATE = _mutation("userUpdate", "user { id }")
USER_DELETE = _mutation("userDelete", "deletedId")
USER_PASSWORD_CHANGE = _mutation("userPasswordChange", "user { id }")
GROUP_CREATE = _mutation("groupCreate", "group { id }")
GROUP_DELETE = _mutation("groupDelete", "deletedId")
GROUP_MEMBER_ADD = _mutation("groupMemberAdd", "group { id }")
ROLE_CREATE = _mutation("roleCreate", "role { id }")
ROLE_UPDATE = _mutation("roleUpdate", "role { id }")
ROLE_DELETE = _mutation("roleDelete", "deletedId")
ROLE_ASSIGNMENT_CREATE = _mutation("roleAssignmentCreate", "roleAssignment { id }")
ROLE_ASSIGNMENT_DELETE = _mutation("roleAssignmentDelete", "deletedId")
DOCUMENTS = {
    "domainCreate": DOMAIN_CREATE,
    "domainUpdate": DOMAIN_UPDATE,
    "domainDelete": DOMAIN_DELETE,
    "projectCreate": PROJECT_CREATE,
    "projectUpdate": PROJECT_UPDATE,
    "projectDelete": PROJECT_DELETE,
    "userCreate": USER_CREATE,
    "userUpdate": USER_UPDATE,
    "userDelete": USER_DELETE,
    "userPasswordChange": USER_PASSWORD_CHANGE,
    "groupCreate": GROUP_CREATE,
    "groupDelete": GROUP_DELETE,
    "groupMemberAdd": GROUP_MEMBER_ADD,
    "roleCreate": ROLE_CREATE,
    "roleUpdate": ROLE_UPDATE,
    "roleDelete": ROLE_DELETE,
    "roleAssignmentCreate": ROLE_ASSIGNMENT_CREATE,
    "roleAssignmentDelete": ROLE_ASSIGNMENT_DELETE,
}

# Everything a mutation could have written, and the FAILURE records of one operation.
STATE = """
query($operation: String!) {
  domains(first: 100) { edges { node { id name description enabled } } }
  projects(first: 100) { edges { node { id name description enabled } } }
  users(first: 100) { edges { node { id name email enabled } } }
  groups(first: 100) { edges { node { id name description } } }
  roles(first: 100) { edges { node { id name description permissions } } }
  roleAssignments(first: 100) { edges { node { id } } }
  auditEvents(first: 100, filter: {operation: $operation, outcome: FAILURE}) { edges { node { errorCode } } }
}"""

SETUP = """
{
  me { user { id } project { id domain { id } } }
  roles(filter: {name: "reader"}) { edges { node { id } } }
}"""


@dataclass(frozen=True)
class Ids:
    """Real objects of a fresh platform, for inputs that need one valid id beside a bad one."""

    admin: str
    project: str
    domain: str
    group: str
    user: str  # `bob`, a user without roles
    role: str  # the built-in `reader`


async def _make_ids(admin: GraphQLClient) -> Ids:
    data = await admin.ok(SETUP)
    group = await admin.ok(GROUP_CREATE, {"input": {"name": "team"}})
    user = await admin.ok(USER_CREATE, {"input": {"name": "bob", "password": PASSWORD}})
    return Ids(
        admin=data["me"]["user"]["id"],
        project=data["me"]["project"]["id"],
        domain=data["me"]["project"]["domain"]["id"],
        group=group["groupCreate"]["group"]["id"],
        user=user["userCreate"]["user"]["id"],
        role=data["roles"]["edges"][0]["node"]["id"],
    )


@dataclass(frozen=True)
class Baseline:
    ids: Ids
    admin_token: str
    rows: Rows


@pytest.fixture(scope="module")
async def baseline(app: Starlette, engine: AsyncEngine, settings: Settings) -> Baseline:
    async with module_api(app, engine, settings) as gql:
        token = await gql.login("admin", ADMIN_PASSWORD, "admin")
        ids = await _make_ids(gql.as_(token))
    return Baseline(ids, token, await snapshot_rows(engine))


@pytest.fixture(autouse=True)
async def clean_state(baseline: Baseline, engine: AsyncEngine, settings: Settings) -> None:
    """Replaces the conftest's reset for this module: the baseline's rows, put back."""
    await restore_rows(engine, settings, baseline.rows)


@pytest.fixture
def admin(gql: GraphQLClient, baseline: Baseline) -> GraphQLClient:
    """The system admin, signed in to project `admin`."""
    return gql.as_(baseline.admin_token)


@pytest.fixture
def ids(baseline: Baseline) -> Ids:
    return baseline.ids


def global_id(type_name: str) -> str:
    """A well-formed global id of an object that does not exist."""
    raw = f"{type_name}:{uuid.uuid4()}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


State = tuple[dict[str, Any], list[str | None]]


async def state(admin: GraphQLClient, operation: str) -> State:
    """What the platform holds, and the error codes of `operation`'s FAILURE records, newest first."""
    data = await admin.ok(STATE, {"operation": operation})
    failures = data.pop("auditEvents")["edges"]
    return data, [e["node"]["errorCode"] for e in failures]


async def assert_refused(
    admin: GraphQLClient,
    root: str,
    input: dict[str, Any],
    field: str | None,
    code: str,
    before: State | None = None,
) -> tuple[dict[str, Any], State]:
    """One payload error on `field` with `code`; nothing written; one more FAILURE record with that code.

    Returns the payload and the state afterwards, which a next refusal of the same operation may
    pass as `before` (a refusal writes nothing but its audit record).
    """
    platform, failed = before or await state(admin, root)
    body = await admin(DOCUMENTS[root], {"input": input})
    assert "errors" not in body, body
    payload = body["data"][root]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], payload
    assert payload["errors"][0]["message"].strip()
    assert all(value is None for key, value in payload.items() if key != "errors"), payload
    after = await state(admin, root)
    assert after == (platform, [code, *failed])
    return payload, after


# Names ----------------------------------------------------------------------------------------

NAMED_CREATES: dict[str, Callable[[str], dict[str, Any]]] = {
    "projectCreate": lambda name: {"name": name},
    "userCreate": lambda name: {"name": name, "password": PASSWORD},
    "groupCreate": lambda name: {"name": name},
    "domainCreate": lambda name: {"name": name},
    "roleCreate": lambda name: {"name": name, "permissions": ["audit.*"]},
}
BAD_NAMES = {
    "empty": ("", "REQUIRED"),
    "whitespace": ("  \t ", "REQUIRED"),
    "65-chars": ("n" * 65, "TOO_LONG"),
    "illegal-chars": ("bad name!", "INVALID"),
}


@pytest.mark.parametrize("bad", list(BAD_NAMES))
@pytest.mark.parametrize("root", list(NAMED_CREATES))
async def test_a_bad_name_is_refused(admin: GraphQLClient, root: str, bad: str) -> None:
    name, code = BAD_NAMES[bad]
    await assert_refused(admin, root, NAMED_CREATES[root](name), "name", code)


@pytest.mark.parametrize("bad", list(BAD_NAMES))
async def test_a_project_cannot_be_renamed_to_a_bad_name(admin: GraphQLClient, ids: Ids, bad: str) -> None:
    name, code = BAD_NAMES[bad]
    await assert_refused(admin, "projectUpdate", {"id": ids.project, "name": name}, "name", code)


@pytest.mark.parametrize("name", ["-starts-with-dash", "émile", "a/b", "semi;colon", "new\nline", "a" * 63 + "é"])
async def test_names_use_a_small_alphabet(admin: GraphQLClient, name: str) -> None:
    await assert_refused(admin, "projectCreate", {"name": name}, "name", "INVALID")


async def test_the_longest_name_is_fine(admin: GraphQLClient) -> None:
    data = await admin.ok(PROJECT_CREATE, {"input": {"name": "n" * 64}})
    assert data["projectCreate"]["errors"] == []


# Duplicates -----------------------------------------------------------------------------------

DUPLICATES: dict[str, Callable[[Ids], tuple[str, dict[str, Any]]]] = {
    "project": lambda i: ("projectCreate", {"name": "admin"}),
    "project-padded": lambda i: ("projectCreate", {"name": "  admin "}),
    "project-rename": lambda i: ("projectUpdate", {"id": i.project, "name": "other"}),
    "user": lambda i: ("userCreate", {"name": "bob", "password": PASSWORD}),
    "group": lambda i: ("groupCreate", {"name": "team"}),
    "domain": lambda i: ("domainCreate", {"name": "default"}),
    "role": lambda i: ("roleCreate", {"name": "reader", "permissions": ["*.list"]}),
    "role-assignment": lambda i: ("roleAssignmentCreate", {"role": "admin", "userId": i.admin, "system": True}),
}


@pytest.mark.parametrize("what", list(DUPLICATES))
async def test_a_duplicate_is_refused(admin: GraphQLClient, ids: Ids, what: str) -> None:
    await admin.ok(PROJECT_CREATE, {"input": {"name": "other"}})
    root, input = DUPLICATES[what](ids)
    field = "role" if root == "roleAssignmentCreate" else "name"
    await assert_refused(admin, root, input, field, "DUPLICATE")


# Passwords ------------------------------------------------------------------------------------

WEAK_PASSWORDS = {
    "empty": ("", "REQUIRED"),
    "short": ("Sh0rt-pw!", "WEAK_PASSWORD"),
    "contains-the-name": ("xx-BOB-Passw0rd", "WEAK_PASSWORD"),
    "too-few-characters": ("abababababab", "WEAK_PASSWORD"),
    "blank": (" " * 12, "WEAK_PASSWORD"),
    "257-chars": ("Pw-1" + "x" * 253, "TOO_LONG"),
}


async def can_sign_in(gql: GraphQLClient, name: str, password: str, project: str = "admin") -> bool:
    data = await gql.ok(TOKEN_CREATE, {"u": name, "p": password, "pr": project, "d": "default"})
    return data["tokenCreate"]["token"] is not None


@pytest.mark.parametrize("bad", list(WEAK_PASSWORDS))
async def test_a_new_user_needs_a_good_password(admin: GraphQLClient, bad: str) -> None:
    password, code = WEAK_PASSWORDS[bad]
    await assert_refused(admin, "userCreate", {"name": "bob", "password": password}, "password", code)


@pytest.mark.parametrize("bad", list(WEAK_PASSWORDS))
async def test_an_admin_cannot_reset_a_password_to_a_weak_one(
    gql: GraphQLClient, admin: GraphQLClient, ids: Ids, bad: str
) -> None:
    password, code = WEAK_PASSWORDS[bad]
    await admin.ok(ROLE_ASSIGNMENT_CREATE, {"input": {"role": "reader", "userId": ids.user, "projectId": ids.project}})
    await assert_refused(admin, "userPasswordChange", {"id": ids.user, "newPassword": password}, "newPassword", code)
    assert await can_sign_in(gql, "bob", PASSWORD)


async def test_ones_own_new_password_must_not_contain_ones_name(gql: GraphQLClient, admin: GraphQLClient) -> None:
    input = {"currentPassword": ADMIN_PASSWORD, "newPassword": "My-ADMIN-Passw0rd"}
    await assert_refused(admin, "userPasswordChange", input, "newPassword", "WEAK_PASSWORD")
    assert await can_sign_in(gql, "admin", ADMIN_PASSWORD)


async def test_ones_own_password_changes_only_with_the_current_one(gql: GraphQLClient, admin: GraphQLClient) -> None:
    input = {"currentPassword": "not-my-Passw0rd", "newPassword": "Brand-New-Passw0rd"}
    await assert_refused(admin, "userPasswordChange", input, "currentPassword", "INVALID_CREDENTIALS")
    assert await can_sign_in(gql, "admin", ADMIN_PASSWORD)
    assert not await can_sign_in(gql, "admin", "Brand-New-Passw0rd")


# E-mail addresses and descriptions ------------------------------------------------------------

BAD_EMAILS = ["not-an-email", "two@@example.org", "no-dot@example", "spa ce@example.org", "a@b." + "c" * 260]


@pytest.mark.parametrize("email", BAD_EMAILS, ids=["plain", "two-ats", "no-dot", "space", "too-long"])
async def test_a_bad_email_is_refused(admin: GraphQLClient, ids: Ids, email: str) -> None:
    await assert_refused(
        admin, "userCreate", {"name": "carol", "password": PASSWORD, "email": email}, "email", "INVALID"
    )
    await assert_refused(admin, "userUpdate", {"id": ids.user, "email": email}, "email", "INVALID")


LONG_DESCRIPTIONS: dict[str, Callable[[Ids, str], tuple[str, dict[str, Any]]]] = {
    "projectCreate": lambda i, d: ("projectCreate", {"name": "p", "description": d}),
    "projectUpdate": lambda i, d: ("projectUpdate", {"id": i.project, "description": d}),
    "groupCreate": lambda i, d: ("groupCreate", {"name": "g", "description": d}),
    "domainCreate": lambda i, d: ("domainCreate", {"name": "d", "description": d}),
    "domainUpdate": lambda i, d: ("domainUpdate", {"id": i.domain, "description": d}),
    "roleCreate": lambda i, d: ("roleCreate", {"name": "r", "description": d, "permissions": ["audit.*"]}),
}


@pytest.mark.parametrize("what", list(LONG_DESCRIPTIONS))
async def test_a_description_over_1024_characters_is_refused(admin: GraphQLClient, ids: Ids, what: str) -> None:
    root, input = LONG_DESCRIPTIONS[what](ids, "d" * 1025)
    await assert_refused(admin, root, input, "description", "TOO_LONG")


# Ids ------------------------------------------------------------------------------------------

# Where an id goes: the mutation, its input around the id, the field, and the type it must be.
IdSlot = tuple[str, Callable[[Ids, str], dict[str, Any]], str, str]
ID_SLOTS: dict[str, IdSlot] = {
    "projectUpdate.id": ("projectUpdate", lambda i, x: {"id": x, "description": "x"}, "id", "Project"),
    "projectDelete.id": ("projectDelete", lambda i, x: {"id": x}, "id", "Project"),
    "projectCreate.domainId": ("projectCreate", lambda i, x: {"name": "p", "domainId": x}, "domainId", "Domain"),
    "userCreate.domainId": (
        "userCreate",
        lambda i, x: {"name": "carol", "password": PASSWORD, "domainId": x},
        "domainId",
        "Domain",
    ),
    "userUpdate.id": ("userUpdate", lambda i, x: {"id": x, "email": "x@example.org"}, "id", "User"),
    "userDelete.id": ("userDelete", lambda i, x: {"id": x}, "id", "User"),
    "userPasswordChange.id": (
        "userPasswordChange",
        lambda i, x: {"id": x, "newPassword": "Fresh-Passw0rd"},
        "id",
        "User",
    ),
    "groupCreate.domainId": ("groupCreate", lambda i, x: {"name": "g", "domainId": x}, "domainId", "Domain"),
    "groupDelete.id": ("groupDelete", lambda i, x: {"id": x}, "id", "Group"),
    "groupMemberAdd.groupId": ("groupMemberAdd", lambda i, x: {"groupId": x, "userId": i.user}, "groupId", "Group"),
    "groupMemberAdd.userId": ("groupMemberAdd", lambda i, x: {"groupId": i.group, "userId": x}, "userId", "User"),
    "domainUpdate.id": ("domainUpdate", lambda i, x: {"id": x, "description": "x"}, "id", "Domain"),
    "domainDelete.id": ("domainDelete", lambda i, x: {"id": x}, "id", "Domain"),
    "roleUpdate.id": ("roleUpdate", lambda i, x: {"id": x, "description": "x"}, "id", "Role"),
    "roleDelete.id": ("roleDelete", lambda i, x: {"id": x}, "id", "Role"),
    "roleAssignmentCreate.userId": (
        "roleAssignmentCreate",
        lambda i, x: {"role": "reader", "userId": x, "projectId": i.project},
        "userId",
        "User",
    ),
    "roleAssignmentCreate.groupId": (
        "roleAssignmentCreate",
        lambda i, x: {"role": "reader", "groupId": x, "projectId": i.project},
        "groupId",
        "Group",
    ),
    "roleAssignmentCreate.projectId": (
        "roleAssignmentCreate",
        lambda i, x: {"role": "reader", "userId": i.user, "projectId": x},
        "projectId",
        "Project",
    ),
    "roleAssignmentCreate.domainId": (
        "roleAssignmentCreate",
        lambda i, x: {"role": "reader", "userId": i.user, "domainId": x},
        "domainId",
        "Domain",
    ),
    "roleAssignmentDelete.id": ("roleAssignmentDelete", lambda i, x: {"id": x}, "id", "RoleAssignment"),
}


def malformed_ids(ids: Ids, expected_type: str) -> dict[str, str]:
    """Ids that are not ids of `expected_type`: garbage, base64 of garbage, a real id of another type."""
    return {
        "nope": "nope",
        "base64-garbage": base64.b64encode(b"garbage:\xff\x00").decode(),
        "another-type": ids.project if expected_type != "Project" else ids.user,
    }


@pytest.mark.parametrize("slot", list(ID_SLOTS))
async def test_a_malformed_id_is_invalid_and_an_unknown_one_not_found(
    admin: GraphQLClient, ids: Ids, slot: str
) -> None:
    root, make, field, expected_type = ID_SLOTS[slot]
    after = None
    for bad in malformed_ids(ids, expected_type).values():
        payload, after = await assert_refused(admin, root, make(ids, bad), field, "INVALID_ID", after)
        assert repr(bad) in payload["errors"][0]["message"]
    await assert_refused(admin, root, make(ids, global_id(expected_type)), field, "NOT_FOUND", after)


ODD_IDS = {
    "empty": "",
    "oversized": global_id("Project") * 10,
    "not-a-uuid": base64.urlsafe_b64encode(b"Project:42").decode(),
    "no-type": base64.urlsafe_b64encode(str(uuid.uuid4()).encode()).decode(),
    "unknown-type": global_id("Planet"),
    "trailing-bytes": base64.b64encode(f"Project:{uuid.uuid4()}".encode() + b"\xfb\xff").decode(),
}


@pytest.mark.parametrize("odd", list(ODD_IDS))
async def test_other_odd_ids_are_invalid(admin: GraphQLClient, odd: str) -> None:
    await assert_refused(admin, "projectUpdate", {"id": ODD_IDS[odd], "description": "x"}, "id", "INVALID_ID")


# Roles and role assignments -------------------------------------------------------------------

BAD_POLICIES = {
    "no-permissions": ([], "REQUIRED"),
    "blank": ([""], "UNKNOWN_PERMISSION"),
    "spaces": (["identity.project list"], "UNKNOWN_PERMISSION"),
    "four-parts": (["compute.server.create.now"], "UNKNOWN_PERMISSION"),
    "empty-part": (["identity..list"], "UNKNOWN_PERMISSION"),
    "one-bad-among-good": (["audit.*", "identity.project.list", "nope!"], "UNKNOWN_PERMISSION"),
    "oversized": (["compute." + "x" * 130], "UNKNOWN_PERMISSION"),
}


@pytest.mark.parametrize("bad", list(BAD_POLICIES))
async def test_a_role_needs_known_permissions(admin: GraphQLClient, bad: str) -> None:
    permissions, code = BAD_POLICIES[bad]
    await assert_refused(admin, "roleCreate", {"name": "auditor", "permissions": permissions}, "permissions", code)


@pytest.mark.parametrize("permission", ["identity.projet.create", "identity.project.destroy", "audit.evnt.list"])
async def test_a_misspelt_permission_of_a_known_context_is_unknown(admin: GraphQLClient, permission: str) -> None:
    input = {"name": "auditor", "permissions": [permission]}
    await assert_refused(admin, "roleCreate", input, "permissions", "UNKNOWN_PERMISSION")


async def test_a_custom_roles_policy_cannot_be_replaced_by_a_bad_one(admin: GraphQLClient) -> None:
    made = await admin.ok(ROLE_CREATE, {"input": {"name": "auditor", "permissions": ["audit.*"]}})
    role = made["roleCreate"]["role"]["id"]
    _, after = await assert_refused(admin, "roleUpdate", {"id": role, "permissions": []}, "permissions", "REQUIRED")
    await assert_refused(
        admin, "roleUpdate", {"id": role, "permissions": ["x y"]}, "permissions", "UNKNOWN_PERMISSION", after
    )


async def test_a_built_in_roles_policy_stays(admin: GraphQLClient, ids: Ids) -> None:
    await assert_refused(admin, "roleUpdate", {"id": ids.role, "permissions": ["*"]}, "permissions", "NOT_ALLOWED")


ASSIGNMENT_SHAPES: dict[str, tuple[Callable[[Ids], dict[str, Any]], str, str]] = {
    "no-holder": (lambda i: {"role": "reader", "projectId": i.project}, "userId", "REQUIRED"),
    "user-and-group": (
        lambda i: {"role": "reader", "userId": i.user, "groupId": i.group, "projectId": i.project},
        "userId",
        "REQUIRED",
    ),
    "no-target": (lambda i: {"role": "reader", "userId": i.user}, "projectId", "REQUIRED"),
    "system-false-only": (lambda i: {"role": "reader", "userId": i.user, "system": False}, "projectId", "REQUIRED"),
    "project-and-domain": (
        lambda i: {"role": "reader", "userId": i.user, "projectId": i.project, "domainId": i.domain},
        "projectId",
        "REQUIRED",
    ),
    "project-and-system": (
        lambda i: {"role": "reader", "userId": i.user, "projectId": i.project, "system": True},
        "projectId",
        "REQUIRED",
    ),
    "unknown-role": (lambda i: {"role": "overlord", "userId": i.user, "projectId": i.project}, "role", "NOT_FOUND"),
    "empty-role": (lambda i: {"role": "", "userId": i.user, "projectId": i.project}, "role", "NOT_FOUND"),
}


@pytest.mark.parametrize("shape", list(ASSIGNMENT_SHAPES))
async def test_a_role_assignment_names_one_holder_one_target_and_a_real_role(
    admin: GraphQLClient, ids: Ids, shape: str
) -> None:
    make, field, code = ASSIGNMENT_SHAPES[shape]
    await assert_refused(admin, "roleAssignmentCreate", make(ids), field, code)


# Input of the wrong type ----------------------------------------------------------------------

WRONG_TYPES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "number-for-name": (PROJECT_CREATE, {"input": {"name": 5}}),
    "list-for-name": (PROJECT_CREATE, {"input": {"name": ["blue"]}}),
    "object-for-name": (PROJECT_CREATE, {"input": {"name": {"value": "blue"}}}),
    "null-name": (PROJECT_CREATE, {"input": {"name": None}}),
    "missing-name": (PROJECT_CREATE, {"input": {}}),
    "unknown-field": (PROJECT_CREATE, {"input": {"name": "blue", "owner": "me"}}),
    "string-for-input": (PROJECT_CREATE, {"input": "blue"}),
    "no-variables": (PROJECT_CREATE, None),
    "literal-number-for-name": ("mutation { projectCreate(input: {name: 5}) { project { id } } }", None),
    "string-for-boolean": (PROJECT_UPDATE, {"input": {"id": "x", "enabled": "yes"}}),
    "object-for-id": (PROJECT_DELETE, {"input": {"id": {"id": "x"}}}),
    "list-for-a-permission": (ROLE_CREATE, {"input": {"name": "r", "permissions": [["audit.*"]]}}),
    "null-permission": (ROLE_CREATE, {"input": {"name": "r", "permissions": [None]}}),
    "number-for-password": (USER_CREATE, {"input": {"name": "carol", "password": 1234567890123}}),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES))
async def test_input_of_the_wrong_type_is_a_coded_top_level_error(admin: GraphQLClient, case: str) -> None:
    document, variables = WRONG_TYPES[case]
    root = next(name for name in DOCUMENTS if f" {name}(" in document)
    before, failed = await state(admin, root)
    response = await admin.raw(document, variables)
    body = response.json()
    assert response.status_code in (200, 400)
    assert body.get("data") is None
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}, body
    assert not any("Traceback" in e["message"] or 'File "' in e["message"] for e in body["errors"])
    # It never reached the resolver: nothing written, nothing to audit.
    assert await state(admin, root) == (before, failed)


# NUL characters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("root", "input", "field"),
    [
        pytest.param("projectCreate", {"name": "p", "description": "a\x00b"}, "description", id="description"),
        pytest.param(
            "userCreate", {"name": "carol", "password": PASSWORD, "email": "c\x00@x.org"}, "email", id="email"
        ),
    ],
)
async def test_a_nul_character_is_invalid_input(
    admin: GraphQLClient, root: str, input: dict[str, Any], field: str
) -> None:
    await assert_refused(admin, root, input, field, "INVALID")


async def test_a_nul_character_in_a_user_name_is_a_failed_sign_in(gql: GraphQLClient, admin: GraphQLClient) -> None:
    data = await gql.ok(TOKEN_CREATE, {"u": "adm\x00in", "p": ADMIN_PASSWORD, "pr": "admin", "d": "default"})
    assert [e["code"] for e in data["tokenCreate"]["errors"]] == ["INVALID_CREDENTIALS"]
    _, failed = await state(admin, "tokenCreate")
    assert failed == ["INVALID_CREDENTIALS"]
