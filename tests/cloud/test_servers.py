"""serverCreate on AWS places by zone and size, creates the EC2 instance; stop/start/delete reach EC2."""

from __future__ import annotations

from typing import Any

from tests.cloud.conftest import ACTION, CREATE, ZONES, Moto, create_account, instance_states, servers, sync
from tests.compute.conftest import Cloud, wait_task
from tests.conftest import GraphQLClient


async def _zone_id(client: GraphQLClient, name: str) -> str:
    zones = (await client.ok(ZONES))["zones"]["edges"]
    return str(next(e["node"]["id"] for e in zones if e["node"]["name"] == name))


async def _act(client: GraphQLClient, verb: str, server_id: str) -> dict[str, Any]:
    payload = (await client.ok(ACTION % verb, {"id": server_id}))[f"server{verb}"]
    assert payload["errors"] == [], payload
    return await wait_task(client, payload["task"]["id"])


async def test_create_stop_start_delete_on_ec2(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    account = await create_account(admin, moto)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"
    zone = await _zone_id(admin, "us-east-1b")

    made = (await admin.ok(CREATE, {"in": {"name": "web1", "vcpus": 2, "memoryMb": 4096, "zoneId": zone}}))[
        "serverCreate"
    ]
    assert made["errors"] == [], made
    task = await wait_task(admin, made["task"]["id"], timeout=40)
    assert task["status"] == "SUCCEEDED", task
    # The smallest type with 2 vCPUs and 4 GiB among the synced ones, and why the others zones lost.
    assert task["result"]["chosen"] == {
        "account": "aws1",
        "region": "us-east-1",
        "zone": "us-east-1b",
        "sku": "m5.large",
    }
    assert {"zone": "us-east-1a", "region": "aws1-us-east-1", "reason": "another zone"} in task["result"]["rejections"]

    server = next(s for s in await servers(admin) if s["id"] == made["servers"][0]["id"])
    assert server["status"] == "RUNNING"
    assert server["hypervisor"] == "AWS"
    instance_id = server["cloud"]["instanceId"]
    described = moto.ec2().describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert described["InstanceType"] == "m5.large"
    assert described["Placement"]["AvailabilityZone"] == "us-east-1b"
    assert described["State"]["Name"] == "running"
    assert {t["Key"] for t in described["Tags"]} == {"Name", "nimbus:server-id"}
    # A sync now finds the instance already tracked: nothing is imported twice.
    again = await sync(admin, account["id"])
    assert again["result"]["instances"] == {"added": 0, "updated": 0, "removed": 0}

    assert (await _act(admin, "Stop", server["id"]))["status"] == "SUCCEEDED"
    assert instance_states(moto)[instance_id] == "stopped"
    assert (await _act(admin, "Start", server["id"]))["status"] == "SUCCEEDED"
    assert instance_states(moto)[instance_id] == "running"
    assert (await _act(admin, "Reboot", server["id"]))["status"] == "SUCCEEDED"
    assert instance_states(moto)[instance_id] == "running"
    assert (await _act(admin, "Delete", server["id"]))["status"] == "SUCCEEDED"
    assert instance_states(moto)[instance_id] == "terminated"
    assert server["id"] not in [s["id"] for s in await servers(admin)]


async def test_named_sku_and_explained_refusal(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    account = await create_account(admin, moto)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"

    made = (
        await admin.ok(
            CREATE, {"in": {"name": "c1", "vcpus": 1, "memoryMb": 512, "hypervisor": "aws", "sku": "c5.xlarge"}}
        )
    )["serverCreate"]
    assert made["errors"] == [], made
    task = await wait_task(admin, made["task"]["id"], timeout=40)
    assert task["result"]["chosen"]["sku"] == "c5.xlarge"
    assert task["result"]["chosen"]["zone"] == "us-east-1a"

    too_big = (await admin.ok(CREATE, {"in": {"name": "big", "vcpus": 64, "memoryMb": 4096, "hypervisor": "aws"}}))[
        "serverCreate"
    ]
    assert too_big["errors"][0]["code"] == "NO_CAPACITY"
    assert "us-east-1a: no instance type with >= 64 vCPUs" in too_big["errors"][0]["message"]
