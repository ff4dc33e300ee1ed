"""Bad tokens are refused: expired, forged, unsigned, revoked, or of a disabled user or project."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from domain.identity.tokens import TokenCodec
from nimbus.settings import Settings
from tests.conftest import GraphQLClient

ME = "{ me { user { name } project { name } } }"
PASSWORD = "Tenant-Passw0rd!"

SETUP_USER = """
mutation($name: String!, $pw: String!) {
  userCreate(input: {name: $name, password: $pw}) { user { id } errors { code } }
}"""
ASSIGN = """
mutation($user: ID!, $project: ID!) {
  roleAssignmentCreate(input: {role: "member", userId: $user, projectId: $project}) { errors { code } }
}"""
PROJECT = 'mutation { projectCreate(input: {name: "blue"}) { project { id } errors { code } } }'


async def _member(admin: GraphQLClient, name: str = "alice") -> dict[str, str]:
    project = (await admin.ok(PROJECT))["projectCreate"]["project"]["id"]
    user = (await admin.ok(SETUP_USER, {"name": name, "pw": PASSWORD}))["userCreate"]["user"]["id"]
    assert (await admin.ok(ASSIGN, {"user": user, "project": project}))["roleAssignmentCreate"]["errors"] == []
    return {"project": project, "user": user}


async def _status(gql: GraphQLClient, token: str) -> tuple[int, dict[str, Any]]:
    response = await gql.as_(token).raw(ME)
    return response.status_code, response.json()


async def test_a_member_token_works(admin: GraphQLClient, gql: GraphQLClient) -> None:
    await _member(admin)
    token = await gql.login("alice", PASSWORD, "blue")
    status, body = await _status(gql, token)
    assert status == 200
    assert body["data"]["me"] == {"user": {"name": "alice"}, "project": {"name": "blue"}}


async def test_expired_token_is_refused(admin: GraphQLClient, gql: GraphQLClient, settings: Settings) -> None:
    ids = await _member(admin)
    codec = TokenCodec(settings.effective_secret_key, 60)
    user_id = uuid.UUID(base64.urlsafe_b64decode(ids["user"] + "==").decode().split(":")[1])
    project_id = uuid.UUID(base64.urlsafe_b64decode(ids["project"] + "==").decode().split(":")[1])
    token, _ = codec.issue(user_id, project_id, now=datetime.now(UTC) - timedelta(hours=1))
    status, body = await _status(gql, token)
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in body["errors"][0]["message"]


async def test_token_signed_with_another_key_is_refused(gql: GraphQLClient, admin: GraphQLClient) -> None:
    me = await admin.ok("{ me { user { id } project { id } } }")
    forged_codec = TokenCodec("not-the-platform-secret-" * 2, 3600)
    uid = uuid.UUID(base64.urlsafe_b64decode(me["me"]["user"]["id"] + "==").decode().split(":")[1])
    pid = uuid.UUID(base64.urlsafe_b64decode(me["me"]["project"]["id"] + "==").decode().split(":")[1])
    forged, _ = forged_codec.issue(uid, pid)
    status, body = await _status(gql, forged)
    assert status == 401
    assert "signature" in body["errors"][0]["message"]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def test_alg_none_token_is_refused(gql: GraphQLClient, admin: GraphQLClient) -> None:
    real = admin.token
    assert real is not None
    claims = json.loads(base64.urlsafe_b64decode(real.split(".")[1] + "=="))
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    status, body = await _status(gql, unsigned)
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Bearer", "Basic YWRtaW46YWRtaW4=", "Bearer not.a.jwt", "Bearer " + "x" * 5000])
async def test_malformed_authorization_is_401(client: httpx.AsyncClient, header: str) -> None:
    response = await client.post("/graphql", json={"query": ME}, headers={"authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_token_is_refused_at_once(admin: GraphQLClient, gql: GraphQLClient) -> None:
    await _member(admin)
    token = await gql.login("alice", PASSWORD, "blue")
    other = await gql.login("alice", PASSWORD, "blue")
    revoked = await gql.as_(token).ok("mutation { tokenRevoke(input: {}) { revoked errors { code } } }")
    assert revoked["tokenRevoke"] == {"revoked": True, "errors": []}
    assert (await _status(gql, token))[0] == 401
    assert (await _status(gql, other))[0] == 200  # only that token


async def test_token_of_a_disabled_project_is_refused(admin: GraphQLClient, gql: GraphQLClient) -> None:
    ids = await _member(admin)
    token = await gql.login("alice", PASSWORD, "blue")
    disable = "mutation($id: ID!) { projectUpdate(input: {id: $id, enabled: false}) { errors { code } } }"
    assert (await admin.ok(disable, {"id": ids["project"]}))["projectUpdate"]["errors"] == []
    status, body = await _status(gql, token)
    assert status == 401
    assert "disabled" in body["errors"][0]["message"]
    login = await gql.ok(
        f'mutation {{ tokenCreate(input: {{username: "alice", password: "{PASSWORD}", project: "blue"}}) '
        "{ token errors { code } } }"
    )
    assert login["tokenCreate"]["token"] is None
    assert login["tokenCreate"]["errors"][0]["code"] == "DISABLED"


async def test_disabling_a_user_voids_its_tokens(admin: GraphQLClient, gql: GraphQLClient) -> None:
    ids = await _member(admin)
    token = await gql.login("alice", PASSWORD, "blue")
    disable = "mutation($id: ID!) { userUpdate(input: {id: $id, enabled: false}) { user { enabled } errors { code } } }"
    assert (await admin.ok(disable, {"id": ids["user"]}))["userUpdate"]["user"]["enabled"] is False
    assert (await _status(gql, token))[0] == 401


async def test_password_change_voids_older_tokens(admin: GraphQLClient, gql: GraphQLClient) -> None:
    await _member(admin)
    old = await gql.login("alice", PASSWORD, "blue")
    change = """mutation($cur: String!, $new: String!) {
      userPasswordChange(input: {currentPassword: $cur, newPassword: $new}) { user { name } errors { code field } }
    }"""
    result = await gql.as_(old).ok(change, {"cur": PASSWORD, "new": "Brand-New-Passw0rd"})
    assert result["userPasswordChange"]["errors"] == []
    assert (await _status(gql, old))[0] == 401
    fresh = await gql.login("alice", "Brand-New-Passw0rd", "blue")
    assert (await _status(gql, fresh))[0] == 200


async def test_wrong_current_password_is_a_payload_error(admin: GraphQLClient) -> None:
    change = """mutation { userPasswordChange(input: {currentPassword: "wrong", newPassword: "Brand-New-Passw0rd"})
      { errors { code field } } }"""
    errors = (await admin.ok(change))["userPasswordChange"]["errors"]
    assert errors == [{"code": "INVALID_CREDENTIALS", "field": "currentPassword"}]


async def test_failed_logins_are_throttled_per_user(admin: GraphQLClient, gql: GraphQLClient) -> None:
    await _member(admin)
    attempt = (
        'mutation($p: String!) { tokenCreate(input: {username: "alice", password: $p, project: "blue"}) '
        "{ token errors { code } } }"
    )
    for _ in range(5):
        failed = await gql.ok(attempt, {"p": "guess-guess-guess"})
        assert failed["tokenCreate"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    blocked = await gql.ok(attempt, {"p": PASSWORD})
    assert blocked["tokenCreate"]["token"] is None
    assert blocked["tokenCreate"]["errors"][0]["code"] == "LOGIN_THROTTLED"
    audit = await admin.ok('{ auditEvents(filter: {operation: "tokenCreate", outcome: FAILURE}) { totalCount } }')
    assert audit["auditEvents"]["totalCount"] == 6


async def test_unknown_user_and_wrong_password_look_the_same(gql: GraphQLClient) -> None:
    attempt = (
        'mutation($u: String!) { tokenCreate(input: {username: $u, password: "x-x-x-x-x-x", project: "admin"}) '
        "{ errors { code message field } } }"
    )
    unknown = await gql.ok(attempt, {"u": "nobody"})
    wrong = await gql.ok(attempt, {"u": "admin"})
    assert unknown == wrong


async def test_tokens_of_deleted_users_stop_working(admin: GraphQLClient, gql: GraphQLClient) -> None:
    ids = await _member(admin)
    token = await gql.login("alice", PASSWORD, "blue")
    deleted = await admin.ok(
        "mutation($id: ID!) { userDelete(input: {id: $id}) { deletedId errors { code } } }", {"id": ids["user"]}
    )
    assert deleted["userDelete"]["deletedId"] == ids["user"]
    assert (await _status(gql, token))[0] == 401
