"""The provisioning network's servers: dnsmasq for DHCP and TFTP, and an HTTP server that hands
each registered MAC its boot script and records every fetch.

iPXE (the NIC ROM QEMU ships, or undionly.kpxe over TFTP on real hardware) gets
`http://<server>/boot.ipxe` from DHCP; that script chains to `/boot/<its MAC>`, the machine's own
script, which calls `/booted/<MAC>` once it runs: the agent's proof that the deploy reached it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pwd
import shutil
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agents.baremetal.protocol import PxeBoot

log = logging.getLogger("nimbus.agent.baremetal.pxe")

CHAIN_SCRIPT = "#!ipxe\nchain http://{server}:{port}/boot/${{net0/mac}}\n"


def normalize_mac(mac: str) -> str:
    return mac.strip().lower().replace("-", ":")


@dataclass(frozen=True)
class Fetch:
    """One HTTP request a machine made on the provisioning network."""

    client: str
    path: str
    mac: str
    at: float

    def to_dict(self) -> dict[str, Any]:
        return {"client": self.client, "path": self.path, "mac": self.mac, "at": self.at}


@dataclass
class PxeService:
    interface: str  # where dnsmasq answers DHCP (inside `netns` when given)
    server_address: str  # the HTTP server's address as the machines reach it
    dhcp_range: tuple[str, str]
    work_dir: Path
    netns: str | None = None
    http_bind: str = "0.0.0.0"
    http_port: int = 0  # 0: any free port
    scripts: dict[str, PxeBoot] = field(default_factory=dict)
    fetches: list[Fetch] = field(default_factory=list)
    _waiters: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future[dict[str, Any]]]]] = field(
        default_factory=dict
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _http: ThreadingHTTPServer | None = None
    _dnsmasq: subprocess.Popen[bytes] | None = None

    @property
    def leases_file(self) -> Path:
        return self.work_dir / "dnsmasq.leases"

    @property
    def log_file(self) -> Path:
        return self.work_dir / "dnsmasq.log"

    async def start(self) -> None:
        await asyncio.to_thread(self._start)
        await asyncio.sleep(0.3)
        assert self._dnsmasq is not None
        if self._dnsmasq.poll() is not None:
            error = self._dnsmasq.stderr.read().decode() if self._dnsmasq.stderr else ""
            error += self.dnsmasq_log()[-2000:]
            await self.stop()
            raise RuntimeError(f"dnsmasq did not start: {error.strip()}")
        log.info(
            "provisioning network on %s, boot scripts at http://%s:%d",
            self.interface,
            self.server_address,
            self.http_port,
        )

    def _start(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        (self.work_dir / "tftp").mkdir(exist_ok=True)
        undionly = Path("/usr/lib/ipxe/undionly.kpxe")
        if undionly.exists():  # for firmware whose PXE ROM is not iPXE already
            shutil.copy(undionly, self.work_dir / "tftp" / "undionly.kpxe")
        self._http = ThreadingHTTPServer((self.http_bind, self.http_port), _handler(self))
        self.http_port = self._http.server_address[1]
        threading.Thread(target=self._http.serve_forever, name="pxe-http", daemon=True).start()
        self._dnsmasq = subprocess.Popen(self._dnsmasq_command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _dnsmasq_command(self) -> list[str]:
        start, end = self.dhcp_range
        boot = f"http://{self.server_address}:{self.http_port}/boot.ipxe"
        command = [
            "dnsmasq",
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--port=0",  # no DNS: only DHCP and TFTP
            f"--interface={self.interface}",
            "--bind-interfaces",
            f"--dhcp-range={start},{end},255.255.255.0,10m",
            f"--dhcp-leasefile={self.leases_file}",
            "--dhcp-authoritative",
            "--dhcp-userclass=set:ipxe,iPXE",
            f"--dhcp-boot=tag:ipxe,{boot}",
            "--dhcp-boot=tag:!ipxe,undionly.kpxe",
            "--enable-tftp",
            f"--tftp-root={self.work_dir / 'tftp'}",
            "--log-dhcp",
            f"--log-facility={self.log_file}",
            f"--pid-file={self.work_dir / 'dnsmasq.pid'}",
            # Stay the agent's user: the TFTP root, leases and log live in the agent's work dir.
            f"--user={pwd.getpwuid(os.getuid()).pw_name}",
        ]
        return ["ip", "netns", "exec", self.netns, *command] if self.netns else command

    async def stop(self) -> None:
        if self._dnsmasq is not None:
            self._dnsmasq.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self._dnsmasq.wait, 5)
            if self._dnsmasq.poll() is None:
                self._dnsmasq.kill()
            if self._dnsmasq.stderr:
                self._dnsmasq.stderr.close()
            self._dnsmasq = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def serve(self, boot: PxeBoot) -> None:
        with self._lock:
            for mac in boot.macs:
                self.scripts[normalize_mac(mac)] = boot

    def expect(self, boot: PxeBoot) -> asyncio.Future[dict[str, Any]]:
        """Serve `boot` and return a future that resolves when one of its MACs reports it booted."""
        self.serve(boot)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        with self._lock:
            for mac in boot.macs:
                self._waiters.setdefault(normalize_mac(mac), []).append((loop, future))
        return future

    def leases(self) -> list[dict[str, str]]:
        """dnsmasq's lease file: one line per lease, `expiry mac ip hostname client-id`."""
        if not self.leases_file.exists():
            return []
        rows = [line.split() for line in self.leases_file.read_text().splitlines() if line.strip()]
        return [{"mac": r[1], "ip": r[2]} for r in rows if len(r) >= 3]

    def dnsmasq_log(self) -> str:
        return self.log_file.read_text() if self.log_file.exists() else ""

    def _record(self, client: str, path: str, mac: str) -> None:
        fetch = Fetch(client, path, mac, time.time())
        with self._lock:
            self.fetches.append(fetch)
            waiters = self._waiters.pop(mac, []) if path.startswith("/booted/") else []
        log.info("%s fetched %s", client, path)
        evidence = {**fetch.to_dict(), "fetches": [f.to_dict() for f in self.fetches if f.mac == mac]}
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future, evidence)

    def answer(self, path: str) -> str | None:
        if path == "/boot.ipxe":
            return CHAIN_SCRIPT.format(server=self.server_address, port=self.http_port)
        if path.startswith("/boot/"):
            boot = self.scripts.get(normalize_mac(path.removeprefix("/boot/")))
            if boot is None:
                return None
            callback = f"http://{self.server_address}:{self.http_port}/booted/${{net0/mac}}"
            return boot.script.rstrip("\n") + f"\nimgfetch {callback} ||\n"
        if path.startswith("/booted/"):
            return "ok\n"
        return None


def _resolve(future: asyncio.Future[dict[str, Any]], evidence: dict[str, Any]) -> None:
    if not future.done():
        future.set_result(evidence)


def _handler(service: PxeService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # iPXE URL-encodes the colons of ${net0/mac}.
            path = urllib.parse.unquote(self.path.split("?", 1)[0])
            mac = normalize_mac(path.rsplit("/", 1)[-1]) if path.count("/") >= 2 else ""
            service._record(self.client_address[0], path, mac)
            body = service.answer(path)
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

    return Handler
