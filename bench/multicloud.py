"""Multi-cloud figures against moto's EC2 server: a full account sync, a repeat sync, and the
time serverCreate/serverStop/serverStart take end to end on AWS servers."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.api import _ms, _post
from bench.harness import ADMIN_PASSWORD, Platform
from bench.identity import _wait_for_worker
from tests.cloud.conftest import IMAGE_NAME, Moto, credentials

LOGIN = (
    """mutation($p: String!) { tokenCreate(input: {username: "admin", password: $p, project: "admin"}) { token } }"""
)
ACCOUNT = """mutation($in: CloudAccountCreateInput!) { cloudAccountCreate(input: $in) {
  cloudAccount { id } errors { message } } }"""
SYNC = "mutation($id: ID!) { cloudAccountSync(input: {id: $id}) { task { id } errors { message } } }"
TASK = "query($id: ID!) { node(id: $id) { ... on Task { status error result } } }"
CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) { servers { id } task { id } errors { message } } }"""
ACTION = "mutation($id: ID!) { server%s(input: {id: $id}) { task { id } errors { message } } }"
INSTANCES = 50


def _task(http: httpx.Client, task_id: str) -> dict[str, Any]:
    while True:
        task: dict[str, Any] = _post(http, TASK, {"id": task_id})["data"]["node"]  # type: ignore[index,assignment]
        if task["status"] in ("SUCCEEDED", "FAILED"):
            assert task["status"] == "SUCCEEDED", task
            return task
        time.sleep(0.02)


def _sync(http: httpx.Client, account_id: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    task_id = _post(http, SYNC, {"id": account_id})["data"]["cloudAccountSync"]["task"]["id"]  # type: ignore[index]
    task = _task(http, task_id)
    return time.perf_counter() - started, task["result"]


def _lifecycle(http: httpx.Client) -> list[tuple[str, str]]:
    created, stopped, started_again = [], [], []
    for i in range(10):
        t0 = time.perf_counter()
        body = _post(http, CREATE, {"in": {"name": f"b{i}", "vcpus": 2, "memoryMb": 4096, "hypervisor": "AWS"}})
        payload = body["data"]["serverCreate"]  # type: ignore[index]
        _task(http, payload["task"]["id"])
        created.append(time.perf_counter() - t0)
        server_id = payload["servers"][0]["id"]
        for verb, samples in (("Stop", stopped), ("Start", started_again)):
            t0 = time.perf_counter()
            task_id = _post(http, ACTION % verb, {"id": server_id})["data"][f"server{verb}"]["task"]["id"]  # type: ignore[index]
            _task(http, task_id)
            samples.append(time.perf_counter() - t0)
    return [
        ("serverCreate on AWS to RUNNING (RunInstances + waiter)", _ms(created)),
        ("serverStop on AWS to STOPPED", _ms(stopped)),
        ("serverStart on AWS to RUNNING", _ms(started_again)),
    ]


def run(platform: Platform) -> list[tuple[str, str]]:
    moto = Moto()
    with tempfile.TemporaryDirectory() as tmp, httpx.Client(base_url=platform.url, timeout=120) as http:
        moto.start(Path(tmp) / "moto.log")
        try:
            ec2 = moto.ec2()
            ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [IMAGE_NAME]}])
            image = ami["Images"][0]["ImageId"]
            ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=INSTANCES, MaxCount=INSTANCES)
            token = _post(http, LOGIN, {"p": ADMIN_PASSWORD})["data"]["tokenCreate"]["token"]  # type: ignore[index]
            http.headers["authorization"] = f"Bearer {token}"
            config = {**moto.config(), "instance_types": []}  # every instance type moto knows
            spec = {
                "name": "bench",
                "provider": "aws",
                "regions": ["us-east-1"],
                "credentials": credentials(),
                "config": config,
            }
            account_id = _post(http, ACCOUNT, {"in": spec})["data"]["cloudAccountCreate"]["cloudAccount"]["id"]  # type: ignore[index]
            platform.start("worker")
            _wait_for_worker(platform)
            first, result = _sync(http, account_id)
            again, _ = _sync(http, account_id)
            skus = result["skus"]["added"]
            figures = [
                (f"cloudAccountSync, first ({skus} SKUs, {INSTANCES} instances, 1 region)", f"{first:.2f} s"),
                ("cloudAccountSync, again (nothing changed)", f"{again:.2f} s"),
            ]
            figures += _lifecycle(http)
        finally:
            moto.stop()
    return figures


if __name__ == "__main__":
    from bench.harness import platform as _platform

    with _platform() as p:
        for name, value in run(p):
            print(f"  {name}  {value}")
