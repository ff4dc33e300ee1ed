"""The client side of the graphql-transport-ws protocol, used for subscriptions."""

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
)
from websockets.typing import Subprotocol

from climc.errors import (
    JSON,
    AuthError,
    GraphQLRequestError,
    NimbusError,
    TransportError,
    error_for,
)

PROTOCOL = Subprotocol("graphql-transport-ws")
# The protocol's close codes for a rejected connection_init or a missing ack.
_AUTH_CLOSE_CODES = {4401, 4403}
# One subscription per connection, so a fixed operation id is enough.
_OPERATION_ID = "1"


def websocket_url(endpoint: str) -> str:
    """The ws(s):// address of an http(s):// GraphQL endpoint."""
    if endpoint.startswith("https://"):
        return "wss://" + endpoint.removeprefix("https://")
    return "ws://" + endpoint.removeprefix("http://")


async def subscribe(
    endpoint: str,
    token: str | None,
    query: str,
    variables: Mapping[str, Any] | None,
    timeout: float,
) -> AsyncGenerator[JSON, None]:
    """Yield the `data` of every `next` frame until the server completes."""
    url = websocket_url(endpoint)
    try:
        async with connect(url, subprotocols=[PROTOCOL], open_timeout=timeout, close_timeout=2) as ws:
            await _handshake(ws, token, timeout)
            await _send(ws, _subscribe_frame(query, variables))
            async for data in _results(ws):
                yield data
    except ConnectionClosed as exc:
        raise _closed_error(url, exc) from None
    except InvalidStatus as exc:
        raise _status_error(url, exc) from None
    except TimeoutError:
        raise TransportError(f"timed out talking to Nimbus at {url}") from None
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise TransportError(f"cannot connect to Nimbus at {url}: {exc}") from None


def _subscribe_frame(query: str, variables: Mapping[str, Any] | None) -> JSON:
    payload = {"query": query, "variables": dict(variables or {})}
    return {"id": _OPERATION_ID, "type": "subscribe", "payload": payload}


async def _send(ws: ClientConnection, frame: Mapping[str, Any]) -> None:
    await ws.send(json.dumps(frame))


async def _receive(ws: ClientConnection) -> JSON:
    raw = await ws.recv()
    try:
        frame = json.loads(raw)
    except ValueError:
        frame = None
    if not isinstance(frame, dict):
        raise TransportError(f"unreadable graphql-transport-ws frame: {raw!r:.80}")
    return frame


async def _handshake(ws: ClientConnection, token: str | None, timeout: float) -> None:
    params = {"authorization": f"Bearer {token}"} if token else {}
    await _send(ws, {"type": "connection_init", "payload": params})
    async with asyncio.timeout(timeout):
        while True:
            frame = await _receive(ws)
            if frame.get("type") == "connection_ack":
                return
            if frame.get("type") == "ping":
                await _send(ws, {"type": "pong"})
                continue
            raise TransportError(f"expected connection_ack, got {frame.get('type')!r}")


async def _results(ws: ClientConnection) -> AsyncIterator[JSON]:
    while True:
        frame = await _receive(ws)
        kind = frame.get("type")
        if kind == "next":
            yield _data(frame.get("payload"))
        elif kind == "error":
            payload = frame.get("payload")
            raise error_for(payload if isinstance(payload, list) else [])
        elif kind == "complete":
            return
        elif kind == "ping":
            await _send(ws, {"type": "pong"})


def _data(payload: Any) -> JSON:
    if not isinstance(payload, dict):
        raise TransportError("a `next` frame carried no result")
    if payload.get("errors"):
        raise error_for(payload["errors"])
    data = payload.get("data")
    if not isinstance(data, dict):
        raise GraphQLRequestError("a subscription result carried no data", [])
    return data


def _closed_error(url: str, exc: ConnectionClosed) -> NimbusError:
    close = exc.rcvd
    if close is not None and close.code in _AUTH_CLOSE_CODES:
        return AuthError(close.reason or "subscription refused")
    if close is not None and 4400 <= close.code < 4500:
        return GraphQLRequestError(close.reason or f"closed with {close.code}", [])
    return TransportError(f"connection to Nimbus at {url} closed: {exc}")


def _status_error(url: str, exc: InvalidStatus) -> NimbusError:
    if exc.response.status_code == 401:
        return AuthError("websocket upgrade refused (HTTP 401)")
    return TransportError(f"cannot open a websocket to Nimbus at {url}: {exc}")
