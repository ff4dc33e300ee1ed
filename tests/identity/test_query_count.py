"""A list's SQL statement count does not grow with its length or nesting."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

LIST = """
query($first: Int) {
  projects(first: $first) {
    totalCount
    edges { node { id name domain { id name }
      roleAssignments { id role { name permissions } user { name domain { name } } project { name } } } }
  }
}"""
CREATE = "mutation($n: String!) { projectCreate(input: {name: $n}) { project { id } errors { code } } }"
ASSIGN = """mutation($p: ID!, $u: ID!) {
  roleAssignmentCreate(input: {role: "reader", userId: $u, projectId: $p}) { errors { code } } }"""


async def _statements(admin: GraphQLClient, queries: Any, first: int) -> int:
    with queries() as counter:
        data = await admin.ok(LIST, {"first": first})
    assert len(data["projects"]["edges"]) == first
    return int(counter.count)


async def test_project_list_runs_in_a_fixed_number_of_statements(admin: GraphQLClient, queries: Any) -> None:
    me = await admin.ok("{ me { user { id } } }")
    user_id = me["me"]["user"]["id"]
    for i in range(99):
        created = await admin.ok(CREATE, {"n": f"p{i:03d}"})
        project_id = created["projectCreate"]["project"]["id"]
        await admin.ok(ASSIGN, {"p": project_id, "u": user_id})
    await admin.ok(LIST, {"first": 1})  # the token check is cached after the first request
    small = await _statements(admin, queries, 2)
    large = await _statements(admin, queries, 100)
    assert small == large
    # Page (1), count (1), then one per relation kind: domains, assignments, roles,
    # permissions, users, projects (the token check is cached).
    assert large <= 8, large


async def test_cursor_pagination_walks_every_item_once(admin: GraphQLClient) -> None:
    for i in range(7):
        await admin.ok(CREATE, {"n": f"walk{i}"})
    seen: list[str] = []
    after = None
    while True:
        page = await admin.ok(
            "query($a: String) { auditEvents(first: 3, after: $a) { edges { node { id } } "
            "pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        conn = page["auditEvents"]
        seen += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) >= 8  # 7 creations + the admin's sign-in
