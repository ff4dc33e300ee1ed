"""The console page in Chromium: noVNC through `nimbus console-proxy` to a real QEMU guest's display."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nimbus.settings import Settings
from tests.compute.test_real_vm_graphql import libvirtd  # noqa: F401  (fixture)
from tests.conftest import ADMIN_PASSWORD, GraphQLClient, free_port
from tests.web.conftest import CHROMIUM, WEB, Stack, _env, _wait_healthy, playwright

CREATE = """mutation($host: ID!) { serverCreate(input: {name: "vnc-e2e", vcpus: 1, memoryMb: 64, diskGb: 1,
  hostId: $host}) { servers { id } task { id } errors { code message } } }"""
TASK = "query($id: ID!) { node(id: $id) { ... on Task { status error } } }"
DELETE = "mutation($id: ID!) { serverDelete(input: {id: $id}) { task { id } errors { code } } }"


@pytest.fixture
async def qemu_stack(
    libvirtd: None,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
    web_build: Path,
) -> AsyncIterator[Stack]:
    logs = tmp_path / "logs"
    logs.mkdir()
    port = free_port()
    running = Stack(url=f"http://127.0.0.1:{port}", logs=logs)
    env = {
        **_env(settings, tmp_path / "data"),
        "NIMBUS_CONSOLE_VNC_PORT": str(free_port()),
        "NIMBUS_CONSOLE_SSH_PORT": str(free_port()),
    }
    try:
        running.start("api", ["api", "--port", str(port)], env)
        running.start("worker", ["worker"], env)
        agent = ["agent", "host", "--libvirt-uri", "qemu:///system", "--name", "e2e-qemu"]
        running.start("agent", [*agent, "--storage-dir", str(tmp_path / "disks")], env)
        running.start("console-proxy", ["console-proxy"], env)
        await _wait_healthy(running)
        yield running
    finally:
        await asyncio.to_thread(running.stop)


async def _until(check: object, what: str, stack: Stack, timeout: float = 90) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        stack.check_alive()
        value = await check()  # type: ignore[operator]
        if value:
            return str(value)
        await asyncio.sleep(0.3)
    raise AssertionError(f"{what} did not happen in {timeout}s:\n{stack.tail()}")


@pytest.mark.slow
@pytest.mark.timeout(400)
async def test_the_console_page_shows_a_real_guest_display(admin: GraphQLClient, qemu_stack: Stack) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is missing (scripts/apt-packages.txt installs it)"

    async def host() -> str | None:
        edges = (await admin.ok("{ hosts { edges { node { id name status } } } }"))["hosts"]["edges"]
        return next(
            (e["node"]["id"] for e in edges if e["node"]["name"] == "e2e-qemu" and e["node"]["status"] == "ONLINE"),
            None,
        )

    host_id = await _until(host, "the qemu host coming online", qemu_stack)
    created = (await admin.ok(CREATE, {"host": host_id}))["serverCreate"]
    assert created["errors"] == [], created
    server_id = created["servers"][0]["id"]

    async def succeeded() -> bool:
        task = (await admin.ok(TASK, {"id": created["task"]["id"]}))["node"]
        assert task["status"] != "FAILED", task
        return bool(task["status"] == "SUCCEEDED")

    await _until(succeeded, "the guest booting", qemu_stack)
    try:
        env = {"NIMBUS_E2E_ADMIN_PASSWORD": ADMIN_PASSWORD, "NIMBUS_E2E_VNC_SERVER": server_id}
        await playwright("e2e/vnc.spec.ts", qemu_stack, env, timeout=240)
        assert (WEB / "test-results" / "screenshots" / "console-vnc.png").exists()
        assert (WEB / "test-results" / "screenshots" / "server-screenshot.png").exists()
    finally:
        deleted = (await admin.ok(DELETE, {"id": server_id}))["serverDelete"]

        async def gone() -> bool:
            task = (await admin.ok(TASK, {"id": deleted["task"]["id"]}))["node"]
            return bool(task["status"] in ("SUCCEEDED", "FAILED"))

        await _until(gone, "the guest being deleted", qemu_stack)
