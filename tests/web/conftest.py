"""The web console's build and a whole running stack for the browser tests: api, worker and a host
agent on libvirt's test driver as separate `nimbus` processes, on the test run's PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from nimbus.settings import Settings
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def web_build() -> Path:
    """web/dist and node_modules as `make web` leaves them (a no-op when nothing changed)."""
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed: the web console cannot be built or tested")
    done = subprocess.run([str(ROOT / "scripts" / "web-build.sh")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return WEB / "dist"


@dataclass
class Stack:
    url: str
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        with (self.logs / f"{name}.log").open("wb") as out:  # the child keeps its own copy of the fd
            proc = subprocess.Popen([str(BIN / "nimbus"), *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)

    def check_alive(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _env(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIMBUS_")}
    env.update(
        NIMBUS_DATABASE_URL=str(settings.database_url),
        NIMBUS_REDIS_URL=str(settings.redis_url),
        NIMBUS_REDIS_PREFIX=settings.redis_prefix,
        NIMBUS_SECRET_KEY=str(settings.secret_key),
        NIMBUS_DATA_DIR=str(data_dir),
        NIMBUS_PASSWORD_HASH_PROFILE="fast",
        NIMBUS_LOG_JSON="false",
        NIMBUS_HEARTBEAT_SECONDS="1",
    )
    return env


@pytest.fixture
async def stack(settings: Settings, tmp_path: Path, web_build: Path) -> AsyncIterator[Stack]:
    """Separate api, worker and host agent processes; the test's `app` fixture seeds the database.
    Async, so that waiting never blocks the event loop the in-process app's tasks run on."""
    logs = tmp_path / "logs"
    logs.mkdir()
    port = free_port()
    running = Stack(url=f"http://127.0.0.1:{port}", logs=logs)
    env = _env(settings, tmp_path / "data")
    try:
        running.start("api", ["api", "--port", str(port)], env)
        running.start("worker", ["worker"], env)
        agent = ["agent", "host", "--libvirt-uri", "test:///default", "--name", "e2e-h1"]
        running.start("agent", [*agent, "--storage-dir", str(tmp_path / "disks")], env)
        await _wait_healthy(running)
        yield running
    finally:
        await asyncio.to_thread(running.stop)


async def _wait_healthy(stack: Stack, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=1) as client:
        while time.monotonic() < deadline:
            stack.check_alive()
            try:
                if (await client.get(f"{stack.url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the api did not come up:\n{stack.tail()}")


async def playwright(spec: str, stack: Stack, env: dict[str, str], timeout: float) -> None:
    """Run one Playwright spec against the stack in Debian's Chromium; fail with its report."""
    npx = shutil.which("npx")
    assert npx, "npx is not installed"
    proc = await asyncio.create_subprocess_exec(
        npx,
        "playwright",
        "test",
        spec,
        cwd=WEB,
        env={**os.environ, "NIMBUS_E2E_URL": stack.url, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group: a timeout stops node and Chromium too
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    except TimeoutError:
        os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
        raise
    assert proc.returncode == 0, out.decode(errors="replace")[-8000:] + "\n" + stack.tail()
