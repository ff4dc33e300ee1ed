"""A failure injected in the middle of a volume, hotplug or resize task: the undo leaves the server
as it was (or the disk in a clear ERROR) and gives back every bit of capacity the change took."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents.host.driver import DriverError
from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import DomainState, ServerSpec
from nimbus.settings import Settings
from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.disk_helpers import DISK, DISK_ATTACH, DISK_CREATE, RESIZE, SERVER, mutate, node
from tests.compute.test_servers import create
from tests.conftest import GraphQLClient

FAILING_MEMORY_MB = 320
FAILING_VOLUME_GB = 7


class FailingDriver(LibvirtDriver):
    """The test driver, failing exactly the steps these tests pick (an explicit fake for injection)."""

    def redefine(self, spec: ServerSpec) -> DomainState:
        if spec.memory_mb == FAILING_MEMORY_MB:
            raise DriverError("injected: the new definition was refused")
        return super().redefine(spec)

    def attach_disk(self, server_id: str, path: str) -> str:
        raise DriverError("injected: the hypervisor refused the disk")

    def create_volume(self, disk_id: str, size_gb: int) -> str:
        if size_gb == FAILING_VOLUME_GB:
            raise DriverError("injected: no space left on device")
        return super().create_volume(disk_id, size_gb)


@pytest.fixture
async def failing_cloud(
    settings: Settings, tmp_path: Path, admin: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Cloud]:
    monkeypatch.setattr("agents.host.libvirt_driver.LibvirtDriver", FailingDriver)
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()
    await cloud.start_agent("h1")

    async def registered() -> bool:
        return any(h["name"] == "h1" and h["status"] == "ONLINE" for h in await hosts(admin))

    await wait_for(registered)
    yield cloud
    await cloud.stop()


async def _running_server(admin: GraphQLClient) -> str:
    created = await create(admin, memoryMb=128)
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    return str(created["servers"][0]["id"])


async def _usage(admin: GraphQLClient) -> tuple[Any, ...]:
    edges = (await admin.ok("{ hosts { edges { node { vcpusUsed memoryUsedMb storageUsedGb } } } }"))["hosts"]
    (host,) = [e["node"] for e in edges["edges"]]
    return (host["vcpusUsed"], host["memoryUsedMb"], host["storageUsedGb"])


async def test_a_cold_resize_failing_mid_way_restores_the_server(admin: GraphQLClient, failing_cloud: Cloud) -> None:
    server_id = await _running_server(admin)
    before = await _usage(admin)
    started = await mutate(admin, RESIZE, **{"in": {"id": server_id, "memoryMb": FAILING_MEMORY_MB, "live": False}})
    assert started["server"]["status"] == "RESIZING"
    assert await _usage(admin) == (before[0], before[1] + FAILING_MEMORY_MB - 128, before[2])  # claimed at once
    task = await wait_task(admin, started["task"]["id"])
    assert task["status"] == "FAILED"
    assert "injected: the new definition was refused" in task["error"]
    assert task["stage"] == "on_step_1"  # it failed after the stop, at the redefinition
    vm = await node(admin, SERVER, server_id)
    assert (vm["status"], vm["vcpus"], vm["memoryMb"]) == ("RUNNING", 1, 128)
    assert "injected" in vm["error"]
    assert await _usage(admin) == before


async def test_a_failed_attach_leaves_disk_and_server_as_they_were(admin: GraphQLClient, failing_cloud: Cloud) -> None:
    server_id = await _running_server(admin)
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "spare", "sizeGb": 1, "serverId": server_id}})
    assert (await wait_task(admin, made["task"]["id"]))["status"] == "SUCCEEDED"
    attach = await mutate(admin, DISK_ATTACH, id=server_id, disk=made["disk"]["id"])
    assert (attach["server"]["status"], attach["disk"]["status"]) == ("RUNNING", "ATTACHING")
    task = await wait_task(admin, attach["task"]["id"])
    assert task["status"] == "FAILED"
    disk = await node(admin, DISK, made["disk"]["id"])
    assert (disk["status"], disk["server"], disk["device"]) == ("READY", None, None)
    vm = await node(admin, SERVER, server_id)
    assert vm["status"] == "RUNNING"
    assert [d["volume"] for d in vm["disks"]] == [False]


async def test_a_failed_create_leaves_a_clear_error_and_no_storage_held(
    admin: GraphQLClient, failing_cloud: Cloud
) -> None:
    before = await _usage(admin)
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "doomed", "sizeGb": FAILING_VOLUME_GB}})
    task = await wait_task(admin, made["task"]["id"])
    assert task["status"] == "FAILED"
    disk = await node(admin, DISK, made["disk"]["id"])
    assert disk["status"] == "ERROR"
    assert "no space left" in disk["error"]
    assert await _usage(admin) == before
    assert not list((failing_cloud.storage / "h1").rglob("*.qcow2"))
    deleted = await mutate(
        admin,
        "mutation($id: ID!) { diskDelete(input: {id: $id}) { task { id } errors { code } } }",
        id=made["disk"]["id"],
    )
    assert (await wait_task(admin, deleted["task"]["id"]))["status"] == "SUCCEEDED"
    assert await _usage(admin) == before
