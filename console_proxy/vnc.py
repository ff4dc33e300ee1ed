"""VNC over WebSocket: websockify, with a token plugin that redeems Nimbus console tickets.

websockify serves each connection in a forked process, so the plugin opens its own database
and Redis connections per lookup rather than sharing the parent's across a fork. A refused
token still completes the WebSocket handshake and then closes with a reason (code 4001), so
the browser can tell the user why instead of showing a console stuck on "connecting".
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from arq.connections import ArqRedis
from websockify.token_plugins import BasePlugin
from websockify.websocketproxy import ProxyRequestHandler, WebSocketProxy

from console_proxy.redeem import Redeemer
from domain.compute.consoles import ConsoleProtocol, ConsoleRefused
from domain.db import create_engine, session_factory
from domain.identity.tokens import TokenCodec

REFUSED = 4001  # an application close code: the reason text says why
UNREACHABLE = 1011


class NimbusTokens(BasePlugin):  # type: ignore[misc]
    """`lookup(token) -> (host, port)`; `source` is the JSON of the settings it needs."""

    client_ip: str | None = None

    def __init__(self, src: str) -> None:
        super().__init__(src)
        self.config: dict[str, Any] = json.loads(src)

    def lookup(self, token: str) -> tuple[str, int]:
        return asyncio.run(self._redeem(token))

    async def _redeem(self, token: str) -> tuple[str, int]:
        engine = create_engine(self.config["database_url"], pool_size=1, max_overflow=0)
        redis = ArqRedis.from_url(self.config["redis_url"])
        try:
            redeemer = Redeemer(
                session_factory(engine), redis, self.config["redis_prefix"], TokenCodec(self.config["secret_key"], 3600)
            )
            target = await redeemer.redeem(token, ConsoleProtocol.VNC, self.client_ip)
            return target.address, target.port
        finally:
            await redis.aclose()
            await engine.dispose()


class NimbusVncHandler(ProxyRequestHandler):  # type: ignore[misc]
    refusal: str | None = None

    def validate_connection(self) -> None:
        plugin = self.server.token_plugin
        plugin.client_ip = self.client_address[0] if self.client_address else None
        try:
            super().validate_connection()
        except ConsoleRefused as refused:
            self.refusal = refused.message
        except self.server.EClose:
            self.refusal = "No console token was presented"

    def new_websocket_client(self) -> None:
        if self.refusal is not None:
            raise self.CClose(REFUSED, close_reason(self.refusal))
        try:
            super().new_websocket_client()
        except self.CClose as closed:
            if closed.args and closed.args[0] == UNREACHABLE:
                where = f"{self.server.target_host}:{self.server.target_port}"
                raise self.CClose(
                    UNREACHABLE, close_reason(f"The server's host cannot be reached at {where}")
                ) from closed
            raise


def close_reason(text: str) -> str:
    """A WebSocket close reason is at most 123 bytes."""
    encoded = text.encode()
    return text if len(encoded) <= 123 else encoded[:120].decode(errors="ignore") + "..."


def serve_vnc(config: dict[str, Any], host: str, port: int) -> None:
    """Run the VNC proxy until SIGTERM (blocking; websockify forks a process per connection).

    The proxy leads a process group of its own, which its connections' processes join: stopping
    the proxy (stop_vnc_proxy) ends the consoles it serves too, rather than leaving them open."""
    os.setpgid(0, 0)
    server = WebSocketProxy(
        RequestHandlerClass=NimbusVncHandler,
        listen_host=host,
        listen_port=port,
        token_plugin=NimbusTokens(json.dumps(config)),
        heartbeat=30,
        verbose=False,
    )
    server.start_server()
