"""Tasks survive a kill -9 of the worker, and the reaper undoes what a dead agent left half-done."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from agents.host.libvirt_driver import LibvirtDriver
from agents.host.protocol import ServerSpec
from nimbus.settings import Settings
from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_servers import create, server
from tests.conftest import GraphQLClient

BIN = Path(sys.executable).parent
TASK_STAGE = "query($id: ID!) { node(id: $id) { ... on Task { status stage } } }"


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIMBUS_")}
    env.update(
        NIMBUS_DATABASE_URL=settings.effective_database_url,
        NIMBUS_REDIS_URL=settings.redis_url or "",
        NIMBUS_REDIS_PREFIX=settings.redis_prefix,
        NIMBUS_SECRET_KEY=settings.secret_key or "",
        NIMBUS_TASK_STALL_SECONDS="2",
        NIMBUS_LOG_LEVEL="WARNING",
    )
    return env


class Process:
    def __init__(self, args: list[str], settings: Settings, log: Path) -> None:
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "nimbus"), *args], env=_env(settings), stdout=out, stderr=subprocess.STDOUT
            )

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for p in started:
        p.stop()


class SlowDriver(LibvirtDriver):
    """The test driver, with a create slow enough to kill the worker while the agent works."""

    def create(self, spec: ServerSpec) -> Any:
        time.sleep(2)
        return super().create(spec)


@pytest.mark.timeout(90)
async def test_a_create_finishes_after_the_worker_is_killed(
    admin: GraphQLClient, settings: Settings, tmp_path: Path, processes: list[Process], monkeypatch: Any
) -> None:
    import nimbus.processes

    monkeypatch.setattr("agents.host.libvirt_driver.LibvirtDriver", SlowDriver)
    cloud = Cloud(settings, tmp_path)
    await cloud.start_agent("h1")  # in this process, with the slow driver
    worker = Process(["worker"], settings, tmp_path / "worker1.log")
    processes.append(worker)
    try:
        await wait_for(lambda: _online(admin, "h1"))
        created = await create(admin, name="survivor")
        task_id = created["task"]["id"]

        async def waiting_on_agent() -> bool:
            task = (await admin.ok(TASK_STAGE, {"id": task_id}))["node"]
            return bool(task["stage"] == "on_created")

        await wait_for(waiting_on_agent)
        worker.kill9()  # the agent replies into the queue while no worker runs
        await asyncio.sleep(2.5)
        assert (await admin.ok(TASK_STAGE, {"id": task_id}))["node"]["status"] == "RUNNING"
        processes.append(Process(["worker"], settings, tmp_path / "worker2.log"))
        task = await wait_task(admin, task_id, timeout=30)
        assert task["status"] == "SUCCEEDED", task
        assert (await server(admin, created["servers"][0]["id"]))["status"] == "RUNNING"
    finally:
        await cloud.stop()
    assert nimbus.processes  # the module used the patched driver class through its lazy import


@pytest.mark.timeout(90)
async def test_a_worker_killed_mid_stage_is_recovered_by_the_sweeper(
    admin: GraphQLClient, settings: Settings, tmp_path: Path, processes: list[Process]
) -> None:
    cloud = Cloud(settings, tmp_path)
    await cloud.start_agent("h1")
    first = Process(["worker"], settings, tmp_path / "w1.log")
    processes.append(first)
    try:
        await wait_for(lambda: _online(admin, "h1"))
        created = await create(admin, name="burst", count=5)
        first.kill9()  # somewhere in the middle of five creates
        processes.append(Process(["worker"], settings, tmp_path / "w2.log"))
        task = await wait_task(admin, created["task"]["id"], timeout=60)
        assert task["status"] == "SUCCEEDED", task
        listed = await admin.ok("{ servers { edges { node { status } } } }")
        assert [e["node"]["status"] for e in listed["servers"]["edges"]] == ["RUNNING"] * 5
    finally:
        await cloud.stop()


@pytest.mark.timeout(90)
async def test_the_reaper_fails_a_task_whose_agent_died_and_releases_everything(
    admin: GraphQLClient,
    app: Starlette,
    settings: Settings,
    tmp_path: Path,
    processes: list[Process],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.services, "create_deadline_s", 4.0)
    agent = Process(
        [
            "agent",
            "host",
            "--libvirt-uri",
            "test:///default",
            "--name",
            "doomed",
            "--storage-dir",
            str(tmp_path / "disks"),
        ],
        settings,
        tmp_path / "agent.log",
    )
    processes.append(agent)
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()
    try:
        await wait_for(lambda: _online(admin, "doomed"))
        network = (
            await admin.ok('mutation { networkCreate(input: {name: "n", cidr: "10.30.0.0/29"}) { network { id } } }')
        )["networkCreate"]["network"]["id"]
        agent.kill9()  # the host still looks ONLINE: its last heartbeat is recent
        created = await create(admin, name="stranded", networkId=network)
        task = await wait_task(admin, created["task"]["id"], timeout=30)
        assert task["status"] == "FAILED"
        assert "deadline exceeded" in task["error"]
        vm = await server(admin, created["servers"][0]["id"])
        assert vm["status"] == "ERROR"
        assert vm["host"] is None
        assert vm["nics"] == []
        (host,) = [h for h in await hosts(admin) if h["name"] == "doomed"]
        assert (host["vcpusUsed"], host["memoryUsedMb"], host["serversCount"]) == (0, 0, 0)
        again = await create(admin, name="next", networkId=network, memoryMb=64)
        assert again["errors"] == []  # the address went back to the pool (a /29 has 6)
    finally:
        await cloud.stop()


async def _online(admin: GraphQLClient, name: str) -> bool:
    return any(h["name"] == name and h["status"] == "ONLINE" for h in await hosts(admin))
