"""Cold migration and host maintenance through GraphQL, the worker and two host agents (each its
own libvirt connection and storage directory; the disks travel over NBD between them)."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.disk_helpers import DISK_CREATE, mutate
from tests.compute.test_compute_isolation import tenant
from tests.compute.test_crash_recovery import Process
from tests.compute.test_servers import act, create, server
from tests.compute.test_snapshots import snapshot
from tests.conftest import GraphQLClient

MIGRATE = """mutation($in: ServerMigrateInput!) { serverMigrate(input: $in) {
  server { id status } task { id kind } errors { field message code } } }"""
ENTER = """mutation($id: ID!) { hostMaintenanceEnter(input: {id: $id}) {
  host { id status } task { id kind } errors { field message code } } }"""
LIVE = """mutation($in: ServerLiveMigrateInput!) { serverLiveMigrate(input: $in) {
  server { id status } task { id } errors { field message code } } }"""
EXIT = """mutation($id: ID!) { hostMaintenanceExit(input: {id: $id}) { host { status } errors { code } } }"""
DRAIN = "query($id: ID!) { node(id: $id) { ... on Task { status result subtasks { kind status } } } }"
AUDIT = "{ auditEvents(first: 50) { edges { node { operation outcome } } } }"
HOST_UPDATE = """mutation($in: HostUpdateInput!) { hostUpdate(input: $in) { errors { code } } }"""
MARK = "0xab"


def raw_id(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "==").decode().split(":", 1)[1]


def qemu_io(disk: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qemu-io", "-f", "qcow2", "-c", command, str(disk)], capture_output=True, text=True)


def agent_domains(cloud: Cloud, name: str) -> dict[str, str]:
    """What the agent's own libvirt connection holds: server id -> power state."""
    for worker in cloud.workers:
        agent = worker.ctx.get("agent")
        if agent is not None and agent.host_name == name:
            return {d.server_id: d.status.value for d in agent.driver.list_domains()}
    raise AssertionError(f"no agent {name}")


async def host_ids(admin: GraphQLClient) -> dict[str, dict[str, Any]]:
    return {h["name"]: h for h in await hosts(admin)}


# test:///default is one shared node per process; a node file of its own gives h2 its own libvirt.
NODE = """<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>8</cores><threads>2</threads>
<active>16</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>8388608</memory></node>"""


@pytest.fixture
async def two_hosts(admin: GraphQLClient, cloud: Cloud, tmp_path: Path) -> dict[str, dict[str, Any]]:
    node = tmp_path / "h2-node.xml"
    node.write_text(NODE)
    await cloud.start_agent("h2", f"test://{node}")

    async def both() -> dict[str, dict[str, Any]] | None:
        found = await host_ids(admin)
        return found if found.get("h2", {}).get("status") == "ONLINE" else None

    found: dict[str, dict[str, Any]] = await wait_for(both)
    return found


async def running_on(admin: GraphQLClient, host_id: str, **spec: Any) -> str:
    created = await create(admin, hostId=host_id, **spec)
    assert created["errors"] == [], created
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    return str(created["servers"][0]["id"])


async def migrate(admin: GraphQLClient, server_id: str, host_id: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = (await admin.ok(MIGRATE, {"in": {"id": server_id, "hostId": host_id}}))["serverMigrate"]
    return payload


@pytest.mark.timeout(60)
async def test_cold_migration_moves_disk_and_domain_and_leaves_nothing_on_the_source(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    server_id = await running_on(admin, two_hosts["h1"]["id"], name="mover")
    uid = raw_id(server_id)
    stop = await act(admin, "Stop", server_id)
    assert (await wait_task(admin, stop["task"]["id"]))["status"] == "SUCCEEDED"
    (source_disk,) = (cloud.storage / "h1" / uid).glob("*.qcow2")
    assert qemu_io(source_disk, f"write -P {MARK} 1M 64k").returncode == 0  # what the guest wrote
    start = await act(admin, "Start", server_id)
    assert (await wait_task(admin, start["task"]["id"]))["status"] == "SUCCEEDED"

    moved = await migrate(admin, server_id)  # the scheduler picks the only other host
    assert moved["errors"] == []
    assert moved["server"]["status"] == "MIGRATING"
    task = await wait_task(admin, moved["task"]["id"], timeout=40)
    assert task["status"] == "SUCCEEDED", task

    vm = await server(admin, server_id)
    assert vm["host"]["name"] == "h2"
    assert vm["status"] == "RUNNING"
    assert vm["task"] is None
    assert agent_domains(cloud, "h2") == {uid: "running"}
    assert uid not in agent_domains(cloud, "h1")
    assert not (cloud.storage / "h1" / uid).exists()
    (target_disk,) = (cloud.storage / "h2" / uid).glob("*.qcow2")
    assert target_disk.name == source_disk.name
    assert qemu_io(target_disk, f"read -P {MARK} 1M 64k").returncode == 0, "the data did not travel"
    usage = await host_ids(admin)
    assert (usage["h1"]["vcpusUsed"], usage["h1"]["serversCount"]) == (0, 0)
    assert (usage["h2"]["vcpusUsed"], usage["h2"]["memoryUsedMb"], usage["h2"]["serversCount"]) == (1, 128, 1)
    operations = [e["node"] for e in (await admin.ok(AUDIT))["auditEvents"]["edges"]]
    assert {"operation": "serverMigrate", "outcome": "SUCCESS"} in operations


async def test_refusals_are_payload_errors(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    h1, h2 = two_hosts["h1"]["id"], two_hosts["h2"]["id"]
    server_id = await running_on(admin, h1, vcpus=2)
    await admin.ok(HOST_UPDATE, {"in": {"id": h2, "cpuRatio": 0.1}})  # room for one vCPU at most

    full = await migrate(admin, server_id, h2)
    assert full["server"] is None
    assert full["errors"][0]["code"] == "NO_CAPACITY", full
    assert "2 vCPU" in full["errors"][0]["message"]
    same = await migrate(admin, server_id, h1)
    assert same["errors"] == [{"field": "hostId", "message": "The server is already on this host", "code": "INVALID"}]
    nowhere = await migrate(admin, server_id)
    assert nowhere["errors"][0]["code"] == "NO_CAPACITY"

    vm = await server(admin, server_id)
    assert (vm["status"], vm["host"]["name"], vm["task"]) == ("RUNNING", "h1", None)
    assert (await host_ids(admin))["h2"]["vcpusUsed"] == 0


async def test_migration_is_for_administrators(
    admin: GraphQLClient, gql: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    member = await tenant(admin, gql, "blue", "bob")
    created = await create(member, name="mine")
    server_id = created["servers"][0]["id"]
    await wait_task(member, created["task"]["id"])
    response = await member.raw(MIGRATE, {"in": {"id": server_id}})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await server(admin, server_id))["status"] == "RUNNING"
    denied = [e["node"] for e in (await admin.ok(AUDIT))["auditEvents"]["edges"]]
    assert {"operation": "serverMigrate", "outcome": "DENIED"} in denied


@pytest.mark.timeout(60)
async def test_a_failing_target_leaves_the_server_running_on_its_source_with_claims_released(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    server_id = await running_on(admin, two_hosts["h1"]["id"], name="stays")
    uid = raw_id(server_id)
    # The target cannot make the server's directory: its pull of the disks fails.
    (cloud.storage / "h2").mkdir(parents=True, exist_ok=True)
    (cloud.storage / "h2" / uid).write_text("in the way")

    moved = await migrate(admin, server_id, two_hosts["h2"]["id"])
    assert moved["errors"] == []
    task = await wait_task(admin, moved["task"]["id"], timeout=40)
    assert task["status"] == "FAILED"
    assert "could not move" in task["error"]

    vm = await server(admin, server_id)
    assert (vm["status"], vm["host"]["name"], vm["task"]) == ("RUNNING", "h1", None)
    assert "could not move" in vm["error"]
    usage = await host_ids(admin)
    assert (usage["h1"]["vcpusUsed"], usage["h2"]["vcpusUsed"], usage["h2"]["serversCount"]) == (1, 0, 0)
    assert list((cloud.storage / "h1" / uid).glob("*.qcow2"))

    async def restarted() -> bool:
        return agent_domains(cloud, "h1").get(uid) == "running"

    await wait_for(restarted)  # the move had stopped it: it runs again where it was
    assert uid not in agent_domains(cloud, "h2")


@pytest.mark.timeout(90)
async def test_maintenance_drains_the_host_and_the_scheduler_skips_it(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    h1 = two_hosts["h1"]["id"]
    running = await running_on(admin, h1, name="a")
    stopped = await running_on(admin, h1, name="b")
    stop = await act(admin, "Stop", stopped)
    await wait_task(admin, stop["task"]["id"])

    entered = (await admin.ok(ENTER, {"id": h1}))["hostMaintenanceEnter"]
    assert entered["errors"] == []
    assert entered["host"]["status"] == "MAINTENANCE"
    assert entered["task"]["kind"] == "host.drain"
    drain = await wait_task(admin, entered["task"]["id"], timeout=60)
    assert drain["status"] == "SUCCEEDED", drain
    assert drain["result"] == {"migrated": 2, "skipped": {}}
    subtasks = (await admin.ok(DRAIN, {"id": entered["task"]["id"]}))["node"]["subtasks"]
    assert [s["kind"] for s in subtasks] == ["server.migrate", "server.migrate"]

    assert (await server(admin, running))["status"] == "RUNNING"
    assert (await server(admin, running))["host"]["name"] == "h2"
    assert (await server(admin, stopped))["status"] == "STOPPED"
    assert (await server(admin, stopped))["host"]["name"] == "h2"
    assert agent_domains(cloud, "h1") == {}

    newcomer = await create(admin, name="new")
    assert (await wait_task(admin, newcomer["task"]["id"]))["status"] == "SUCCEEDED"
    assert (await server(admin, newcomer["servers"][0]["id"]))["host"]["name"] == "h2"
    assert (await host_ids(admin))["h1"]["status"] == "MAINTENANCE"  # heartbeats keep it there

    left = (await admin.ok(EXIT, {"id": h1}))["hostMaintenanceExit"]
    assert left == {"host": {"status": "ONLINE"}, "errors": []}
    again = (await admin.ok(EXIT, {"id": h1}))["hostMaintenanceExit"]
    assert again["errors"] == [{"code": "INVALID_STATE"}]


@pytest.mark.timeout(90)
async def test_a_target_agent_killed_mid_migration_leaves_the_server_on_its_source(
    admin: GraphQLClient,
    cloud: Cloud,
    app: Starlette,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.services, "create_deadline_s", 5.0)
    monkeypatch.setattr(app.state.services, "action_deadline_s", 5.0)
    node = tmp_path / "doomed-node.xml"
    node.write_text(NODE)
    storage = tmp_path / "doomed-disks"
    args = ["agent", "host", "--libvirt-uri", f"test://{node}", "--name", "doomed", "--storage-dir", str(storage)]
    agent = Process(args, settings, tmp_path / "agent.log")
    try:
        found = await wait_for(lambda: _online(admin, "doomed"))
        server_id = await running_on(admin, found["h1"]["id"], name="anchored")
        uid = raw_id(server_id)
        agent.kill9()  # the host still looks ONLINE: its last heartbeat is recent
        moved = await migrate(admin, server_id, found["doomed"]["id"])
        assert moved["errors"] == []
        task = await wait_task(admin, moved["task"]["id"], timeout=40)
        assert task["status"] == "FAILED"
        assert "deadline exceeded" in task["error"]
    finally:
        agent.stop()
    vm = await server(admin, server_id)
    assert (vm["status"], vm["host"]["name"], vm["task"]) == ("RUNNING", "h1", None)
    usage = await host_ids(admin)
    assert (usage["doomed"]["vcpusUsed"], usage["doomed"]["serversCount"]) == (0, 0)
    assert (usage["h1"]["vcpusUsed"], usage["h1"]["serversCount"]) == (1, 1)
    assert list((cloud.storage / "h1" / uid).glob("*.qcow2"))

    async def restarted() -> bool:
        return agent_domains(cloud, "h1").get(uid) == "running"

    await wait_for(restarted)


async def test_live_migration_failures_leave_the_guest_where_it_runs(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    server_id = await running_on(admin, two_hosts["h1"]["id"], name="pinned")
    uid = raw_id(server_id)
    # libvirt's test driver cannot migrate: the failure comes from libvirt itself.
    moved = (await admin.ok(LIVE, {"in": {"id": server_id}}))["serverLiveMigrate"]
    assert moved["errors"] == []
    task = await wait_task(admin, moved["task"]["id"], timeout=30)
    assert task["status"] == "FAILED"
    assert "live-migrate" in task["error"]
    vm = await server(admin, server_id)
    assert (vm["status"], vm["host"]["name"]) == ("RUNNING", "h1")
    assert agent_domains(cloud, "h1") == {uid: "running"}
    assert (await host_ids(admin))["h2"]["vcpusUsed"] == 0

    stop = await act(admin, "Stop", server_id)
    await wait_task(admin, stop["task"]["id"])
    stopped = (await admin.ok(LIVE, {"in": {"id": server_id}}))["serverLiveMigrate"]
    assert stopped["errors"][0]["code"] == "INVALID_STATE"


@pytest.mark.timeout(60)
async def test_a_drain_that_cannot_move_a_server_fails_and_keeps_it(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]]
) -> None:
    h1, h2 = two_hosts["h1"]["id"], two_hosts["h2"]["id"]
    big = await running_on(admin, h1, name="big", vcpus=2)
    await admin.ok(HOST_UPDATE, {"in": {"id": h2, "cpuRatio": 0.1}})
    entered = (await admin.ok(ENTER, {"id": h1}))["hostMaintenanceEnter"]
    drain = await wait_task(admin, entered["task"]["id"])
    assert drain["status"] == "FAILED"
    assert drain["result"]["migrated"] == 0
    assert "No host has room" in drain["result"]["skipped"][raw_id(big)]
    assert (await server(admin, big))["host"]["name"] == "h1"
    assert (await host_ids(admin))["h1"]["status"] == "MAINTENANCE"


async def _online(admin: GraphQLClient, name: str) -> dict[str, dict[str, Any]] | None:
    found = await host_ids(admin)
    return found if found.get(name, {}).get("status") == "ONLINE" else None


async def test_what_does_not_travel_with_a_server_keeps_it_in_place(
    admin: GraphQLClient, cloud: Cloud, two_hosts: dict[str, dict[str, Any]], engine: AsyncEngine
) -> None:
    """Snapshots live inside the source's disk files and volumes on its storage: refused, not lost."""
    h1, h2 = two_hosts["h1"]["id"], two_hosts["h2"]["id"]
    server_id = await running_on(admin, h1, name="anchored")
    taken = await snapshot(admin, server_id)
    assert (await wait_task(admin, taken["task"]["id"]))["status"] == "SUCCEEDED"
    refused = await migrate(admin, server_id, h2)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_STATE", "id")]
    assert "snapshots" in refused["errors"][0]["message"]

    other = await running_on(admin, h1, name="with-volume")
    made = await mutate(admin, DISK_CREATE, **{"in": {"name": "data", "sizeGb": 1, "serverId": other}})
    assert (await wait_task(admin, made["task"]["id"]))["status"] == "SUCCEEDED"
    # The test hypervisor cannot hotplug: the volume is attached in the database, as a cold attach would.
    async with engine.begin() as conn:
        attach = text("UPDATE compute_disk SET server_id = :server WHERE id = :disk")
        await conn.execute(attach, {"server": raw_id(other), "disk": raw_id(made["disk"]["id"])})
    attached = await migrate(admin, other, h2)
    assert "volumes attached" in attached["errors"][0]["message"]
    for kept in (server_id, other):
        vm = await server(admin, kept)
        assert (vm["status"], vm["host"]["name"], vm["task"]) == ("RUNNING", "h1", None)
    assert (await host_ids(admin))["h2"]["vcpusUsed"] == 0
