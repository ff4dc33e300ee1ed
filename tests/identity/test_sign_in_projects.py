"""`me { projects }`: where a user may sign in, from their own roles, whatever the token's scope."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

PASSWORD = "Switch-Passw0rd!"
PROJECTS = "{ me { project { name } projects { name domain signInName } } }"


async def _id(admin: GraphQLClient, query: str, **variables: Any) -> str:
    data = await admin.ok(query, variables)
    payload = next(iter(data.values()))
    assert payload["errors"] == [], payload
    obj = next(v for k, v in payload.items() if k != "errors")
    return str(obj["id"])


PROJECT = "mutation($n: String!, $d: ID) { projectCreate(input: {name: $n, domainId: $d}) { project { id } errors { code } } }"
DOMAIN = "mutation($n: String!) { domainCreate(input: {name: $n}) { domain { id } errors { code } } }"
USER = """mutation($n: String!, $p: String!) {
  userCreate(input: {name: $n, password: $p}) { user { id } errors { code } } }"""
GROUP = "mutation($n: String!) { groupCreate(input: {name: $n}) { group { id } errors { code } } }"
MEMBER = (
    "mutation($g: ID!, $u: ID!) { groupMemberAdd(input: {groupId: $g, userId: $u}) { group { id } errors { code } } }"
)
GRANT = """mutation($r: String!, $u: ID, $g: ID, $p: ID, $d: ID) {
  roleAssignmentCreate(input: {role: $r, userId: $u, groupId: $g, projectId: $p, domainId: $d}) {
    roleAssignment { id } errors { code } } }"""
DISABLE = "mutation($id: ID!) { projectUpdate(input: {id: $id, enabled: false}) { project { id } errors { code } } }"


async def _names(gql: GraphQLClient, user: str, project: str) -> list[str]:
    me = (await gql.as_(await gql.login(user, PASSWORD, project)).ok(PROJECTS))["me"]
    assert me["project"]["name"] == project.split("/")[-1]
    assert all(p["signInName"] == f"{p['domain']}/{p['name']}" for p in me["projects"])
    return [p["signInName"] for p in me["projects"]]


async def test_projects_come_from_own_roles_of_every_kind(admin: GraphQLClient, gql: GraphQLClient) -> None:
    blue = await _id(admin, PROJECT, n="blue")
    green = await _id(admin, PROJECT, n="green")
    gone = await _id(admin, PROJECT, n="gone")
    await _id(admin, PROJECT, n="secret")
    acme = await _id(admin, DOMAIN, n="acme")
    await _id(admin, PROJECT, n="red", d=acme)
    await _id(admin, PROJECT, n="rose", d=acme)

    alice = await _id(admin, USER, n="alice", p=PASSWORD)
    bob = await _id(admin, USER, n="bob", p=PASSWORD)
    team = await _id(admin, GROUP, n="team")
    await _id(admin, MEMBER, g=team, u=alice)
    await _id(admin, GRANT, r="member", u=alice, p=blue)
    await _id(admin, GRANT, r="reader", g=team, p=green)  # through a group
    await _id(admin, GRANT, r="reader", u=alice, d=acme)  # every project of a domain
    await _id(admin, GRANT, r="reader", u=alice, p=gone)
    await _id(admin, DISABLE, id=gone)  # a disabled project is no sign-in target
    await _id(admin, GRANT, r="member", u=bob, p=green)

    expected = ["acme/red", "acme/rose", "default/blue", "default/green"]
    assert await _names(gql, "alice", "blue") == expected
    assert await _names(gql, "alice", "acme/red") == expected  # the token's scope does not narrow it
    assert await _names(gql, "bob", "green") == ["default/green"]


async def test_a_system_admin_may_sign_in_anywhere(admin: GraphQLClient) -> None:
    await _id(admin, PROJECT, n="blue")
    names = [p["name"] for p in (await admin.ok(PROJECTS))["me"]["projects"]]
    assert names == ["admin", "blue"]
