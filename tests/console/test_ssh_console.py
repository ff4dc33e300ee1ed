"""The SSH web terminal against a real SSH server on loopback, through the console proxy."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncssh
import pytest
import websockets

from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_compute_isolation import tenant
from tests.compute.test_servers import act, create, server
from tests.conftest import GraphQLClient, free_port
from tests.console.conftest import Endpoints, console, hello, refused

GUEST_USER, GUEST_PASSWORD = "guest", "guest-Passw0rd"
LOOPBACK_NET = """mutation { networkCreate(input: {name: "lo", cidr: "127.0.0.0/24", gateway: "127.0.0.1"}) {
  network { id } errors { code } } }"""


class _Guest(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == GUEST_USER and password == GUEST_PASSWORD


async def _shell(process: asyncssh.SSHServerProcess[str]) -> None:
    """A line-at-a-time shell that knows `echo`, `size` and `exit`."""

    def size() -> str:
        cols, rows, *_ = process.get_terminal_size()
        return f"size {cols}x{rows}\r\n"

    process.stdout.write(size() + "$ ")
    while True:
        try:
            line = await process.stdin.readline()
        except asyncssh.TerminalSizeChanged:
            continue  # a resize from the client interrupts the read; the new size is kept
        command = line.strip()
        if not line or command == "exit":
            break
        if command.startswith("echo "):
            process.stdout.write(command[5:] + "\r\n")
        elif command == "size":
            process.stdout.write(size())
        process.stdout.write("$ ")
    process.exit(0)


@pytest.fixture
async def guest(admin: GraphQLClient, cloud: Cloud) -> AsyncIterator[tuple[str, int]]:
    """A running server on a loopback network, and an SSH server listening on its address."""
    network = (await admin.ok(LOOPBACK_NET))["networkCreate"]["network"]["id"]
    created = await create(admin, name="sshable", networkId=network)
    assert (await wait_task(admin, created["task"]["id"]))["status"] == "SUCCEEDED"
    server_id = created["servers"][0]["id"]
    address = (await server(admin, server_id))["nics"][0]["ipAddress"]
    assert address.startswith("127.0.0.")
    port = free_port()
    key = asyncssh.generate_private_key("ssh-ed25519")
    listener = await asyncssh.create_server(
        _Guest, address, port, server_host_keys=[key], process_factory=_shell, line_editor=True
    )
    yield server_id, port
    listener.close()
    await listener.wait_closed()


async def _read_until(ws: Any, needle: bytes, timeout: float = 10) -> bytes:
    seen = b""
    async with asyncio.timeout(timeout):
        while needle not in seen:
            message = await ws.recv()
            if isinstance(message, bytes):
                seen += message
    return seen


async def test_ssh_through_the_proxy_runs_a_command_and_resizes(
    admin: GraphQLClient, guest: tuple[str, int], ssh_proxy: str
) -> None:
    server_id, port = guest
    ticket = await console(admin, server_id, "SSH", port)
    assert ticket["errors"] == []
    assert ticket["websocketUrl"].startswith(ssh_proxy)
    assert ticket["url"].startswith("/console/ssh?token=")

    async with websockets.connect(ticket["websocketUrl"]) as ws:
        await ws.send(hello(GUEST_USER, GUEST_PASSWORD))
        connected = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert connected["connected"]["hostKey"].startswith("SHA256:")
        assert b"size 100x30" in await _read_until(ws, b"$ ")
        await ws.send(b"echo hello\r")
        assert b"hello\r\n" in await _read_until(ws, b"hello\r\n")
        await ws.send(json.dumps({"resize": [132, 43]}))
        await ws.send(b"size\r")
        assert b"size 132x43" in await _read_until(ws, b"size 132x43")

    audit = await admin.ok(
        '{ auditEvents(filter: {operation: "consoleConnect"}) { edges { node { outcome actorName targetId } } } }'
    )
    assert audit["auditEvents"]["edges"][0]["node"] == {
        "outcome": "SUCCESS",
        "actorName": "admin",
        "targetId": server_id,
    }
    issued = await admin.ok('{ auditEvents(filter: {operation: "serverConsoleCreate"}) { totalCount } }')
    assert issued["auditEvents"]["totalCount"] == 1


async def test_tokens_are_single_use_expire_and_cannot_be_forged(
    admin: GraphQLClient, guest: tuple[str, int], ssh_proxy: str, endpoints: Endpoints
) -> None:
    server_id, port = guest
    ticket = await console(admin, server_id, "SSH", port)
    async with websockets.connect(ticket["websocketUrl"]) as ws:
        await ws.send(hello(GUEST_USER, GUEST_PASSWORD))
        assert "connected" in json.loads(await asyncio.wait_for(ws.recv(), 10))

    again = await refused(ticket["websocketUrl"])
    assert again.code == 4001
    assert "already used" in again.reason

    forged = await refused(f"{ssh_proxy}?token=" + "A" * 43)
    assert forged.code == 4001
    malformed = await refused(f"{ssh_proxy}?token=%3Cscript%3E")
    assert (malformed.code, malformed.reason) == (4001, "The console token is malformed")

    endpoints.set(ttl_s=1)
    stale = await console(admin, server_id, "SSH", port)
    await asyncio.sleep(1.3)
    expired = await refused(stale["websocketUrl"])
    assert expired.code == 4001

    attempts = await admin.ok(
        '{ auditEvents(filter: {operation: "consoleConnect"}) { edges { node { outcome errorCode } } } }'
    )
    outcomes = sorted((e["node"]["outcome"], e["node"]["errorCode"]) for e in attempts["auditEvents"]["edges"])
    assert outcomes == [("DENIED", "TOKEN_EXPIRED")] + [("DENIED", "TOKEN_INVALID")] * 3 + [("SUCCESS", None)]


async def test_wrong_credentials_and_unreachable_guests_say_why(
    admin: GraphQLClient, guest: tuple[str, int], ssh_proxy: str
) -> None:
    server_id, port = guest
    ticket = await console(admin, server_id, "SSH", port)
    async with websockets.connect(ticket["websocketUrl"]) as ws:
        await ws.send(hello(GUEST_USER, "wrong"))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 15)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4502
    assert "failed" in closed.value.rcvd.reason

    nobody = await console(admin, server_id, "SSH", free_port())
    async with websockets.connect(nobody["websocketUrl"]) as ws:
        await ws.send(hello(GUEST_USER, GUEST_PASSWORD))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 20)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4502


async def test_only_callers_who_may_operate_the_server_get_a_token(
    admin: GraphQLClient, gql: GraphQLClient, guest: tuple[str, int], ssh_proxy: str
) -> None:
    server_id, port = guest
    other = await tenant(admin, gql, "red", "rita")
    assert (await console(other, server_id, "SSH", port))["errors"][0]["code"] == "NOT_FOUND"

    # A reader of the admin project sees the server but may not open its console.
    await tenant(admin, gql, "readers", "rhea", role="reader")
    project = (await admin.ok('{ projects(filter: {name: "admin"}) { edges { node { id } } } }'))["projects"]
    users = (await admin.ok('{ users(filter: {name: "rhea"}) { edges { node { id } } } }'))["users"]
    await admin.ok(
        'mutation($u: ID!, $p: ID!) { roleAssignmentCreate(input: {role: "reader", userId: $u, projectId: $p}) '
        "{ errors { code } } }",
        {"u": users["edges"][0]["node"]["id"], "p": project["edges"][0]["node"]["id"]},
    )
    as_reader = gql.as_(await gql.login("rhea", "Tenant-Passw0rd!", "admin"))
    body = await as_reader(
        "mutation($id: ID!) { serverConsoleCreate(input: {id: $id, protocol: SSH}) { token } }", {"id": server_id}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    stopped = await act(admin, "Stop", server_id)
    assert (await wait_task(admin, stopped["task"]["id"]))["status"] == "SUCCEEDED"
    refusal = await console(admin, server_id, "SSH", port)
    assert refusal["errors"][0]["code"] == "INVALID_STATE"
    assert "STOPPED" in refusal["errors"][0]["message"]
    assert refusal["token"] is None


async def test_a_token_dies_with_the_callers_access(
    admin: GraphQLClient, gql: GraphQLClient, guest: tuple[str, int], ssh_proxy: str
) -> None:
    """Bound to the caller: a ticket issued before the caller was disabled opens nothing after."""
    server_id, port = guest
    await tenant(admin, gql, "admin-helpers", "hugo")
    uid = (await admin.ok('{ users(filter: {name: "hugo"}) { edges { node { id } } } }'))["users"]["edges"][0]["node"]
    project = (await admin.ok('{ projects(filter: {name: "admin"}) { edges { node { id } } } }'))["projects"]
    await admin.ok(
        'mutation($u: ID!, $p: ID!) { roleAssignmentCreate(input: {role: "member", userId: $u, projectId: $p}) '
        "{ errors { code } } }",
        {"u": uid["id"], "p": project["edges"][0]["node"]["id"]},
    )
    hugo = gql.as_(await gql.login("hugo", "Tenant-Passw0rd!", "admin"))
    ticket = await console(hugo, server_id, "SSH", port)
    assert ticket["errors"] == []
    await admin.ok(
        "mutation($id: ID!) { userUpdate(input: {id: $id, enabled: false}) { errors { code } } }", {"id": uid["id"]}
    )
    closed = await refused(ticket["websocketUrl"])
    assert closed.code == 4001
    assert "session" in closed.reason
