"""The SSH web terminal: a WebSocket bridged to an SSH session opened with asyncssh.

The protocol on the WebSocket, after `?token=` is accepted:
- the client's first message is JSON text: `{"username", "password"?, "privateKey"?, "cols", "rows"}`;
  the credentials go to the guest's sshd and are never stored or logged;
- binary messages are keystrokes one way and terminal output the other;
- text messages are JSON control: `{"resize": [cols, rows]}` from the client,
  `{"connected": {"hostKey": "SHA256:..."}}` or `{"error": "..."}` from the proxy.
A refusal closes with code 4001 and the reason; an unreachable guest with 4502.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncssh
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from console_proxy.redeem import Redeemer
from console_proxy.vnc import REFUSED, close_reason
from domain.compute.consoles import ConsoleProtocol, ConsoleRefused

log = logging.getLogger("nimbus.console")
UNREACHABLE = 4502
CONNECT_TIMEOUT_S = 15.0
HELLO_TIMEOUT_S = 30.0


class _BadHello(Exception):
    pass


def _hello(raw: str) -> dict[str, Any]:
    try:
        hello = json.loads(raw)
    except json.JSONDecodeError:
        raise _BadHello("The first message must be JSON with username and password or privateKey") from None
    if not isinstance(hello, dict) or not isinstance(hello.get("username"), str) or not hello["username"]:
        raise _BadHello("A username is required")
    if not hello.get("password") and not hello.get("privateKey"):
        raise _BadHello("A password or a private key is required")
    return hello


def _size(hello: dict[str, Any]) -> tuple[int, int]:
    def clamp(value: Any, default: int) -> int:
        return max(10, min(int(value), 1000)) if isinstance(value, int) else default

    return clamp(hello.get("cols"), 80), clamp(hello.get("rows"), 24)


async def _connect(address: str, port: int, hello: dict[str, Any]) -> asyncssh.SSHClientConnection:
    keys = [asyncssh.import_private_key(hello["privateKey"])] if hello.get("privateKey") else None
    return await asyncio.wait_for(
        asyncssh.connect(
            address,
            port,
            username=hello["username"],
            password=hello.get("password") or None,
            client_keys=keys,
            # Guests' host keys are not known in advance; the fingerprint is shown to the user instead.
            known_hosts=None,
            agent_path=None,
        ),
        CONNECT_TIMEOUT_S,
    )


async def _bridge(websocket: WebSocket, process: asyncssh.SSHClientProcess[bytes]) -> None:
    async def to_guest() -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                process.stdin.write(message["bytes"])
            elif message.get("text") is not None:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    cols, rows = json.loads(message["text"])["resize"]
                    process.change_terminal_size(int(cols), int(rows))

    async def to_browser() -> None:
        while data := await process.stdout.read(65536):
            await websocket.send_bytes(data)

    tasks = [asyncio.ensure_future(to_guest()), asyncio.ensure_future(to_browser())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        # Either side hanging up ends the session; how it hung up is not an error to report.
        if not task.cancelled() and task.exception() is not None:
            log.info("SSH console ended: %s", task.exception())


def ssh_app(redeemer: Redeemer) -> Starlette:
    async def terminal(websocket: WebSocket) -> None:
        await websocket.accept()
        client_ip = websocket.client.host if websocket.client else None
        try:
            target = await redeemer.redeem(websocket.query_params.get("token", ""), ConsoleProtocol.SSH, client_ip)
        except ConsoleRefused as refused:
            await websocket.close(REFUSED, close_reason(refused.message))
            return
        try:
            hello = _hello(await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT_S))
            cols, rows = _size(hello)
            conn = await _connect(target.address, target.port, hello)
        except _BadHello as exc:
            await websocket.close(REFUSED, close_reason(str(exc)))
            return
        except (TimeoutError, OSError, asyncssh.Error) as exc:
            reason = getattr(exc, "reason", None) or str(exc) or "timed out"
            await websocket.close(UNREACHABLE, close_reason(f"SSH to {target.address}:{target.port} failed: {reason}"))
            return
        except WebSocketDisconnect:
            return
        async with conn:
            key = conn.get_server_host_key()
            await websocket.send_text(json.dumps({"connected": {"hostKey": key.get_fingerprint() if key else None}}))
            process = await conn.create_process(term_type="xterm-256color", term_size=(cols, rows), encoding=None)
            await _bridge(websocket, process)
        with contextlib.suppress(RuntimeError):  # already closed by the browser
            await websocket.close(1000, "SSH session ended")

    return Starlette(routes=[WebSocketRoute("/ssh", terminal)])
