"""schedulerForecast: fits or not, how many, the ranking, and the filter that removed every host."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.compute.models import HostStatus
from tests.compute.scheduler.conftest import add_hosts
from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient

FORECAST = """query($in: ServerCreateInput!) { schedulerForecast(input: $in) {
  fits count requested hostsChecked summary
  candidates { host { id name } weight servers }
  rejections { host { id name } filter reason detail }
  rejectionCounts { filter reason hosts }
  errors { field message code } } }"""


async def forecast(client: GraphQLClient, **spec: Any) -> dict[str, Any]:
    spec = {"name": "vm", "vcpus": 2, "memoryMb": 4096, "diskGb": 20, **spec}
    result: dict[str, Any] = (await client.ok(FORECAST, {"in": spec}))["schedulerForecast"]
    return result


async def test_a_request_that_fits_nowhere_names_the_filter_that_removed_each_host(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    await add_hosts(
        engine,
        {"name": "off", "status": HostStatus.OFFLINE},
        {"name": "maint", "status": HostStatus.MAINTENANCE},
        {"name": "disabled", "enabled": False},
        {"name": "small", "memory_mb": 2048},
        {"name": "few-cpus", "cpus": 1, "cpu_ratio": 1.0},
        {"name": "full-disk", "storage_gb": 500, "storage_used_gb": 490},
        {"name": "untagged", "tags": []},
    )
    result = await forecast(admin, requiredTags=["ssd"])
    assert result["errors"] == []
    assert (result["fits"], result["count"], result["candidates"]) == (False, 0, [])
    why = {r["host"]["name"]: (r["filter"], r["reason"]) for r in result["rejections"]}
    assert why == {
        "off": ("status", "host is offline"),
        "maint": ("status", "host is in maintenance"),
        "disabled": ("status", "host is disabled"),
        "small": ("tags", "lacks a required tag"),
        "few-cpus": ("tags", "lacks a required tag"),
        "full-disk": ("tags", "lacks a required tag"),
        "untagged": ("tags", "lacks a required tag"),
    }
    untagged = await forecast(admin)
    why = {r["host"]["name"]: (r["filter"], r["detail"]) for r in untagged["rejections"]}
    assert why["small"] == ("memory", "needs 4096 MB, 2048 of 2048 MB free")
    assert why["few-cpus"] == ("cpu", "needs 2, 1 of 1 free")
    assert why["full-disk"] == ("disk", "needs 20 GB, 10 of 500 GB free")
    assert untagged["fits"] is True  # `untagged` fits when no tag is required
    assert [c["host"]["name"] for c in untagged["candidates"]] == ["untagged"]
    assert sorted((c["filter"], c["reason"], c["hosts"]) for c in untagged["rejectionCounts"]) == [
        ("cpu", "not enough vCPUs", 1),
        ("disk", "not enough disk", 1),
        ("memory", "not enough memory", 1),
        ("status", "host is disabled", 1),
        ("status", "host is in maintenance", 1),
        ("status", "host is offline", 1),
    ]
    assert untagged["summary"].startswith("7 hosts checked; 1 by cpu: not enough vCPUs; ")


async def test_candidates_are_ranked_and_counted(admin: GraphQLClient, engine: AsyncEngine) -> None:
    await add_hosts(
        engine,
        {"name": "busy", "memory_used_mb": 12288, "vcpus_used": 16},
        {"name": "idle"},
        {"name": "ssd", "tags": ["ssd"], "memory_used_mb": 8192},
    )
    result = await forecast(admin, count=3)
    assert result["fits"] is True
    # 4 GB servers: idle takes 4, ssd 2, busy 1
    assert (result["count"], result["requested"], result["hostsChecked"]) == (7, 3, 3)
    ranked = [(c["host"]["name"], c["weight"]) for c in result["candidates"]]
    assert [n for n, _ in ranked] == ["idle", "ssd", "busy"]
    assert ranked[0][1] == 1.0
    assert ranked[-1][1] == 0.0
    assert sum(c["servers"] for c in result["candidates"]) == 3
    preferred = await forecast(admin, preferredTags=["ssd"], strategy="PACK")
    assert preferred["candidates"][0]["host"]["name"] == "ssd"


async def test_bad_input_is_a_payload_error(admin: GraphQLClient) -> None:
    result = await forecast(admin, vcpus=0)
    assert result["errors"][0]["field"] == "vcpus"
    result = await forecast(
        admin, strategy="PACK", serverGroupId="U2VydmVyR3JvdXA6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
    )
    assert result["errors"][0]["code"] == "NOT_FOUND"


async def test_tenants_learn_counts_but_not_hosts(
    admin: GraphQLClient, gql: GraphQLClient, engine: AsyncEngine
) -> None:
    await add_hosts(engine, {"name": "small", "memory_mb": 1024}, {"name": "big"})
    member = await tenant(admin, gql, "blue", "bob")
    result = await forecast(member, count=10)
    assert (result["fits"], result["count"]) == (False, 4)
    assert result["candidates"] == []
    assert result["rejections"] == []
    assert result["rejectionCounts"] == [{"filter": "memory", "reason": "not enough memory", "hosts": 1}]
