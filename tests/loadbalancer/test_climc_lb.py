"""The lb-* commands against the real API, worker, lb agent and haproxy."""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from climc.cli import app
from tests.conftest import LiveServer, free_port
from tests.loadbalancer.conftest import Backend, LbCloud, make_certificate

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


async def test_a_load_balancer_built_with_climc_serves_traffic(
    climc: Run, live_server: LiveServer, lbcloud: LbCloud, backends: list[Backend], tmp_path: Path
) -> None:
    run = climc
    await run("login", "-u", "admin", "-p", live_server.admin_password)
    lb = _id(await run("lb-create", "web", "--vip", "127.0.0.1", "--wait"))
    group = _id(
        await run("lb-backend-group-create", lb, "pool", "--check", "http", "--check-path", "/health", "--wait")
    )
    for backend in backends:
        await run("lb-backend-add", group, "--address", "127.0.0.1", "--port", str(backend.port), "--wait")
    cert_pem, key_pem = make_certificate()
    (tmp_path / "c.pem").write_text(cert_pem)
    (tmp_path / "k.pem").write_text(key_pem)
    cert = _id(await run("lb-cert-upload", "site", "--cert", str(tmp_path / "c.pem"), "--key", str(tmp_path / "k.pem")))
    port = free_port()
    listener = _id(
        await run(
            "lb-listener-create",
            lb,
            "--protocol",
            "https",
            "--port",
            str(port),
            "--backend-group",
            group,
            "--certificate",
            cert,
            "--wait",
        )
    )
    async with httpx.AsyncClient(verify=ssl.create_default_context(cadata=cert_pem)) as http:
        assert (await http.get(f"https://127.0.0.1:{port}/")).text in ("b1", "b2")

    listed = json.loads(await run("lb-list", "-o", "json"))
    assert [(x["name"], x["status"], x["vip"]) for x in listed] == [("web", "ACTIVE", "127.0.0.1")]
    assert "HTTPS" in await run("lb-listener-list", lb)
    assert "PRIVATE KEY" not in await run("lb-cert-list", "-o", "json")

    acl = _id(await run("lb-acl-create", "loopback", "--cidr", "127.0.0.0/8"))
    await run("lb-listener-update", listener, "--acl", acl, "--acl-type", "deny", "--wait")
    with pytest.raises(httpx.TransportError):
        async with httpx.AsyncClient(verify=False) as http:
            await http.get(f"https://127.0.0.1:{port}/")

    await run("lb-delete", lb, "--wait")
    assert json.loads(await run("lb-list", "-o", "json")) == []
    await run("lb-acl-delete", acl)
    await run("lb-cert-delete", cert)
