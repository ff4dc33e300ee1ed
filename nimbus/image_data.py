"""The image data listener: `/images/{id}/file` on a port of its own, moving bytes at disk speed.

Through ASGI, every 64 KiB an upload delivers costs a trip through the HTTP parser, the server's
flow control and the framework; a multi-GB image spends more CPU there than on its checksum. Here
the request head is parsed with h11 and the answer comes from the same protocol code as the api's
route (`resolvers.image.files.answer`), but the body moves in a thread: `recv_into` 4 MiB at a
time, hashed and written without the GIL, and downloads leave through `sendfile`, never entering
the process. One request per connection: a transfer is long, a new connection costs nothing next
to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mmap
import os
import queue
import re
import socket
import struct
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import h11

from domain.audit.services import RequestMeta
from domain.image.store import Appender
from domain.image.upload import BodyCut
from resolvers.context import Services
from resolvers.image.files import FileAnswer, FileRequest, Span, answer

log = logging.getLogger("nimbus.image_data")

BLOCK = 4 * 1024 * 1024
PAGE = 4096
MAX_HEAD = 32 * 1024
HEAD_TIMEOUT_S = 30.0
# A transfer may take hours; one that moves no byte for this long is abandoned (and resumable).
IDLE_TIMEOUT_S = 120
_PATH = re.compile(r"^/images/([^/]+)/file$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _BadRequest(Exception):
    pass


def _idle_timeout(conn: socket.socket) -> None:
    """Blocking calls in the transfer thread give up after IDLE_TIMEOUT_S without progress."""
    timeval = struct.pack("ll", IDLE_TIMEOUT_S, 0)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)


class _SocketBody:
    """An upload's body read straight off the socket, after what came with the head."""

    def __init__(self, server: ImageDataServer, conn: socket.socket, h11_conn: h11.Connection, early: bytes) -> None:
        self.server, self.conn, self.h11_conn, self.early = server, conn, h11_conn, early
        self.expects_continue = h11_conn.they_are_waiting_for_100_continue
        self.poured = False

    async def pour(self, out: Appender, hasher: Any, limit: int) -> None:
        self.poured = True
        if self.expects_continue:
            # Sent only once the upload is accepted: a refused one never makes the client send.
            continue_ = self.h11_conn.send(h11.InformationalResponse(status_code=100, headers=[]))
            await asyncio.get_running_loop().sock_sendall(self.conn, continue_ or b"")
        await self.server.blocking(self.conn, self._receive, out, hasher, limit - out.offset)

    def _receive(self, out: Appender, hasher: Any, length: int) -> None:
        # Content-Length bounds what is read: bytes past it are never taken off the socket.
        early = memoryview(self.early)[:length]
        if early:
            out.write_blocking([early], hasher.update)
        remaining = length - len(early)
        if not remaining:
            return
        offset = out.offset
        steps = [lambda block: out.write_blocking([block]), hasher.update]
        stages = _Pipeline(min(BLOCK, remaining), steps, self.server.submit)
        try:
            while remaining:
                buffer = stages.free_buffer()
                # Blocks end on page boundaries of the file, so that the store can write them directly.
                want = min(BLOCK - offset % PAGE, remaining)
                try:
                    # MSG_WAITALL: one system call per block, not per TCP segment.
                    got = self.conn.recv_into(buffer, want, socket.MSG_WAITALL)
                except OSError:  # reset, or idle past the timeout
                    got = 0
                if not got:
                    raise BodyCut()  # what arrived before is still written and hashed
                stages.push(buffer, got)
                offset += got
                remaining -= got
        finally:
            stages.finish()


class _Pipeline:
    """Received blocks go through the steps in order, each step on a thread of its own: while one
    block is hashed, the next is written (O_DIRECT waits for the disk) and a third arrives.

    A handful of page-aligned buffers circulate. A step that fails stops taking work, and later
    steps skip the blocks it did not finish; the error is raised to the receiving thread at its
    next block, or at the end.
    """

    BUFFERS = 4

    def __init__(self, size: int, steps: list[Any], submit: Any) -> None:
        self._free: queue.SimpleQueue[memoryview] = queue.SimpleQueue()
        for _ in range(self.BUFFERS):
            self._free.put(memoryview(mmap.mmap(-1, size)))  # page-aligned, as O_DIRECT wants
        # (buffer, length, whether every earlier step succeeded on it)
        self._inboxes: list[queue.SimpleQueue[tuple[memoryview, int, bool] | None]] = [
            queue.SimpleQueue() for _ in steps
        ]
        self._error: BaseException | None = None
        self._done = [submit(self._run, i, step) for i, step in enumerate(steps)]

    def free_buffer(self) -> memoryview:
        buffer = self._free.get()
        if self._error is not None:
            raise self._error
        return buffer

    def push(self, buffer: memoryview, length: int) -> None:
        self._inboxes[0].put((buffer, length, True))

    def finish(self) -> None:
        self._inboxes[0].put(None)
        for done in self._done:
            done.result()
        if self._error is not None:
            raise self._error

    def _run(self, index: int, step: Any) -> None:
        inbox = self._inboxes[index]
        last = index == len(self._inboxes) - 1
        failed = False
        while (item := inbox.get()) is not None:
            buffer, length, ok = item
            # A block goes through a step only if every step before succeeded on it and this one
            # has not failed yet: the checksum then covers exactly the bytes that were written.
            if ok and not failed:
                try:
                    step(buffer[:length])
                except BaseException as exc:  # handed to the receiving thread; the block moves on
                    self._error = self._error or exc
                    failed = True
            if last:
                self._free.put(buffer)
            else:
                self._inboxes[index + 1].put((buffer, length, ok and not failed))
        if not last:
            self._inboxes[index + 1].put(None)


class ImageDataServer:
    """Listens on (host, port) in the api process; SO_REUSEPORT lets several api processes share it."""

    def __init__(self, services: Services, host: str, port: int, max_transfers: int = 64) -> None:
        self.services, self.host, self.requested_port = services, host, port
        self.port = port
        self._executor = ThreadPoolExecutor(max_transfers, thread_name_prefix="image-data")
        # Two step threads (write, hash) per transfer thread: a running upload always gets its own.
        self._hashers = ThreadPoolExecutor(2 * max_transfers, thread_name_prefix="image-step")
        self._sock: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((self.host, self.requested_port))
        sock.listen(512)
        sock.setblocking(False)
        self._sock, self.port = sock, sock.getsockname()[1]
        self._accepting = asyncio.create_task(self._accept())

    async def close(self) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accepting
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._sock is not None:
            self._sock.close()
        for pool in (self._executor, self._hashers):
            pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        """A step thread of a running transfer (its disk writes, its checksum)."""
        return self._hashers.submit(fn, *args)

    async def blocking(self, conn: socket.socket, fn: Any, *args: Any) -> Any:
        """Run `fn` in a transfer thread with the socket in blocking mode (idle-timed out)."""
        conn.setblocking(True)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            conn.setblocking(False)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._sock is not None
        while True:
            try:
                conn, peer = await loop.sock_accept(self._sock)
            except OSError as exc:  # out of file descriptors, say: keep serving the others
                log.warning("image data listener: accept failed: %s", exc)
                await asyncio.sleep(0.1)
                continue
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            _idle_timeout(conn)
            task = asyncio.create_task(self._serve(conn, peer))
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)

    async def _serve(self, conn: socket.socket, peer: Any) -> None:
        h11_conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        request_id = uuid.uuid4().hex
        try:
            try:
                request, early = await asyncio.wait_for(self._read_head(conn, h11_conn), HEAD_TIMEOUT_S)
            except (_BadRequest, h11.RemoteProtocolError, TimeoutError) as exc:
                message = "The request head timed out" if isinstance(exc, TimeoutError) else "Malformed request head"
                with contextlib.suppress(OSError):
                    await asyncio.get_running_loop().sock_sendall(conn, _plain(400, "BAD_REQUEST", message, request_id))
                return
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers}
            given = headers.get("x-request-id", "")
            request_id = given if _SAFE_ID.match(given) else request_id
            body = _SocketBody(self, conn, h11_conn, early) if request.method == b"PUT" else None
            result = await self._answer(request, headers, body, peer, request_id)
            await self._respond(conn, h11_conn, result, request_id)
            if body is not None and not body.poured:
                await _linger(conn)
        except (OSError, h11.LocalProtocolError) as exc:
            log.info("image data listener: connection from %s ended: %s", peer, exc)
        except Exception:  # a bug: said once in the log and to the client, never a dropped connection
            log.exception("image data listener: request %s failed", request_id)
            with contextlib.suppress(OSError):
                await asyncio.get_running_loop().sock_sendall(
                    conn, _plain(500, "INTERNAL", "Internal error", request_id)
                )
        finally:
            conn.close()

    async def _read_head(self, conn: socket.socket, h11_conn: h11.Connection) -> tuple[h11.Request, bytes]:
        loop = asyncio.get_running_loop()
        received = bytearray()
        while (end := received.find(b"\r\n\r\n")) < 0:
            if len(received) > MAX_HEAD:
                raise _BadRequest()
            data = await loop.sock_recv(conn, 64 * 1024)
            if not data:
                raise _BadRequest()
            received += data
        # h11 parses the head only: the body after it is this listener's to move.
        h11_conn.receive_data(bytes(received[: end + 4]))
        event = h11_conn.next_event()
        if not isinstance(event, h11.Request):
            raise _BadRequest()
        return event, bytes(received[end + 4 :])

    async def _answer(
        self, request: h11.Request, headers: dict[str, str], body: _SocketBody | None, peer: Any, request_id: str
    ) -> FileAnswer:
        target = urlsplit(request.target.decode("latin-1"))
        match = _PATH.match(target.path)
        if match is None:
            return FileAnswer(404, {}, {"error": {"code": "NOT_FOUND", "message": "No such path", "field": None}})
        method = request.method.decode("latin-1")
        if method not in ("GET", "HEAD", "PUT"):
            body = {"error": {"code": "METHOD_NOT_ALLOWED", "message": f"{method} is not allowed", "field": None}}
            return FileAnswer(405, {"Allow": "GET, HEAD, PUT"}, body)
        if method == "PUT" and "chunked" in headers.get("transfer-encoding", "").lower():
            # parse_chunk asks for the length; a chunked body is not read at all.
            headers.pop("content-length", None)
        meta = RequestMeta(request_id, peer[0] if isinstance(peer, tuple) else None)
        file_request = FileRequest(method, match.group(1), headers, dict(parse_qsl(target.query)), meta, body)
        return await answer(self.services, file_request)

    async def _respond(
        self, conn: socket.socket, h11_conn: h11.Connection, result: FileAnswer, request_id: str
    ) -> None:
        loop = asyncio.get_running_loop()
        headers = {**result.headers, "X-Request-Id": request_id, "Connection": "close"}
        payload = b""
        if result.json is not None:
            payload = json.dumps(result.json).encode()
            headers["Content-Type"] = "application/json"
            headers["Content-Length"] = str(len(payload))
        elif result.span is None:
            headers.setdefault("Content-Length", "0")
        head = h11_conn.send(h11.Response(status_code=result.status, headers=list(headers.items())))
        await loop.sock_sendall(conn, (head or b"") + payload)
        if result.span is not None:
            await self._send_span(conn, result.span)
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)

    async def _send_span(self, conn: socket.socket, span: Span) -> None:
        async with self.services.images.store.local_path(span.key) as path:
            await self.blocking(conn, _sendfile, conn, str(path), span.start, span.end - span.start + 1)


def _sendfile(conn: socket.socket, path: str, start: int, count: int) -> None:
    """The kernel copies the file to the socket: the bytes never enter the process."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, start, count, os.POSIX_FADV_SEQUENTIAL)
        offset = start
        while count > 0:
            sent = os.sendfile(conn.fileno(), fd, offset, min(count, 1 << 30))
            if sent == 0:  # the file is shorter than its record says
                raise OSError("the image file ended early")
            offset += sent
            count -= sent
    finally:
        os.close(fd)


def _plain(status: int, code: str, message: str, request_id: str) -> bytes:
    """An answer outside h11's state machine: for a head it could not parse, or after a failure."""
    payload = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nX-Request-Id: {request_id}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + payload


async def _linger(conn: socket.socket, seconds: float = 2.0, limit: int = 16 * 1024 * 1024) -> None:
    """A refused upload's body may still be arriving: closing on unread bytes resets the connection,
    and the client would lose the answer. Read and drop a little of it first."""
    loop = asyncio.get_running_loop()
    drained = 0
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(seconds):
            while drained < limit and (data := await loop.sock_recv(conn, 256 * 1024)):
                drained += len(data)
