"""taskCancel: a queued create is undone and leaves no server; a finished task cannot be cancelled."""

from __future__ import annotations

import pytest

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_for, wait_task
from tests.compute.test_servers import create, server
from tests.conftest import GraphQLClient

CANCEL = "mutation($id: ID!) { taskCancel(input: {id: $id}) { task { status cancelRequested } errors { code } } }"


@pytest.mark.timeout(60)
async def test_cancelling_a_queued_batch_removes_its_servers(
    admin: GraphQLClient, settings: Settings, tmp_path: object
) -> None:
    from pathlib import Path

    cloud = Cloud(settings, Path(str(tmp_path)))
    await cloud.start_agent("h1")  # no worker yet: the batch stays queued
    try:
        created = await create(admin, name="never", count=2)
        cancelled = (await admin.ok(CANCEL, {"id": created["task"]["id"]}))["taskCancel"]
        assert cancelled == {"task": {"status": "QUEUED", "cancelRequested": True}, "errors": []}
        again = (await admin.ok(CANCEL, {"id": created["task"]["id"]}))["taskCancel"]
        assert again["errors"][0]["code"] == "INVALID_STATE"
        await cloud.start_worker()
        task = await wait_task(admin, created["task"]["id"])
        assert task["status"] == "CANCELLED"

        async def both_gone() -> bool:
            states = [(await server(admin, s["id"]))["status"] for s in created["servers"]]
            return states == ["DELETED", "DELETED"]

        await wait_for(both_gone)
        hosts = (await admin.ok("{ hosts { edges { node { serversCount memoryUsedMb } } } }"))["hosts"]["edges"]
        assert hosts[0]["node"] == {"serversCount": 0, "memoryUsedMb": 0}
    finally:
        await cloud.stop()


async def test_a_finished_task_cannot_be_cancelled(admin: GraphQLClient, cloud: Cloud) -> None:
    created = await create(admin, name="done")
    await wait_task(admin, created["task"]["id"])
    refused = (await admin.ok(CANCEL, {"id": created["task"]["id"]}))["taskCancel"]
    assert refused["errors"][0]["code"] == "INVALID_STATE"
