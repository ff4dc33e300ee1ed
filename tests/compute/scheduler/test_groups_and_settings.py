"""Server groups belong to their project; the scheduler's settings are data only admins change."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.compute.scheduler.conftest import add_hosts
from tests.compute.scheduler.test_forecast import forecast
from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient

GROUP_CREATE = """mutation($in: ServerGroupCreateInput!) { serverGroupCreate(input: $in) {
  serverGroup { id name policy project { name } } errors { field message code } } }"""
GROUP_DELETE = """mutation($id: ID!) { serverGroupDelete(input: {id: $id}) { deletedId errors { field code } } }"""
GROUPS = "{ serverGroups { totalCount edges { node { name policy } } } }"
SETTINGS = "{ schedulerSettings { strategy maxServersPerHost multipliers { weigher multiplier } filters } }"
UPDATE = """mutation($in: SchedulerSettingsUpdateInput!) { schedulerSettingsUpdate(input: $in) {
  settings { strategy maxServersPerHost multipliers { weigher multiplier } projectStrategies { strategy } }
  errors { field message code } } }"""


async def test_server_groups_are_private_to_their_project(admin: GraphQLClient, gql: GraphQLClient) -> None:
    blue, red = await tenant(admin, gql, "blue", "bob"), await tenant(admin, gql, "red", "rita")
    made = (await blue.ok(GROUP_CREATE, {"in": {"name": "db", "policy": "ANTI_AFFINITY"}}))["serverGroupCreate"]
    assert made["serverGroup"]["project"] == {"name": "blue"}
    again = (await blue.ok(GROUP_CREATE, {"in": {"name": "db", "policy": "AFFINITY"}}))["serverGroupCreate"]
    assert again["errors"][0]["code"] == "DUPLICATE"
    group_id = made["serverGroup"]["id"]
    assert (await red.ok(GROUPS))["serverGroups"]["totalCount"] == 0
    assert (await red.ok("query($id: ID!) { node(id: $id) { id } }", {"id": group_id}))["node"] is None
    refused = (await red.ok(GROUP_DELETE, {"id": group_id}))["serverGroupDelete"]
    assert refused["errors"][0]["code"] == "NOT_FOUND"
    joined = await forecast(red, serverGroupId=group_id)  # nor may red's servers join it
    assert joined["errors"][0]["code"] == "NOT_FOUND"
    assert (await blue.ok(GROUP_DELETE, {"id": group_id}))["serverGroupDelete"]["errors"] == []


async def test_settings_are_admin_editable_data(admin: GraphQLClient, gql: GraphQLClient, engine: AsyncEngine) -> None:
    defaults = (await admin.ok(SETTINGS))["schedulerSettings"]
    assert defaults["strategy"] == "SPREAD"
    assert {m["weigher"] for m in defaults["multipliers"]} >= {"spread", "pack", "preferred_tags"}
    assert defaults["filters"][0] == "requested_host"
    await add_hosts(engine, {"name": "busy", "memory_used_mb": 8192}, {"name": "idle"})
    assert (await forecast(admin))["candidates"][0]["host"]["name"] == "idle"

    changed = (
        await admin.ok(
            UPDATE,
            {
                "in": {
                    "strategy": "PACK",
                    "maxServersPerHost": 3,
                    "multipliers": [{"weigher": "pack", "multiplier": 2.5}],
                }
            },
        )
    )["schedulerSettingsUpdate"]
    assert changed["errors"] == []
    assert changed["settings"]["strategy"] == "PACK"
    assert {"weigher": "pack", "multiplier": 2.5} in changed["settings"]["multipliers"]
    packed = await forecast(admin)
    assert [(c["host"]["name"], c["weight"]) for c in packed["candidates"]] == [("busy", 2.5), ("idle", 0.0)]
    assert (await forecast(admin, count=10, memoryMb=64))["count"] == 6  # three servers per host at most

    bad = await admin.ok(UPDATE, {"in": {"multipliers": [{"weigher": "nope", "multiplier": 1}]}})
    assert bad["schedulerSettingsUpdate"]["errors"][0]["field"] == "multipliers"

    member = await tenant(admin, gql, "blue", "bob")
    denied = await member(UPDATE, {"in": {"strategy": "SPREAD"}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await member(SETTINGS))["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_project_may_have_its_own_strategy(
    admin: GraphQLClient, gql: GraphQLClient, engine: AsyncEngine
) -> None:
    await add_hosts(engine, {"name": "busy", "memory_used_mb": 8192}, {"name": "idle"})
    member = await tenant(admin, gql, "blue", "bob")
    projects = await admin.ok('{ projects(filter: {name: "blue"}) { edges { node { id } } } }')
    blue = projects["projects"]["edges"][0]["node"]["id"]
    set_ = (await admin.ok(UPDATE, {"in": {"projectId": blue, "projectStrategy": "PACK"}}))["schedulerSettingsUpdate"]
    assert set_["settings"]["projectStrategies"] == [{"strategy": "PACK"}]
    assert (await forecast(admin, projectId=blue))["candidates"][0]["host"]["name"] == "busy"
    assert (await forecast(admin))["candidates"][0]["host"]["name"] == "idle"  # other projects: the default
    assert (await forecast(admin, projectId=blue, strategy="SPREAD"))["candidates"][0]["host"]["name"] == "idle"
    assert (await forecast(member))["fits"] is True
