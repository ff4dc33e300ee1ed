"""The baremetal-* commands against the real API, worker, baremetal agent and sushy-tools."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from climc.cli import app
from tests.baremetal.peers import Bmc, Machine, machine, sushy_emulator
from tests.compute.conftest import Cloud
from tests.conftest import LiveServer

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def redfish(tmp_path: Path) -> Iterator[tuple[Machine, Bmc]]:
    with machine("climc", memory_mb=1024) as m, sushy_emulator(tmp_path, [m]) as bmc:
        yield m, bmc


async def test_baremetal_commands(
    live_server: LiveServer,
    bmcloud: Cloud,
    redfish: tuple[Machine, Bmc],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NIMBUS_CONFIG_DIR", str(tmp_path / "climc"))
    monkeypatch.setenv("NIMBUS_URL", live_server.url)
    runner = CliRunner()
    m, bmc = redfish

    async def run(*args: str) -> str:
        result = await asyncio.to_thread(runner.invoke, app, list(args))
        assert result.exit_code == 0, (args, result.output)
        return result.output

    await run("login", "-u", "admin", "-p", live_server.admin_password)
    registered = await run(
        "baremetal-register", "rack1-u1", "--protocol", "redfish", "--address", bmc.address,
        "--port", str(bmc.port), "--username", bmc.username, "--password", bmc.password, "--wait",
    )  # fmt: skip
    assert "baremetal.inspect SUCCEEDED" in registered
    [listed] = json.loads(await run("baremetal-list", "-o", "json"))
    assert (listed["name"], listed["status"], listed["cpus"], listed["memoryMb"]) == ("rack1-u1", "READY", 1, 1024)
    host_id = listed["id"]
    assert "SUCCEEDED" in await run("baremetal-power-on", host_id, "--wait")
    assert m.state() == "on"
    assert "SUCCEEDED" in await run("baremetal-reset", host_id, "--wait")
    assert "SUCCEEDED" in await run("baremetal-boot-device", host_id, "pxe", "--wait")
    assert m.boot_order()[0] == "network"
    assert "SUCCEEDED" in await run("baremetal-power-off", host_id, "--wait")
    assert m.state() == "off"
    assert "SUCCEEDED" in await run("baremetal-inspect", host_id, "--wait")
    assert "MAINTENANCE" in await run("baremetal-maintenance", host_id, "--reason", "firmware")
    assert "READY" in await run("baremetal-maintenance", host_id, "--off")
    table = await run("baremetal-list")
    assert "rack1-u1" in table
