"""Snapshots, rebuild refusals and screenshots through GraphQL, the worker and a host agent on
libvirt's test driver (the real QEMU path is in test_real_snapshots.py)."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_compute_isolation import tenants  # noqa: F401  (fixture)
from tests.compute.test_servers import act, create, server
from tests.conftest import GraphQLClient
from tests.image.conftest import create_image, upload

SNAPSHOT_CREATE = """mutation($in: ServerSnapshotCreateInput!) { serverSnapshotCreate(input: $in) {
  snapshot { id name status includesMemory quiesced server { id } } task { id } errors { field message code } } }"""
SNAPSHOT_ACT = """mutation($id: ID!) { serverSnapshot%s(input: {id: $id}) {
  snapshot { id status } task { id } errors { field message code } } }"""
SNAPSHOTS = """query($server: ID) { serverSnapshots(filter: {serverId: $server}) {
  totalCount edges { node { id name status includesMemory error } } } }"""
REBUILD = """mutation($id: ID!, $image: ID!) { serverRebuild(input: {id: $id, imageId: $image}) {
  server { id } task { id } errors { field message code } } }"""
SCREENSHOT = """mutation($id: ID!) { serverScreenshot(input: {id: $id}) {
  task { id status } screenshot { mimeType dataUrl size } errors { field message code } } }"""
LATEST_SCREENSHOT = "query($id: ID!) { serverScreenshot(serverId: $id) { mimeType size } }"


async def running_server(client: GraphQLClient) -> str:
    created = await create(client, name="snappy")
    assert (await wait_task(client, created["task"]["id"]))["status"] == "SUCCEEDED"
    return str(created["servers"][0]["id"])


async def snapshot(client: GraphQLClient, server_id: str, name: str = "before", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await client.ok(SNAPSHOT_CREATE, {"in": {"serverId": server_id, "name": name, **extra}})
    )["serverSnapshotCreate"]
    return payload


async def snapshot_act(client: GraphQLClient, verb: str, snapshot_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.ok(SNAPSHOT_ACT % verb, {"id": snapshot_id}))[f"serverSnapshot{verb}"]
    return payload


async def snapshots(client: GraphQLClient, server_id: str) -> list[dict[str, Any]]:
    return [e["node"] for e in (await client.ok(SNAPSHOTS, {"server": server_id}))["serverSnapshots"]["edges"]]


async def test_snapshot_create_list_revert_delete(admin: GraphQLClient, cloud: Cloud) -> None:
    server_id = await running_server(admin)
    created = await snapshot(admin, server_id)
    assert created["errors"] == []
    assert created["snapshot"]["status"] == "CREATING"
    assert created["snapshot"]["server"]["id"] == server_id
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    (listed,) = await snapshots(admin, server_id)
    assert listed["name"] == "before"
    assert listed["status"] == "READY"
    assert listed["includesMemory"] is True  # taken while the server ran

    reverted = await snapshot_act(admin, "Revert", listed["id"])
    assert reverted["errors"] == []
    assert (await wait_task(admin, reverted["task"]["id"]))["status"] == "SUCCEEDED"
    vm = await server(admin, server_id)
    assert vm["status"] == "RUNNING"
    assert vm["task"] is None

    deleted = await snapshot_act(admin, "Delete", listed["id"])
    assert (await wait_task(admin, deleted["task"]["id"]))["status"] == "SUCCEEDED"
    assert await snapshots(admin, server_id) == []
    audited = await admin.ok(
        "query($id: ID!) { auditEvents(filter: {targetId: $id}) { edges { node { operation outcome } } } }",
        {"id": listed["id"]},
    )
    operations = sorted(e["node"]["operation"] for e in audited["auditEvents"]["edges"])
    assert operations == ["serverSnapshotCreate", "serverSnapshotDelete", "serverSnapshotRevert"]


async def test_snapshot_refusals(admin: GraphQLClient, cloud: Cloud) -> None:
    server_id = await running_server(admin)
    first = await snapshot(admin, server_id)
    # The first snapshot holds the server until it is done.
    busy = await snapshot(admin, server_id, name="second")
    assert [e["code"] for e in busy["errors"]] == ["BUSY"]
    assert (await wait_task(admin, first["task"]["id"]))["status"] == "SUCCEEDED"

    invalid = await snapshot(admin, server_id, name="bad name!")
    assert invalid["errors"][0]["field"] == "name"
    unknown = await snapshot_act(admin, "Revert", "not-an-id")
    assert [e["code"] for e in unknown["errors"]] == ["INVALID_ID"]

    stop = await act(admin, "Delete", server_id)
    assert (await wait_task(admin, stop["task"]["id"]))["status"] == "SUCCEEDED"
    gone = await snapshot(admin, server_id, name="late")
    assert gone["errors"][0]["code"] in ("INVALID_STATE", "NOT_FOUND")
    assert await snapshots(admin, server_id) == []  # deleted with the server


async def test_rebuild_refuses_missing_and_inactive_images(admin: GraphQLClient, cloud: Cloud) -> None:
    server_id = await running_server(admin)
    missing_image = "SW1hZ2U6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"  # Image:<zero uuid>
    refused = (await admin.ok(REBUILD, {"id": server_id, "image": missing_image}))["serverRebuild"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("imageId", "NOT_FOUND")]
    queued = (await create_image(admin, diskFormat="QCOW2"))["image"]["id"]  # never uploaded: not ACTIVE
    refused = (await admin.ok(REBUILD, {"id": server_id, "image": queued}))["serverRebuild"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("imageId", "INVALID_STATE")]
    vm = await server(admin, server_id)
    assert vm["status"] == "RUNNING"
    assert vm["task"] is None


async def test_screenshot_of_a_running_server(admin: GraphQLClient, cloud: Cloud) -> None:
    server_id = await running_server(admin)
    shot = (await admin.ok(SCREENSHOT, {"id": server_id}))["serverScreenshot"]
    assert shot["errors"] == []
    assert shot["task"]["status"] == "SUCCEEDED"
    assert shot["screenshot"]["mimeType"] == "image/png"
    assert shot["screenshot"]["dataUrl"].startswith("data:image/png;base64,")
    latest = (await admin.ok(LATEST_SCREENSHOT, {"id": server_id}))["serverScreenshot"]
    assert latest == {"mimeType": "image/png", "size": shot["screenshot"]["size"]}

    stop = await admin.ok(
        "mutation($id: ID!) { serverStop(input: {id: $id, force: true}) { task { id } } }", {"id": server_id}
    )
    assert (await wait_task(admin, stop["serverStop"]["task"]["id"]))["status"] == "SUCCEEDED"
    refused = (await admin.ok(SCREENSHOT, {"id": server_id}))["serverScreenshot"]
    assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]


async def test_a_rebuild_the_host_cannot_do_leaves_the_server_as_it_was(
    admin: GraphQLClient, cloud: Cloud, tmp_path: Any
) -> None:
    server_id = await running_server(admin)
    path = tmp_path / "tiny.qcow2"
    command = ["qemu-img", "create", "-q", "-f", "qcow2", str(path), "16M"]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=30)
    image, response = await upload(admin, path, "QCOW2")
    assert response.status_code == 201, response.text
    # This host agent has no API serving images to it: fetching the new image fails on the host.
    rebuilt = (await admin.ok(REBUILD, {"id": server_id, "image": image["id"]}))["serverRebuild"]
    assert rebuilt["errors"] == []
    task = await wait_task(admin, rebuilt["task"]["id"])
    assert task["status"] == "FAILED"
    assert "cannot fetch image" in task["error"]
    vm = await server(admin, server_id)
    assert vm["status"] == "RUNNING"
    assert vm["task"] is None
    assert "could not rebuild" in vm["error"]


async def test_snapshots_and_screenshots_are_private_to_their_project(
    admin: GraphQLClient,
    tenants: tuple[GraphQLClient, GraphQLClient],  # noqa: F811
) -> None:
    blue, red = tenants
    server_id = await running_server(blue)
    taken = await snapshot(blue, server_id, name="mine")
    assert (await wait_task(blue, taken["task"]["id"]))["status"] == "SUCCEEDED"
    assert (await blue.ok(SCREENSHOT, {"id": server_id}))["serverScreenshot"]["errors"] == []

    assert (await red.ok("{ serverSnapshots { totalCount } }"))["serverSnapshots"]["totalCount"] == 0
    assert (await red.ok("query($id: ID!) { node(id: $id) { id } }", {"id": taken["snapshot"]["id"]}))["node"] is None
    assert (await red.ok(LATEST_SCREENSHOT, {"id": server_id}))["serverScreenshot"] is None
    for verb in ("Revert", "Delete"):
        refused = await snapshot_act(red, verb, taken["snapshot"]["id"])
        assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in (await snapshot(red, server_id, name="theirs"))["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in (await red.ok(SCREENSHOT, {"id": server_id}))["serverScreenshot"]["errors"]] == [
        "NOT_FOUND"
    ]
    assert (await blue.ok("{ serverSnapshots { totalCount } }"))["serverSnapshots"]["totalCount"] == 1


SAVE_IMAGE = """mutation($id: ID!) { imageCreateFromServer(input: {serverId: $id, name: "golden"}) {
  image { id status } task { id } errors { field message code } } }"""
IMAGE_STATUS = "query($id: ID!) { node(id: $id) { ... on Image { status error } } }"


async def test_a_failed_save_as_image_kills_the_image_and_leaves_the_server(admin: GraphQLClient, cloud: Cloud) -> None:
    server_id = await running_server(admin)
    saved = (await admin.ok(SAVE_IMAGE, {"id": server_id}))["imageCreateFromServer"]
    assert saved["errors"] == []
    assert saved["image"]["status"] == "QUEUED"
    # The test driver keeps its snapshots in memory, not in the qcow2 file the copy reads.
    task = await wait_task(admin, saved["task"]["id"])
    assert task["status"] == "FAILED"
    assert "could not save the server's disk as an image" in task["error"]
    image = (await admin.ok(IMAGE_STATUS, {"id": saved["image"]["id"]}))["node"]
    assert image["status"] == "KILLED"
    assert "could not save" in image["error"]
    vm = await server(admin, server_id)
    assert (vm["status"], vm["task"]) == ("RUNNING", None)
