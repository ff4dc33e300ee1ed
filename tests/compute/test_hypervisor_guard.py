"""Operations only a host agent performs (snapshots, screenshots, devices, resize, migration) are
refused, as payload errors, for servers another driver runs: VMware, bare metal, a public cloud."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.compute.conftest import Cloud, wait_task
from tests.compute.disk_helpers import RESIZE
from tests.compute.test_migration import MIGRATE, raw_id
from tests.compute.test_servers import create, server
from tests.compute.test_snapshots import SCREENSHOT, snapshot
from tests.conftest import GraphQLClient


async def _refusals(admin: GraphQLClient, server_id: str) -> list[tuple[str, str]]:
    answers: list[dict[str, Any]] = [
        await snapshot(admin, server_id),
        (await admin.ok(SCREENSHOT, {"id": server_id}))["serverScreenshot"],
        (await admin.ok(RESIZE, {"in": {"id": server_id, "vcpus": 2}}))["serverResize"],
        (await admin.ok(MIGRATE, {"in": {"id": server_id}}))["serverMigrate"],
    ]
    return [(a["errors"][0]["code"], a["errors"][0]["message"]) for a in answers]


@pytest.mark.parametrize("hypervisor", ["VMWARE", "BAREMETAL"])
async def test_servers_on_hosts_without_a_host_agent(
    admin: GraphQLClient, cloud: Cloud, engine: AsyncEngine, hypervisor: str
) -> None:
    created = await create(admin, name="elsewhere")
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    server_id = created["servers"][0]["id"]
    async with engine.begin() as conn:
        # As the VMware sync and the bare-metal registration mark the hosts they bring in.
        owner = text(
            "UPDATE compute_host SET hypervisor = :h WHERE id = (SELECT host_id FROM compute_server WHERE id = :s)"
        )
        await conn.execute(owner, {"h": hypervisor, "s": raw_id(server_id)})
    for code, message in await _refusals(admin, server_id):
        assert code == "NOT_ALLOWED"
        assert message.endswith(f"is not available for {hypervisor} servers")
    assert (await server(admin, server_id))["task"] is None


async def test_public_cloud_servers(admin: GraphQLClient, cloud: Cloud, engine: AsyncEngine) -> None:
    created = await create(admin, name="at-a-provider")
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    server_id = created["servers"][0]["id"]
    async with engine.begin() as conn:
        link = json.dumps({"cloud": {"provider": "aws", "instance_id": "i-0123"}})
        await conn.execute(
            text("UPDATE compute_server SET extra = :x WHERE id = :s"), {"x": link, "s": raw_id(server_id)}
        )
    for code, message in await _refusals(admin, server_id):
        assert (code, message.split(" is not")[1]) == ("NOT_ALLOWED", " available for AWS servers")
