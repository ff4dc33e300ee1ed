"""Volumes, hotplug and resize on a real QEMU guest (qemu:///system), end to end through the api,
the worker and a host agent as separate processes: how long each task takes until it has ended."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import statistics
import tempfile
import time
from typing import Any

import httpx

from bench.harness import ADMIN_PASSWORD, Platform, platform
from bench.task_pipeline import LOGIN, _gql

VOLUMES = 8
NICS = 4
LISTS = 20
TASK = "query($id: ID!) { node(id: $id) { ... on Task { status error } } }"
PAYLOAD = "task { id } errors { code message }"


async def _task(http: httpx.AsyncClient, payload: dict[str, Any]) -> float:
    """Seconds from the mutation's answer until its task has ended (polled every 20 ms)."""
    if payload["errors"]:
        raise RuntimeError(payload["errors"])
    started = time.perf_counter()
    while True:
        task = (await _gql(http, TASK, {"id": payload["task"]["id"]}))["node"]
        if task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            if task["status"] != "SUCCEEDED":
                raise RuntimeError(task["error"])
            return time.perf_counter() - started
        await asyncio.sleep(0.02)


async def _mutate(http: httpx.AsyncClient, document: str, **variables: Any) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    payload = next(iter((await _gql(http, document, variables)).values()))
    await _task(http, payload)
    return payload, time.perf_counter() - started


async def _host(http: httpx.AsyncClient, name: str) -> str:
    while True:
        edges = (await _gql(http, "{ hosts { edges { node { id name status } } } }"))["hosts"]["edges"]
        found = [e["node"]["id"] for e in edges if e["node"]["name"] == name and e["node"]["status"] == "ONLINE"]
        if found:
            return str(found[0])
        await asyncio.sleep(0.2)


def _ms(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples) * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms (n={len(samples)})"


async def _run(url: str, host_name: str) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        token = (await _gql(http, LOGIN, {"p": ADMIN_PASSWORD}))["tokenCreate"]["token"]
        http.headers["authorization"] = f"Bearer {token}"
        host_id = await _host(http, host_name)
        created = f"""mutation($h: ID!) {{ serverCreate(input: {{name: "bench-devices", vcpus: 1, memoryMb: 64,
          diskGb: 1, hostId: $h}}) {{ servers {{ id }} {PAYLOAD} }} }}"""
        payload, _ = await _mutate(http, created, h=host_id)
        server = payload["servers"][0]["id"]
        net = 'mutation { networkCreate(input: {name: "bench-lan", cidr: "10.200.0.0/24"}) { network { id } } }'
        network = (await _gql(http, net))["networkCreate"]["network"]["id"]

        make = f"""mutation($s: ID!, $n: String!) {{ diskCreate(input: {{name: $n, sizeGb: 1, serverId: $s}})
          {{ disk {{ id }} {PAYLOAD} }} }}"""
        attach = f"mutation($s: ID!, $d: ID!) {{ serverDiskAttach(input: {{id: $s, diskId: $d}}) {{ {PAYLOAD} }} }}"
        detach = f"mutation($s: ID!, $d: ID!) {{ serverDiskDetach(input: {{id: $s, diskId: $d}}) {{ {PAYLOAD} }} }}"
        nic = f"mutation($s: ID!, $n: ID!) {{ serverNicAttach(input: {{id: $s, networkId: $n}}) {{ {PAYLOAD} }} }}"
        resize = f"mutation($in: ServerResizeInput!) {{ serverResize(input: $in) {{ {PAYLOAD} }} }}"
        delete = f"mutation($d: ID!) {{ diskDelete(input: {{id: $d}}) {{ {PAYLOAD} }} }}"
        stop = f"mutation($s: ID!) {{ serverStop(input: {{id: $s, force: true}}) {{ {PAYLOAD} }} }}"

        disks, creates, attaches, nics, detaches, lists = [], [], [], [], [], []
        for i in range(VOLUMES):
            payload, took = await _mutate(http, make, s=server, n=f"vol{i}")
            disks.append(payload["disk"]["id"])
            creates.append(took)
        for disk in disks:
            attaches.append((await _mutate(http, attach, s=server, d=disk))[1])
        for _ in range(NICS):
            nics.append((await _mutate(http, nic, s=server, n=network))[1])
        _, live = await _mutate(http, resize, **{"in": {"id": server, "vcpus": 2, "memoryMb": 192, "live": True}})
        query = "{ disks(first: 100) { edges { node { id name status device server { name } host { name } } } } }"
        for _ in range(LISTS):
            started = time.perf_counter()
            await _gql(http, query)
            lists.append(time.perf_counter() - started)
        await _mutate(http, stop, s=server)
        _, cold = await _mutate(http, resize, **{"in": {"id": server, "vcpus": 1, "memoryMb": 128, "diskGb": 2}})
        for disk in disks:
            detaches.append((await _mutate(http, detach, s=server, d=disk))[1])
        await _mutate(http, f"mutation($s: ID!) {{ serverDelete(input: {{id: $s}}) {{ {PAYLOAD} }} }}", s=server)
        for disk in disks:
            await _mutate(http, delete, d=disk)
    return [
        ("diskCreate 1 GiB qcow2 volume, until READY", _ms(creates)),
        ("serverDiskAttach hot (virtio) on a running QEMU guest", _ms(attaches)),
        ("serverNicAttach hot (virtio-net) with an IPAM address", _ms(nics)),
        ("serverResize live 1->2 vCPUs, 64->192 MiB (DIMM)", f"{live * 1000:.0f} ms"),
        ("serverResize cold (stopped): redefine + grow boot disk", f"{cold * 1000:.0f} ms"),
        ("serverDiskDetach cold (stopped server)", _ms(detaches)),
        (f"disks(first: 100) with server/host, {VOLUMES + 1} disks", _ms(lists)),
    ]


def run(p: Platform) -> list[tuple[str, str]]:
    if shutil.which("virsh") is None:
        return [("server devices on QEMU", "skipped: libvirt is not installed")]
    host_name = f"bench-qemu-{secrets.token_hex(3)}"
    storage = tempfile.mkdtemp(prefix="nimbus-bench-volumes-")
    p.start("worker")
    p.start("agent", "host", "--libvirt-uri", "qemu:///system", "--name", host_name, "--storage-dir", storage)
    try:
        return asyncio.run(_run(p.url, host_name))
    finally:
        shutil.rmtree(storage, ignore_errors=True)


def main() -> list[tuple[str, str]]:
    with platform() as p:
        return run(p)


if __name__ == "__main__":
    for name, value in main():
        print(f"  {name}  {value}")
