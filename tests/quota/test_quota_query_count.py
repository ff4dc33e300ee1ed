"""The quotas list costs a fixed number of SQL statements, however many projects it shows."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

LIST = """query($first: Int) { quotas(first: $first) { totalCount edges { node {
  project { name domain { name } } domain { name } resources { resource limit used available source } } } } }"""
CREATE = "mutation($n: String!) { projectCreate(input: {name: $n}) { project { id } errors { code } } }"
QUOTA = "mutation($p: ID!) { quotaUpdate(input: {projectId: $p, servers: 3}) { errors { code } } }"


async def _statements(admin: GraphQLClient, queries: Any, first: int) -> int:
    with queries() as counter:
        data = await admin.ok(LIST, {"first": first})
    assert len(data["quotas"]["edges"]) == first
    return int(counter.count)


async def test_quota_list_runs_in_a_fixed_number_of_statements(admin: GraphQLClient, queries: Any) -> None:
    for i in range(40):
        project_id = (await admin.ok(CREATE, {"n": f"q{i:02d}"}))["projectCreate"]["project"]["id"]
        if i % 2:
            await admin.ok(QUOTA, {"p": project_id})
    await admin.ok(LIST, {"first": 1})  # the token check is cached after the first request
    small = await _statements(admin, queries, 2)
    large = await _statements(admin, queries, 40)
    assert small == large
    # Page, count, quota rows, four usage counters (servers, networks, addresses, images), projects,
    # domains.
    assert large <= 9, large
