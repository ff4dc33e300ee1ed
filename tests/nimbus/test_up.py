"""`nimbus up` runs the whole platform from an empty data dir; climc signs in and reads `whoami`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

BIN = Path(sys.executable).parent


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIMBUS_")}
    env.update(
        NIMBUS_DATA_DIR=str(tmp / "data"),
        NIMBUS_CONFIG_DIR=str(tmp / "climc"),
        NIMBUS_PASSWORD_HASH_PROFILE="fast",
        NIMBUS_CONSOLE_VNC_PORT=str(free_port()),
        NIMBUS_CONSOLE_SSH_PORT=str(free_port()),
    )
    return env


class Up:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"up-{self.port}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "nimbus"), "up", "--port", str(self.port)],
                env=_env(tmp),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"nimbus up did not come up:\n{self.log.read_text()[-3000:]}")

    def password(self) -> str:
        match = re.search(r"user 'admin', password '([^']+)'", self.log.read_text())
        assert match, self.log.read_text()
        return match.group(1)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=20)


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    server = Up(tmp_path)
    yield server
    if server.proc.poll() is None:
        server.stop()


def climc(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "climc"), *args], env=_env(tmp), capture_output=True, text=True, timeout=30)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_up_serves_graphql_and_climc_signs_in(up: Up, tmp_path: Path) -> None:
    login = climc(tmp_path, "login", "--url", up.url, "-u", "admin", "-p", up.password())
    assert login.returncode == 0, login.stderr
    assert "Logged in as admin" in login.stdout
    creds = next((tmp_path / "climc").rglob("credentials.json"))
    assert oct(creds.stat().st_mode & 0o777) == "0o600"

    whoami = climc(tmp_path, "whoami", "-o", "json")
    assert whoami.returncode == 0, whoami.stderr
    me = json.loads(whoami.stdout)
    assert me["user"]["name"] == "admin"
    assert me["project"]["name"] == "admin"

    created = climc(tmp_path, "project-create", "ops")
    assert created.returncode == 0, created.stderr
    listed = climc(tmp_path, "project-list", "-o", "json")
    assert {p["name"] for p in json.loads(listed.stdout)} == {"admin", "ops"}

    refused = climc(tmp_path, "project-create", "ops")
    assert refused.returncode == 1
    assert "DUPLICATE" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_second_up_reuses_the_data_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    first = Up(tmp_path)
    password = first.password()
    login = climc(tmp_path, "login", "--url", first.url, "-u", "admin", "-p", password)
    assert login.returncode == 0, login.stderr
    assert climc(tmp_path, "project-create", "kept").returncode == 0
    assert first.stop() == 0
    redis_socket_gone = not any(
        p.name.startswith("redis") and p.suffix == ".sock" for p in (tmp_path / "data").iterdir()
    )
    assert redis_socket_gone or not _redis_running(tmp_path)

    second = Up(tmp_path)
    try:
        assert second.password() == password  # the admin is kept, not re-created
        login = climc(tmp_path, "login", "--url", second.url, "-u", "admin", "-p", password)
        assert login.returncode == 0, login.stderr
        listed = climc(tmp_path, "project-list", "-o", "json")
        assert "kept" in {p["name"] for p in json.loads(listed.stdout)}
    finally:
        second.stop()


def _redis_running(tmp: Path) -> bool:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return str(tmp / "data") in out and "redis-server" in out


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_db_upgrade_and_bootstrap_share_the_data_dir_with_up(tmp_path: Path) -> None:
    env = _env(tmp_path)
    upgrade = subprocess.run([str(BIN / "nimbus"), "db", "upgrade"], env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    weak = subprocess.run(
        [str(BIN / "nimbus"), "admin", "bootstrap", "--password", "short"], env=env, capture_output=True, text=True
    )
    assert weak.returncode == 1
    assert "error: password" in weak.stderr
    assert "Traceback" not in weak.stderr
    boot = subprocess.run(
        [str(BIN / "nimbus"), "admin", "bootstrap", "--password", "Chosen-Passw0rd"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert boot.returncode == 0, boot.stderr
    server = Up(tmp_path)
    try:
        assert "password set earlier" in server.log.read_text()
        login = climc(tmp_path, "login", "--url", server.url, "-u", "admin", "-p", "Chosen-Passw0rd")
        assert login.returncode == 0, login.stderr
    finally:
        server.stop()
