"""VMware sync figures against the vCenter simulator: the first sync of 20 hosts and 1,000 VMs
(from vmwareAccountCreate to the sync task's success, every VM a server), and the delay from a
power change in the simulator to the server's new status in Nimbus (incremental path)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx

from bench.harness import ADMIN_PASSWORD, Platform, platform
from resolvers.ids import parse_global_id
from tests.vmware.conftest import sim_vms, sim_wait
from tests.vmware.vcsim import Vcsim

HOSTS, VMS, CHANGES = 20, 1000, 10
LOGIN = """mutation($p: String!) { tokenCreate(input: {username: "admin", password: $p, project: "admin"})
  { token } }"""
CREATE = """mutation($in: VmwareAccountCreateInput!) { vmwareAccountCreate(input: $in) {
  vmwareAccount { id } task { id } errors { message } } }"""
TASK = "query($id: ID!) { node(id: $id) { ... on Task { status progress error } } }"
SERVER = "query($n: String!) { servers(filter: {name: $n}) { edges { node { status } } } }"
COUNT = "{ servers { totalCount } hosts { totalCount } }"


def _gql(http: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = http.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def _until(check: Any, timeout: float, interval: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(interval)
    raise RuntimeError("timed out")


def _first_sync(p: Platform, http: httpx.Client, sim: Vcsim) -> tuple[float, list[int]]:
    inp = {"name": "bench", "endpoint": sim.url, "username": sim.username, "password": sim.password}
    started = time.monotonic()
    payload = _gql(http, CREATE, {"in": inp})["vmwareAccountCreate"]
    account = str(parse_global_id(payload["vmwareAccount"]["id"])[1])
    p.start("agent", "esxi", "--account", account)
    seen: list[int] = []

    def done() -> dict[str, Any] | None:
        task = _gql(http, TASK, {"id": payload["task"]["id"]})["node"]
        if not seen or seen[-1] != task["progress"]:
            seen.append(task["progress"])
        return task if task["status"] in ("SUCCEEDED", "FAILED") else None

    task = _until(done, 600, 0.05)
    assert task["status"] == "SUCCEEDED", task
    return time.monotonic() - started, seen


def _change_delays(http: httpx.Client, sim: Vcsim) -> list[float]:
    si = sim.connect()
    delays = []
    try:
        vms = sorted(sim_vms(si).items())[:CHANGES]
        for name, vm in vms:
            on = vm.runtime.powerState == "poweredOn"
            sim_wait(vm.PowerOffVM_Task() if on else vm.PowerOnVM_Task())
            changed = time.monotonic()
            want = "STOPPED" if on else "RUNNING"

            def arrived(name: str = name, want: str = want) -> bool:
                edges = _gql(http, SERVER, {"n": name})["servers"]["edges"]
                return bool(edges) and edges[0]["node"]["status"] == want

            _until(arrived, 30)
            delays.append(time.monotonic() - changed)
    finally:
        from pyVim.connect import Disconnect

        Disconnect(si)
    return delays


def run(p: Platform) -> list[tuple[str, str]]:
    sim = Vcsim(clusters=1, cluster_hosts=HOSTS, hosts=0, vms=VMS).start()
    try:
        p.start("worker")
        with httpx.Client(base_url=p.url, timeout=60) as http:
            http.headers["authorization"] = "Bearer " + _gql(http, LOGIN, {"p": ADMIN_PASSWORD})["tokenCreate"]["token"]
            seconds, progress = _first_sync(p, http, sim)
            counts = _gql(http, COUNT)
            delays = _change_delays(http, sim)
    finally:
        sim.stop()
    return [
        (
            f"esxi first sync ({counts['hosts']['totalCount']} hosts, {counts['servers']['totalCount']} VMs)",
            f"{seconds:.2f} s (progress seen: {' '.join(map(str, progress))})",
        ),
        (
            f"esxi change -> Nimbus delay (median / max of {len(delays)})",
            f"{statistics.median(delays) * 1000:.0f} ms / {max(delays) * 1000:.0f} ms",
        ),
    ]


def main() -> list[tuple[str, str]]:
    with platform() as p:
        return run(p)


if __name__ == "__main__":
    for name, value in main():
        print(f"  {name}  {value}")
