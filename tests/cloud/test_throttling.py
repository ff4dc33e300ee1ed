"""A throttled EC2 API: botocore's retries ride out a short burst; a lasting one fails the sync with
AWS's `RequestLimitExceeded`, and nothing is half imported.

moto_server has no switch for throttling, so a small HTTP relay in front of it answers the way EC2
does when it throttles (HTTP 503, error code RequestLimitExceeded) for as many requests as asked."""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cloud.conftest import ACCOUNT_CREATE, ACCOUNTS, Moto, credentials, sync
from tests.compute.conftest import Cloud
from tests.conftest import GraphQLClient, free_port

THROTTLED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>'
    b"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>nimbus-test</RequestID></Response>"
)


class Throttle:
    def __init__(self, upstream: str) -> None:
        self.upstream, self.remaining, self.seen = upstream, 0, 0
        self.port = free_port()
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                relay.seen += 1
                if relay.remaining:
                    relay.remaining -= 1
                    self._answer(503, THROTTLED, "text/xml")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(relay.upstream + self.path, data=body, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(req, timeout=30) as reply:
                        self._answer(reply.status, reply.read(), reply.headers.get("Content-Type", "text/xml"))
                except urllib.error.HTTPError as exc:
                    self._answer(exc.code, exc.read(), exc.headers.get("Content-Type", "text/xml"))

            def _answer(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def throttle(moto: Moto) -> Iterator[Throttle]:
    relay = Throttle(moto.url)
    relay.thread.start()
    yield relay
    relay.server.shutdown()
    relay.server.server_close()


async def _account(admin: GraphQLClient, moto: Moto, throttle: Throttle) -> str:
    config = {**moto.config(), "endpoint_url": throttle.url, "max_attempts": 3}
    spec = {
        "name": "aws-t",
        "provider": "aws",
        "regions": ["us-east-1"],
        "credentials": credentials(),
        "config": config,
    }
    payload = (await admin.ok(ACCOUNT_CREATE, {"in": spec}))["cloudAccountCreate"]
    assert payload["errors"] == [], payload
    return str(payload["cloudAccount"]["id"])


async def test_a_short_burst_is_retried(admin: GraphQLClient, moto: Moto, throttle: Throttle, worker: Cloud) -> None:
    account = await _account(admin, moto, throttle)
    throttle.remaining = 2
    task = await sync(admin, account)
    assert task["status"] == "SUCCEEDED", task
    assert throttle.remaining == 0


async def test_lasting_throttling_fails_cleanly(
    admin: GraphQLClient, moto: Moto, throttle: Throttle, worker: Cloud
) -> None:
    account = await _account(admin, moto, throttle)
    throttle.remaining = 10**6
    task = await sync(admin, account)
    assert task["status"] == "FAILED"
    assert "aws refused: RequestLimitExceeded: Request limit exceeded." in task["error"]
    assert 3 <= throttle.seen <= 6  # retried up to max_attempts, then given up: not a loop
    state = (await admin.ok(ACCOUNTS))["cloudAccounts"]["edges"][0]["node"]
    assert state["status"] == "ERROR"
    counts = await admin.ok("{ regions { totalCount } skus { totalCount } }")
    assert counts["skus"]["totalCount"] == 0
