"""Oversized or malicious queries are refused before anything is resolved."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient


def _nested(depth: int) -> str:
    # project -> roleAssignments -> project -> roleAssignments ... a depth bomb.
    inner = "id"
    for _ in range(depth):
        inner = f"roleAssignments {{ project {{ {inner} }} }}"
    return f"{{ projects {{ edges {{ node {{ {inner} }} }} }} }}"


async def _refused(client: GraphQLClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.raw(query, variables)
    assert response.status_code == 400, response.text[:300]
    body: dict[str, Any] = response.json()
    assert "data" not in body
    return body


async def test_depth_bomb_is_refused(admin: GraphQLClient, queries: Any) -> None:
    with queries() as counter:
        body = await _refused(admin, _nested(10))
    assert "depth" in body["errors"][0]["message"].lower()
    # Only the token check touched the database: nothing was resolved.
    assert all("identity_project" not in s or "JOIN" in s for s in counter.statements)


async def test_reasonable_depth_is_served(admin: GraphQLClient) -> None:
    data = await admin.ok(_nested(2))
    assert data["projects"]["edges"]


async def test_alias_bomb_is_refused(admin: GraphQLClient) -> None:
    aliases = " ".join(f"a{i}: me {{ roles }}" for i in range(100))
    body = await _refused(admin, f"{{ {aliases} }}")
    assert "alias" in body["errors"][0]["message"].lower()


async def test_token_flood_is_refused(admin: GraphQLClient) -> None:
    fields = " ".join(["__typename"] * 3000)
    body = await _refused(admin, f"{{ {fields} }}")
    assert "token" in body["errors"][0]["message"].lower()


async def test_huge_first_is_refused_before_execution(admin: GraphQLClient, queries: Any) -> None:
    body = await _refused(admin, "{ projects(first: 100000) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    as_variable = await _refused(admin, "query($n: Int) { projects(first: $n) { totalCount } }", {"n": 100000})
    assert "first" in as_variable["errors"][0]["message"]


async def test_cost_budget_is_enforced(admin: GraphQLClient) -> None:
    # 100 projects x 100 audit events worth of nested fields would be 100 x ... ; stack connections.
    fields = " ".join(f"p{i}: projects(first: 100) {{ edges {{ node {{ id name description }} }} }}" for i in range(25))
    body = await _refused(admin, f"{{ {fields} }}")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_introspection_works_for_authenticated_clients(admin: GraphQLClient) -> None:
    data = await admin.ok("{ __schema { queryType { name } } }")
    assert data["__schema"]["queryType"]["name"] == "Query"
