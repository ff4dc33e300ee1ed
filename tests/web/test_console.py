"""The web console: Vitest component tests, and Playwright driving Debian's Chromium against a
running stack (log in, create a server and watch it reach RUNNING, stop it, see the audit entry
arrive live, a reader without the create button, another project's servers out of sight)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ADMIN_PASSWORD, GraphQLClient
from tests.web.conftest import CHROMIUM, WEB, Stack, playwright

PASSWORD = "Console-Passw0rd!"
HOSTS = "{ hosts { edges { node { name status } } } }"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_component_tests_pass(web_build: Path) -> None:
    npm = shutil.which("npm")
    assert npm, "npm is not installed"
    # `npm test` regenerates the operation types first, then runs Vitest once.
    done = subprocess.run([npm, "test", "--", "--reporter=dot"], cwd=WEB, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]


async def _ok(client: GraphQLClient, query: str, **variables: Any) -> dict[str, Any]:
    data = await client.ok(query, variables)
    payload = next(iter(data.values()))
    assert not payload.get("errors"), payload
    return payload  # type: ignore[no-any-return]


async def _seed(admin: GraphQLClient) -> None:
    """Two tenant projects: alice (member) and rita (reader) in acme, oscar (member) in other;
    alice also reads other."""
    project = "mutation($n: String!) { projectCreate(input: {name: $n}) { project { id } errors { code } } }"
    user = "mutation($n: String!, $p: String!) { userCreate(input: {name: $n, password: $p}) { user { id } errors { code } } }"
    grant = """mutation($r: String!, $u: ID!, $p: ID!) {
      roleAssignmentCreate(input: {role: $r, userId: $u, projectId: $p}) { roleAssignment { id } errors { code } } }"""
    network = """mutation($p: ID!) { networkCreate(input: {name: "acme-net", cidr: "10.20.0.0/24", gateway: "10.20.0.1",
      projectId: $p}) { network { id } errors { code } } }"""
    acme = (await _ok(admin, project, n="acme"))["project"]["id"]
    other = (await _ok(admin, project, n="other"))["project"]["id"]
    users: dict[str, str] = {}
    for name, role, pid in (("alice", "member", acme), ("rita", "reader", acme), ("oscar", "member", other)):
        users[name] = (await _ok(admin, user, n=name, p=PASSWORD))["user"]["id"]
        await _ok(admin, grant, r=role, u=users[name], p=pid)
    await _ok(admin, grant, r="reader", u=users["alice"], p=other)  # for the project switcher
    await _ok(admin, network, p=acme)
    oscar = admin.as_(await admin.login("oscar", PASSWORD, "other"))
    create = """mutation { serverCreate(input: {name: "other-srv", vcpus: 1, memoryMb: 256, diskGb: 1}) {
      task { id } errors { code } } }"""
    await _ok(oscar, create)


async def _host_online(admin: GraphQLClient, stack: Stack, timeout: float = 40) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        stack.check_alive()
        hosts = (await admin.ok(HOSTS))["hosts"]["edges"]
        if any(h["node"]["name"] == "e2e-h1" and h["node"]["status"] == "ONLINE" for h in hosts):
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"the host agent did not come online:\n{stack.tail()}")


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_console_in_chromium_against_a_running_stack(
    web_build: Path, admin: GraphQLClient, stack: Stack, engine: AsyncEngine
) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is missing (scripts/apt-packages.txt installs it)"
    await _seed(admin)
    async with engine.begin() as conn:
        # other-srv shows as an instance at a public cloud, as a cloud account's sync records one.
        link = {
            "cloud": {"provider": "aws", "account_id": str(uuid.uuid4()), "region": "us-east-1", "zone": "us-east-1a"}
        }
        mark = text("UPDATE compute_server SET extra = :x WHERE name = 'other-srv'")
        await conn.execute(mark, {"x": json.dumps(link)})
    await _host_online(admin, stack)
    env = {"NIMBUS_E2E_PASSWORD": PASSWORD, "NIMBUS_E2E_ADMIN_PASSWORD": ADMIN_PASSWORD}
    await playwright("e2e/console.spec.ts", stack, env, timeout=560)
