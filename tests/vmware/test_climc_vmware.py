"""The vmware-account-* commands and server verbs on VMware servers, against the real API and agent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from pyVim.connect import Disconnect
from typer.testing import CliRunner

from climc.cli import app
from tests.conftest import LiveServer
from tests.vmware.conftest import VmwareCloud, _raw_id, sim_vms
from tests.vmware.vcsim import Vcsim

Run = Callable[..., Awaitable[str]]


@pytest.fixture
def climc(live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("NIMBUS_CONFIG_DIR", str(tmp_path / "climc"))
    monkeypatch.setenv("NIMBUS_URL", live_server.url)
    runner = CliRunner()

    async def run(*args: str) -> str:
        result = await asyncio.to_thread(runner.invoke, app, list(args))
        assert result.exit_code == 0, (args, result.output)
        return result.output

    return run


async def test_accounts_and_vmware_servers_from_climc(
    climc: Run, live_server: LiveServer, platform: VmwareCloud, vcsim: Vcsim
) -> None:
    await climc("login", "-u", "admin", "-p", live_server.admin_password)
    out = await climc(
        "vmware-account-create", "lab", "--endpoint", vcsim.url, "--username", vcsim.username,
        "--password", vcsim.password,
    )  # fmt: skip
    account = json.loads(await climc("vmware-account-list", "-o", "json"))[0]
    assert account["name"] == "lab"
    assert "password" not in json.dumps(account)
    platform.start_esxi_agent(_raw_id(account["id"]))
    assert "Created VMware account lab" in out
    await climc("vmware-account-sync", account["id"], "--wait")
    table = await climc("vmware-account-list")
    assert "CONNECTED" in table

    listed = json.loads(await climc("server-list", "-o", "json"))
    source = next(s for s in listed if s["status"] == "RUNNING")
    await climc("server-stop", source["id"], "--wait")
    await climc("server-start", source["id"], "--wait")
    await climc("server-snapshot", "create", source["id"], "s1", "--wait")
    await climc("server-clone", source["id"], "lab-copy", "--wait")
    copy = next(s for s in json.loads(await climc("server-list", "-o", "json")) if s["name"] == "lab-copy")
    await climc("server-reconfigure", copy["id"], "--vcpus", "2", "--memory-mb", "256", "--wait")
    si = vcsim.connect()
    try:
        vm = sim_vms(si)["lab-copy"]
        assert (vm.config.hardware.numCPU, vm.config.hardware.memoryMB) == (2, 256)
        assert sim_vms(si)[source["name"]].snapshot.rootSnapshotList[0].name == "s1"
        await climc("server-delete", copy["id"], "--wait")
        assert "lab-copy" not in sim_vms(si)
    finally:
        Disconnect(si)
