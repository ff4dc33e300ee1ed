"""VNC in the browser's way: a WebSocket through websockify to a real QEMU guest's display."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from tests.compute.conftest import Cloud, hosts, wait_for, wait_task
from tests.compute.test_compute_isolation import tenant
from tests.compute.test_real_vm_graphql import libvirtd  # noqa: F401  (fixture)
from tests.compute.test_servers import act, create
from tests.conftest import GraphQLClient
from tests.console.conftest import Endpoints, console, refused


@pytest.mark.timeout(150)
async def test_vnc_through_websockify_reaches_a_real_guest_once_per_token(
    libvirtd: None,  # noqa: F811
    admin: GraphQLClient,
    gql: GraphQLClient,
    cloud: Cloud,
    vnc_proxy: str,
    endpoints: Endpoints,
) -> None:
    await cloud.start_agent("qemu-host", "qemu:///system")

    async def registered() -> str | None:
        return next((h["id"] for h in await hosts(admin) if h["name"] == "qemu-host" and h["status"] == "ONLINE"), None)

    created = await create(admin, name="vnc", memoryMb=64, diskGb=1, hostId=await wait_for(registered))
    assert (await wait_task(admin, created["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    server_id = created["servers"][0]["id"]
    try:
        ticket = await console(admin, server_id, "VNC")
        assert ticket["errors"] == []
        assert ticket["websocketUrl"].startswith(vnc_proxy)
        async with websockets.connect(ticket["websocketUrl"], open_timeout=10) as ws:
            greeting = await asyncio.wait_for(ws.recv(), 10)
        assert greeting == b"RFB 003.008\n"

        used = await refused(ticket["websocketUrl"])
        assert used.code == 4001
        assert "already used" in used.reason
        assert (await refused(f"{vnc_proxy}?token=forged-{'x' * 30}")).code == 4001
        assert (await refused(vnc_proxy)).reason == "No console token was presented"

        ssh_ticket = await console(admin, server_id, "SSH")
        assert ssh_ticket["errors"][0]["code"] == "INVALID_STATE"  # no address: the guest has no NIC

        endpoints.set(ttl_s=1)
        stale = await console(admin, server_id, "VNC")
        await asyncio.sleep(1.3)
        expired = await refused(stale["websocketUrl"])
        assert (expired.code, expired.reason) == (4001, "The console token has expired; open the console again")

        other = await tenant(admin, gql, "red", "rita")
        assert (await console(other, server_id, "VNC"))["errors"][0]["code"] == "NOT_FOUND"
    finally:
        deleted = await act(admin, "Delete", server_id)
        assert (await wait_task(admin, deleted["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
