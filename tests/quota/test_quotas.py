"""Quotas: checked in the allocating transaction, shown next to usage, changed by the right people."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import GraphQLClient
from tests.identity.personas import World, build_world

CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) {
  servers { id } task { id } errors { field message code } } }"""
NETWORK = """mutation($n: String!, $p: ID) { networkCreate(input: {name: $n, cidr: "10.77.0.0/28", projectId: $p}) {
  network { id } errors { field message code } } }"""
UPDATE = """mutation($in: QuotaUpdateInput!) { quotaUpdate(input: $in) {
  quota { id project { name } resources { resource limit used available source } }
  errors { field message code } } }"""
QUOTAS = """query($f: QuotaFilter) { quotas(first: 100, filter: $f) { totalCount edges { node {
  project { name } domain { name } resources { resource limit used available source } } } } }"""
DEFAULTS = """query($d: ID!) { quotaDefaults(domainId: $d) { resources { resource limit used source } } }"""
AUDIT = """query($op: String!) { auditEvents(first: 50, filter: {operation: $op}) {
  edges { node { outcome errorCode actorName } } } }"""


@pytest.fixture
async def world(gql: GraphQLClient, admin: GraphQLClient) -> World:
    assert admin.token is not None
    return await build_world(gql, admin.token)


def resources(quota: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["resource"]: r for r in quota["resources"]}


async def set_quota(client: GraphQLClient, **values: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.ok(UPDATE, {"in": values}))["quotaUpdate"]
    return payload


@pytest.mark.timeout(120)
async def test_forty_concurrent_creates_against_ten_servers(
    admin: GraphQLClient, world: World, engine: AsyncEngine
) -> None:
    blue = world.blue
    assert (await set_quota(admin, projectId=blue.project_id, servers=10))["errors"] == []
    member = admin.as_(world.personas["blue-member"].token)
    spec = {"vcpus": 1, "memoryMb": 64, "diskGb": 1, "projectId": blue.project_id}
    payloads = await asyncio.gather(*(member.ok(CREATE, {"in": {**spec, "name": f"q{i}"}}) for i in range(40)))
    results = [p["serverCreate"] for p in payloads]
    created = [r for r in results if r["errors"] == []]
    refused = [r for r in results if r["errors"]]
    assert len(created) == 10
    assert len(refused) == 30
    assert all(r["servers"] == [] and r["task"] is None for r in refused)
    assert {e["code"] for r in refused for e in r["errors"]} == {"QUOTA_EXCEEDED"}
    assert all("servers" in r["errors"][0]["message"] for r in refused)
    async with engine.connect() as conn:
        rows = await conn.scalar(text("SELECT count(*) FROM compute_server"))
    assert rows == 10  # the refused ones left nothing behind


async def test_refusal_names_the_quota_and_the_excess(admin: GraphQLClient, world: World) -> None:
    blue = world.blue
    await set_quota(admin, projectId=blue.project_id, vcpus=4, memoryMb=1024)
    payload = (
        await admin.ok(
            CREATE,
            {"in": {"name": "big", "vcpus": 3, "memoryMb": 256, "diskGb": 1, "count": 2, "projectId": blue.project_id}},
        )
    )["serverCreate"]
    (error,) = payload["errors"]
    assert error["code"] == "QUOTA_EXCEEDED"
    assert error["field"] == "vcpus"
    assert error["message"] == ("Quota exceeded for vcpus: the limit is 4, 0 in use, 6 requested (2 over the limit)")


async def test_usage_is_shown_next_to_limits_and_domain_defaults_apply(admin: GraphQLClient, world: World) -> None:
    red, blue = world.red, world.blue
    # acme's projects get 2 servers by default; blue (domain default) is unlimited.
    assert (await set_quota(admin, domainId=red.domain_id, servers=2, networks=1))["errors"] == []
    spec = {"vcpus": 2, "memoryMb": 128, "diskGb": 3, "projectId": red.project_id}
    assert (await admin.ok(CREATE, {"in": {**spec, "name": "r1"}}))["serverCreate"]["errors"] == []
    data = await admin.ok(QUOTAS, {"f": {"projectId": red.project_id}})
    (quota,) = [e["node"] for e in data["quotas"]["edges"]]
    res = resources(quota)
    assert res["SERVERS"] == {"resource": "SERVERS", "limit": 2, "used": 1, "available": 1, "source": "DOMAIN"}
    assert res["VCPUS"] == {"resource": "VCPUS", "limit": None, "used": 2, "available": None, "source": "NONE"}
    assert res["DISK_GB"]["used"] == 3
    assert res["IMAGES"] == {"resource": "IMAGES", "limit": None, "used": 0, "available": None, "source": "NONE"}

    # A project limit overrides the default; resetting it inherits again.
    updated = await set_quota(admin, projectId=red.project_id, servers=5)
    assert resources(updated["quota"])["SERVERS"]["limit"] == 5
    assert resources(updated["quota"])["SERVERS"]["source"] == "PROJECT"
    reset = await set_quota(admin, projectId=red.project_id, reset=["SERVERS"])
    assert resources(reset["quota"])["SERVERS"] == {
        "resource": "SERVERS",
        "limit": 2,
        "used": 1,
        "available": 1,
        "source": "DOMAIN",
    }
    defaults = (await admin.ok(DEFAULTS, {"d": red.domain_id}))["quotaDefaults"]
    assert {r["resource"]: r["limit"] for r in defaults["resources"]}["SERVERS"] == 2
    # Networks: one per project in acme.
    first = (await admin.ok(NETWORK, {"n": "red-net", "p": red.project_id}))["networkCreate"]
    assert first["errors"] == []
    second = (await admin.ok(NETWORK, {"n": "red-net2", "p": red.project_id}))["networkCreate"]
    assert [e["code"] for e in second["errors"]] == ["QUOTA_EXCEEDED"]
    blue_quota = await admin.ok(QUOTAS, {"f": {"projectId": blue.project_id}})
    assert resources(blue_quota["quotas"]["edges"][0]["node"])["SERVERS"]["limit"] is None


async def test_deleted_servers_free_their_quota(admin: GraphQLClient, world: World, engine: AsyncEngine) -> None:
    blue = world.blue
    await set_quota(admin, projectId=blue.project_id, servers=1)
    spec = {"vcpus": 1, "memoryMb": 64, "diskGb": 1, "projectId": blue.project_id}
    assert (await admin.ok(CREATE, {"in": {**spec, "name": "a"}}))["serverCreate"]["errors"] == []
    refused = (await admin.ok(CREATE, {"in": {**spec, "name": "b"}}))["serverCreate"]
    assert [e["code"] for e in refused["errors"]] == ["QUOTA_EXCEEDED"]
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE compute_server SET status = 'DELETED'"))
    assert (await admin.ok(CREATE, {"in": {**spec, "name": "c"}}))["serverCreate"]["errors"] == []


async def test_quota_reads_and_changes_are_tenant_scoped(
    gql: GraphQLClient, admin: GraphQLClient, world: World
) -> None:
    blue, red = world.blue, world.red
    as_ = {key: gql.as_(p.token) for key, p in world.personas.items()}

    # Members read their own project's quota and nobody else's.
    mine = await as_["blue-member"].ok(QUOTAS)
    assert [e["node"]["project"]["name"] for e in mine["quotas"]["edges"]] == ["blue"]
    assert (await as_["blue-member"].ok(QUOTAS, {"f": {"projectId": red.project_id}}))["quotas"]["totalCount"] == 0
    assert (await as_["blue-member"].ok(DEFAULTS, {"d": red.domain_id}))["quotaDefaults"] is None
    acme = await as_["acme-domain-admin"].ok(QUOTAS)
    assert [e["node"]["project"]["name"] for e in acme["quotas"]["edges"]] == ["red"]

    # A project admin cannot raise their own quota; a domain admin can, in their own domain only.
    own = await as_["blue-admin"](UPDATE, {"in": {"projectId": blue.project_id, "servers": 1000}})
    assert own["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = await as_["acme-domain-admin"].ok(UPDATE, {"in": {"projectId": red.project_id, "servers": 3}})
    assert ok["quotaUpdate"]["errors"] == []
    other = await as_["acme-domain-admin"].ok(UPDATE, {"in": {"projectId": blue.project_id, "servers": 3}})
    assert [e["code"] for e in other["quotaUpdate"]["errors"]] == ["NOT_FOUND"]
    defaults = await as_["acme-domain-admin"](UPDATE, {"in": {"domainId": red.domain_id, "servers": 99}})
    assert defaults["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    events = [e["node"] for e in (await admin.ok(AUDIT, {"op": "quotaUpdate"}))["auditEvents"]["edges"]]
    outcomes = sorted((e["actorName"], e["outcome"], e["errorCode"]) for e in events)
    assert ("acme-admin", "SUCCESS", None) in outcomes
    assert ("acme-admin", "FAILURE", "NOT_FOUND") in outcomes
    assert ("acme-admin", "DENIED", "FORBIDDEN") in outcomes
    assert ("blue-admin", "DENIED", "FORBIDDEN") in outcomes


async def test_bad_quota_input_is_a_payload_error(admin: GraphQLClient, world: World) -> None:
    blue = world.blue
    cases = [
        ({"projectId": blue.project_id, "servers": -5}, "servers"),
        ({"projectId": blue.project_id, "domainId": blue.domain_id, "servers": 1}, "projectId"),
        ({"servers": 1}, "projectId"),
        ({"projectId": "nope", "servers": 1}, "projectId"),
        ({"projectId": blue.project_id, "servers": 1, "reset": ["SERVERS"]}, "reset"),
    ]
    for values, field in cases:
        payload = await set_quota(admin, **values)
        assert payload["quota"] is None
        assert payload["errors"][0]["field"] == field, payload
