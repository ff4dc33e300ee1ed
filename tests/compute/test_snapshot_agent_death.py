"""A snapshot whose host agent dies before answering: the reaper fails it at its deadline and the
server is handed back as it was, with no snapshot left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_for, wait_task
from tests.compute.test_crash_recovery import Process, _online, processes  # noqa: F401  (fixture)
from tests.compute.test_servers import create, server
from tests.compute.test_snapshots import snapshot, snapshots
from tests.conftest import GraphQLClient


@pytest.mark.timeout(90)
async def test_a_snapshot_whose_agent_died_fails_and_leaves_the_server_as_it_was(
    admin: GraphQLClient,
    app: Starlette,
    settings: Settings,
    tmp_path: Path,
    processes: list[Process],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent_args = ["agent", "host", "--libvirt-uri", "test:///default", "--name", "snap-doomed"]
    agent = Process([*agent_args, "--storage-dir", str(tmp_path / "disks")], settings, tmp_path / "agent.log")
    processes.append(agent)
    cloud = Cloud(settings, tmp_path)
    await cloud.start_worker()
    try:
        await wait_for(lambda: _online(admin, "snap-doomed"))
        created = await create(admin, name="stranded")
        assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
        server_id = created["servers"][0]["id"]
        agent.kill9()  # the host still looks ONLINE: its last heartbeat is recent
        monkeypatch.setattr(app.state.services, "action_deadline_s", 4.0)

        started = await snapshot(admin, server_id, name="never")
        assert started["errors"] == []
        task = await wait_task(admin, started["task"]["id"], timeout=30)
        assert task["status"] == "FAILED"
        assert "deadline exceeded" in task["error"]
        vm = await server(admin, server_id)
        assert vm["status"] == "RUNNING"
        assert vm["task"] is None
        assert await snapshots(admin, server_id) == []
    finally:
        await cloud.stop()
