"""Volumes and server changes through GraphQL on libvirt's test driver: the disk lifecycle with real
qcow2 files, and every refusal a user can meet, returned as payload errors with nothing held."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.compute.conftest import Cloud, hosts, wait_task
from tests.compute.disk_helpers import (
    DISK,
    DISK_ATTACH,
    DISK_CREATE,
    DISK_DELETE,
    DISK_DETACH,
    DISK_RESIZE,
    DISKS,
    RESIZE,
    SERVER,
    codes,
    mutate,
    node,
)
from tests.compute.test_compute_isolation import tenant
from tests.compute.test_servers import create
from tests.conftest import GraphQLClient

STORAGE = "{ hosts { edges { node { name storageUsedGb } } } }"


def _virtual_size(path: Path) -> int:
    out = subprocess.run(["qemu-img", "info", "--output=json", str(path)], capture_output=True, text=True, check=True)
    return int(json.loads(out.stdout)["virtual-size"])


async def _storage_used(admin: GraphQLClient) -> int:
    edges = (await admin.ok(STORAGE))["hosts"]["edges"]
    return int(next(e["node"]["storageUsedGb"] for e in edges if e["node"]["name"] == "h1"))


async def _server(admin: GraphQLClient, **spec: object) -> str:
    created = await create(admin, **spec)
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    return str(created["servers"][0]["id"])


async def test_a_volume_is_made_grown_and_deleted_on_its_host(admin: GraphQLClient, cloud: Cloud) -> None:
    before = await _storage_used(admin)
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "data", "sizeGb": 1}})
    assert made["errors"] == []
    assert made["disk"]["status"] == "CREATING"
    assert (await wait_task(admin, made["task"]["id"]))["status"] == "SUCCEEDED"
    disk_id = made["disk"]["id"]
    disk = await node(admin, DISK, disk_id)
    assert (disk["status"], disk["volume"], disk["server"], disk["host"]["name"]) == ("READY", True, None, "h1")
    (path,) = (cloud.storage / "h1" / "_volumes").glob("*.qcow2")
    assert _virtual_size(path) == 1024**3
    assert await _storage_used(admin) == before + 1

    listed = (await admin.ok(DISKS, {"f": {"attached": False}}))["disks"]
    assert [e["node"]["name"] for e in listed["edges"]] == ["data"]

    shrink = await mutate(admin, DISK_RESIZE, id=disk_id, size=1)
    assert codes(shrink) == [("sizeGb", "OUT_OF_RANGE")]
    grow = await mutate(admin, DISK_RESIZE, id=disk_id, size=3)
    assert (await wait_task(admin, grow["task"]["id"]))["status"] == "SUCCEEDED"
    assert (await node(admin, DISK, disk_id))["sizeGb"] == 3
    assert _virtual_size(path) == 3 * 1024**3
    assert await _storage_used(admin) == before + 3

    deleted = await mutate(admin, DISK_DELETE, id=disk_id)
    assert (await wait_task(admin, deleted["task"]["id"]))["status"] == "SUCCEEDED"
    assert not path.exists()
    assert await _storage_used(admin) == before
    assert (await admin.ok(DISKS))["disks"]["totalCount"] == 0


async def test_illegal_disk_and_resize_operations_are_payload_errors(admin: GraphQLClient, cloud: Cloud) -> None:
    server_id = await _server(admin, memoryMb=128)
    boot_disk = (await node(admin, SERVER, server_id))["disks"][0]
    assert boot_disk["volume"] is False

    detach_boot = await mutate(admin, DISK_DETACH, id=server_id, disk=boot_disk["id"])
    assert codes(detach_boot) == [("diskId", "NOT_ALLOWED")]
    resize_boot = await mutate(admin, DISK_RESIZE, id=boot_disk["id"], size=5)
    assert codes(resize_boot) == [("id", "NOT_ALLOWED")]

    (host,) = await hosts(admin)
    huge = await mutate(admin, RESIZE, **{"in": {"id": server_id, "memoryMb": host["memoryMb"] * 4}})
    assert codes(huge) == [("vcpus", "NO_CAPACITY")]
    smaller_disk = await mutate(admin, RESIZE, **{"in": {"id": server_id, "diskGb": 0}})
    assert codes(smaller_disk) == [("diskGb", "OUT_OF_RANGE")]
    same = await mutate(admin, RESIZE, **{"in": {"id": server_id, "vcpus": 1}})
    assert codes(same) == [("vcpus", "INVALID")]
    beyond_maxima = await mutate(admin, RESIZE, **{"in": {"id": server_id, "vcpus": 8, "live": True}})
    assert codes(beyond_maxima) == [("live", "NOT_ALLOWED")]
    odd_memory = await mutate(admin, RESIZE, **{"in": {"id": server_id, "memoryMb": 129, "live": True}})
    assert codes(odd_memory) == [("live", "NOT_ALLOWED")]
    assert "steps of 2 MiB" in odd_memory["errors"][0]["message"]

    too_big = await mutate(admin, DISK_CREATE, **{"in": {"name": "huge", "sizeGb": 16384}})
    assert codes(too_big) == [("sizeGb", "NO_CAPACITY")]
    assert (await admin.ok(DISKS, {"f": {"attached": False}}))["disks"]["totalCount"] == 0

    # Nothing was held by any refusal: the host still carries only the server.
    (after,) = await hosts(admin)
    assert (after["vcpusUsed"], after["memoryUsedMb"]) == (1, 128)
    vm = await node(admin, SERVER, server_id)
    assert (vm["status"], vm["vcpus"], vm["memoryMb"]) == ("RUNNING", 1, 128)


async def test_a_volume_on_another_host_or_attached_elsewhere_is_refused(admin: GraphQLClient, cloud: Cloud) -> None:
    first = await _server(admin, name="first")
    second = await _server(admin, name="second")
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "shared", "sizeGb": 1, "serverId": first}})
    assert (await wait_task(admin, made["task"]["id"]))["status"] == "SUCCEEDED"
    disk_id = made["disk"]["id"]
    wrong = await mutate(admin, DISK_DETACH, id=first, disk=disk_id)
    assert codes(wrong) == [("diskId", "INVALID_STATE")]
    deleted_twice = await mutate(admin, DISK_DELETE, id=disk_id)
    assert deleted_twice["errors"] == []
    assert (await wait_task(admin, deleted_twice["task"]["id"]))["status"] == "SUCCEEDED"
    gone = await mutate(admin, DISK_ATTACH, id=second, disk=disk_id)
    assert codes(gone) == [("diskId", "INVALID_STATE")]


async def test_volumes_and_growth_count_against_the_disk_quota(admin: GraphQLClient, cloud: Cloud) -> None:
    me = await admin.ok("{ me { project { id } } }")
    project = me["me"]["project"]["id"]
    limit = await admin.ok(
        "mutation($p: ID!) { quotaUpdate(input: {projectId: $p, diskGb: 4, vcpus: 2}) { errors { code } } }",
        {"p": project},
    )
    assert limit["quotaUpdate"]["errors"] == []
    server_id = await _server(admin)  # 1 GiB boot disk
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "q1", "sizeGb": 2}})
    assert (await wait_task(admin, made["task"]["id"]))["status"] == "SUCCEEDED"
    over = await mutate(admin, DISK_CREATE, **{"in": {"name": "q2", "sizeGb": 2}})
    assert codes(over) == [("diskGb", "QUOTA_EXCEEDED")]
    grow = await mutate(admin, DISK_RESIZE, id=made["disk"]["id"], size=4)
    assert codes(grow) == [("diskGb", "QUOTA_EXCEEDED")]
    cpus = await mutate(admin, RESIZE, **{"in": {"id": server_id, "vcpus": 3}})
    assert codes(cpus) == [("vcpus", "QUOTA_EXCEEDED")]
    fits = await mutate(admin, RESIZE, **{"in": {"id": server_id, "vcpus": 2}})
    assert fits["errors"] == []
    assert (await wait_task(admin, fits["task"]["id"]))["status"] == "SUCCEEDED"
    vm = await node(admin, SERVER, server_id)
    assert (vm["status"], vm["vcpus"]) == ("RUNNING", 2)


async def test_volumes_are_private_to_their_project(admin: GraphQLClient, gql: GraphQLClient, cloud: Cloud) -> None:
    blue = await tenant(admin, gql, "blue", "bob")
    red = await tenant(admin, gql, "red", "rita")
    reader = await tenant(admin, gql, "blue-ro", "rory", role="reader")
    blue_server = await _server(blue, name="blue-vm")
    red_server = await _server(red, name="red-vm")
    made = await mutate(blue, DISK_CREATE, **{"in": {"name": "secret", "sizeGb": 1, "serverId": blue_server}})
    assert made["errors"] == []
    assert (await wait_task(blue, made["task"]["id"]))["status"] == "SUCCEEDED"
    disk_id = made["disk"]["id"]
    assert (await red.ok(DISKS))["disks"]["totalCount"] == 1  # only red's own boot disk
    assert (await red.ok(DISK, {"id": disk_id}))["node"] is None
    stolen = await mutate(red, DISK_ATTACH, id=red_server, disk=disk_id)
    assert codes(stolen) == [("diskId", "NOT_FOUND")]
    on_theirs = await mutate(red, DISK_CREATE, **{"in": {"name": "x", "sizeGb": 1, "serverId": blue_server}})
    assert codes(on_theirs) == [("serverId", "NOT_FOUND")]
    pinned = await red(DISK_CREATE, {"in": {"name": "x", "sizeGb": 1, "hostId": (await hosts(admin))[0]["id"]}})
    assert pinned["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    denied = await reader(DISK_CREATE, {"in": {"name": "ro", "sizeGb": 1}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
