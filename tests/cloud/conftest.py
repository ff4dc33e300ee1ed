"""moto's EC2 server on a free loopback port, the worker in the test's event loop, and helpers."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_task
from tests.conftest import GraphQLClient, free_port

REGION = "us-east-1"
IMAGE_NAME = "amzn2-ami-hvm-2.0.20180810-x86_64-gp2"
SIZES = ["t3.micro", "t3.small", "m5.large", "c5.xlarge"]

ACCOUNT_CREATE = """mutation($in: CloudAccountCreateInput!) { cloudAccountCreate(input: $in) {
  cloudAccount { id name provider regions status project { name } } errors { field message code } } }"""
ACCOUNT_SYNC = """mutation($id: ID!) { cloudAccountSync(input: {id: $id}) {
  task { id } errors { field message code } } }"""
ACCOUNT_DELETE = """mutation($id: ID!) { cloudAccountDelete(input: {id: $id}) { deletedId errors { code message } } }"""
ACCOUNTS = """{ cloudAccounts { totalCount edges { node { id name status lastSyncError lastSyncResult } } } }"""
SERVERS = """{ servers { totalCount edges { node { id name status hypervisor vcpus memoryMb
  cloud { provider region zone instanceId sku } } } } }"""
CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) {
  servers { id status hypervisor } task { id } errors { field message code } } }"""
ACTION = (
    """mutation($id: ID!) { server%s(input: {id: $id}) { server { id status } task { id } errors { code message } } }"""
)
ZONES = """{ zones { edges { node { id name } } } regions { edges { node { id name } } } }"""


class Moto:
    """One moto_server process; tests reset its state, or turn its authentication on."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> None:
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def _post(self, path: str, body: str = "") -> None:
        data = body.encode()
        req = urllib.request.Request(
            f"{self.url}{path}", data=data, method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(req, timeout=10).close()

    def reset(self) -> None:
        self._post("/moto-api/reset")
        self.require_auth_after(None)

    def require_auth_after(self, calls: int | None) -> None:
        """From the `calls`+1-th request on, only IAM-known access keys are accepted (None: off)."""
        self._post("/moto-api/reset-auth", "inf" if calls is None else str(calls))

    def ec2(self) -> Any:
        return boto3.client(
            "ec2",
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id="AKIDNIMBUSTEST",
            aws_secret_access_key="secret",
        )

    def config(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.url,
            "image_owners": ["amazon"],
            "image_name": IMAGE_NAME,
            "instance_types": SIZES,
            "wait_delay_s": 0.2,
            "max_attempts": 1,
        }


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    moto = Moto()
    moto.start(tmp_path_factory.mktemp("moto") / "moto.log")
    yield moto
    moto.stop()


@pytest.fixture
def moto(moto_server: Moto) -> Moto:
    moto_server.reset()
    return moto_server


@pytest.fixture
async def worker(settings: Settings, tmp_path: Path) -> AsyncIterator[Cloud]:
    c = Cloud(settings, tmp_path)
    await c.start_worker()
    yield c
    await c.stop()


def credentials(key: str = "AKIDNIMBUSTEST") -> list[dict[str, str]]:
    return [{"key": "access_key_id", "value": key}, {"key": "secret_access_key", "value": "secret"}]


async def create_account(
    admin: GraphQLClient, moto: Moto, name: str = "aws1", project_id: str | None = None
) -> dict[str, Any]:
    data = await admin.ok(
        ACCOUNT_CREATE,
        {
            "in": {
                "name": name,
                "provider": "aws",
                "projectId": project_id,
                "regions": [REGION],
                "credentials": credentials(),
                "config": moto.config(),
            }
        },
    )
    payload = data["cloudAccountCreate"]
    assert payload["errors"] == [], payload
    account: dict[str, Any] = payload["cloudAccount"]
    return account


async def sync(admin: GraphQLClient, account_id: str, timeout: float = 50) -> dict[str, Any]:
    payload = (await admin.ok(ACCOUNT_SYNC, {"id": account_id}))["cloudAccountSync"]
    assert payload["errors"] == [], payload
    return await wait_task(admin, payload["task"]["id"], timeout=timeout)


async def servers(client: GraphQLClient) -> list[dict[str, Any]]:
    return [e["node"] for e in (await client.ok(SERVERS))["servers"]["edges"]]


def instance_states(moto: Moto) -> dict[str, str]:
    reservations = moto.ec2().describe_instances()["Reservations"]
    return {i["InstanceId"]: i["State"]["Name"] for r in reservations for i in r["Instances"]}
