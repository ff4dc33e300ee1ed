"""Load balancer figures on real haproxy: render + validate + reload of 1,000 listeners as the lb
agent does it, and request throughput through haproxy against the same backend served directly."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from agents.lb.protocol import ClusterConfig, ListenerConf
from agents.lb.render import render
from agents.lb.service import LbService

LISTENERS = 1000
REQUESTS = 20_000
CONCURRENCY = 16
T = TypeVar("T")


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    candidate = 41_000
    while len(ports) < count:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
                ports.append(candidate)
            except OSError:
                pass
        candidate += 1
    return ports


def _listener(n: int, port: int, backend_port: int) -> ListenerConf:
    pool = f"p-{n}"
    return {
        "id": f"bench-{n}",
        "loadbalancer_id": "bench",
        "protocol": "HTTP",
        "address": "127.0.0.1",
        "port": port,
        "scheduler": "ROUND_ROBIN",
        "certificate_id": None,
        "sticky_cookie": None,
        "connect_timeout_ms": 5000,
        "client_timeout_ms": 30000,
        "server_timeout_ms": 30000,
        "x_forwarded_for": True,
        "redirect_https": False,
        "acl_id": None,
        "acl_type": None,
        "default_pool": pool,
        "rules": [],
        "pools": [
            {
                "name": pool,
                "group_id": "g",
                "check": {"type": "NONE", "path": "/", "expected_codes": [], "interval_ms": 2000, "rise": 2, "fall": 3},
                "servers": [
                    {"id": f"s{n}-{i}", "address": "127.0.0.1", "port": backend_port, "weight": 1, "backup": False}
                    for i in range(2)
                ],
            }
        ],
    }


def _config(ports: list[int], backend_port: int, generation: int) -> ClusterConfig:
    listeners = [_listener(n, port, backend_port) for n, port in enumerate(ports)]
    return {"cluster": "bench", "generation": generation, "listeners": listeners, "certificates": {}, "acls": {}}


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _static_backend(directory: Path, port: int) -> subprocess.Popen[bytes]:
    """The fastest backend there is on this machine: haproxy answering every request itself."""
    cfg = directory / "backend.cfg"
    cfg.write_text(
        "global\n    maxconn 4096\n"
        "defaults\n    mode http\n    timeout client 30s\n    timeout server 30s\n    timeout connect 5s\n"
        f"frontend static\n    bind 127.0.0.1:{port}\n"
        '    http-request return status 200 content-type text/plain string "ok"\n'
    )
    return subprocess.Popen(["haproxy", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _requests_per_second(url: str) -> tuple[float, int]:
    out = subprocess.run(
        ["ab", "-q", "-k", "-n", str(REQUESTS), "-c", str(CONCURRENCY), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = re.search(r"Requests per second:\s+([\d.]+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    if rps is None or failed is None:
        raise RuntimeError(f"unexpected ab output: {out}")
    return float(rps.group(1)), int(failed.group(1)) + (int(non_2xx.group(1)) if non_2xx else 0)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def run() -> list[tuple[str, str]]:
    if shutil.which("haproxy") is None or shutil.which("ab") is None:
        return [("load balancer", "skipped: haproxy and ab (apache2-utils) are needed")]
    with tempfile.TemporaryDirectory(prefix="nimbus-lb-bench-") as tmp:
        base = Path(tmp)
        backend_port, *ports = _free_ports(LISTENERS + 1)
        backend = _static_backend(base, backend_port)
        service = LbService("bench", base / "lb")
        try:
            service.ensure_running()
            conf = _config(ports, backend_port, 1)
            rendered, render_s = _timed(lambda: render(conf, base / "probe", service.state_dir))
            probe = base / "probe.cfg"
            probe.write_text(rendered.config)
            _, validate_s = _timed(lambda: service.haproxy.validate(probe))
            _, first_apply_s = _timed(lambda: service.apply(conf))
            _, reload_s = _timed(service.haproxy.reload)
            changed = _config(ports, backend_port, 2)
            changed["listeners"][0]["x_forwarded_for"] = False
            _, change_s = _timed(lambda: service.apply(changed))
            _wait_listening(backend_port)
            _wait_listening(ports[0])
            direct, direct_failed = _requests_per_second(f"http://127.0.0.1:{backend_port}/")
            through, through_failed = _requests_per_second(f"http://127.0.0.1:{ports[0]}/")
        finally:
            service.haproxy.stop()
            backend.terminate()
            backend.wait(timeout=10)
    return [
        (
            f"lb: render {LISTENERS} listeners",
            f"{render_s * 1000:.1f} ms ({len(rendered.config) // 1024} KiB of haproxy.cfg)",
        ),
        (f"lb: haproxy -c on {LISTENERS} listeners", f"{validate_s * 1000:.0f} ms"),
        (f"lb: first apply of {LISTENERS} listeners (render+validate+start workers)", f"{first_apply_s * 1000:.0f} ms"),
        (f"lb: reload only, {LISTENERS} listeners (SIGUSR2 to new worker)", f"{reload_s * 1000:.0f} ms"),
        (f"lb: one change on {LISTENERS} listeners (render+validate+reload)", f"{change_s * 1000:.0f} ms"),
        ("lb: requests/s direct to backend (ab -k, c=16)", f"{direct:,.0f} ({direct_failed} failed)"),
        ("lb: requests/s through haproxy (ab -k, c=16)", f"{through:,.0f} ({through_failed} failed)"),
        ("lb: through / direct", f"{through / direct:.2f}"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")
