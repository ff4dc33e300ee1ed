"""The cloud-account-* and sku-list commands, and server-create on AWS, against the real API and moto."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from climc.cli import app
from tests.cloud.conftest import Moto, instance_states
from tests.compute.conftest import Cloud
from tests.conftest import GraphQLClient, LiveServer

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


def _id(output: str) -> str:
    found = re.findall(r"\(([A-Za-z0-9_=-]{20,})\)", output)
    assert found, output
    return found[0]


async def test_cloud_commands(
    climc: Run, live_server: LiveServer, admin: GraphQLClient, moto: Moto, worker: Cloud
) -> None:
    await climc("login", "-u", "admin", "-p", live_server.admin_password)
    created = await climc(
        "cloud-account-create", "aws-cli", "--region", "us-east-1",
        "-c", "access_key_id=AKIDNIMBUSTEST", "-c", "secret_access_key=secret",
        "--config", json.dumps(moto.config()),
    )  # fmt: skip
    account = _id(created)
    synced = await climc("cloud-account-sync", account, "--wait")
    assert "cloud.account_sync SUCCEEDED" in synced

    listed = json.loads(await climc("cloud-account-list", "-o", "json"))
    assert [(a["name"], a["status"]) for a in listed] == [("aws-cli", "READY")]
    assert "secret" not in json.dumps(listed)
    skus = json.loads(await climc("sku-list", "--min-vcpus", "4", "-o", "json"))
    assert [s["name"] for s in skus] == ["c5.xlarge"]

    made = await climc("server-create", "cli1", "--vcpus", "2", "--memory", "1024", "--hypervisor", "AWS", "--wait")
    assert "cloud.server.create SUCCEEDED" in made
    assert list(instance_states(moto).values()) == ["running"]
    stopped = await climc("server-stop", _id(made), "--wait")
    assert "cloud.server.stop SUCCEEDED" in stopped
    assert list(instance_states(moto).values()) == ["stopped"]

    await climc("cloud-account-delete", account)
    assert json.loads(await climc("cloud-account-list", "-o", "json")) == []
