"""A platform with a worker, a vCenter simulator and the esxi agent following it, plus helpers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from nimbus.processes import build_esxi_agent
from nimbus.settings import Settings
from tests.compute.conftest import Cloud, wait_for, wait_task
from tests.conftest import GraphQLClient
from tests.vmware.vcsim import SimulatorUnavailable, Vcsim

ACCOUNT_CREATE = """mutation($in: VmwareAccountCreateInput!) { vmwareAccountCreate(input: $in) {
  vmwareAccount { id name status endpoint username } task { id } errors { field message code } } }"""
ACCOUNT_SYNC = """mutation($id: ID!) { vmwareAccountSync(input: {id: $id}) {
  vmwareAccount { id status } task { id } errors { field message code } } }"""
ACCOUNTS = """{ vmwareAccounts { totalCount edges { node { id name status lastSyncAt lastError
  inventory { datacenters clusters hosts datastores networks vms } } } } }"""
SERVERS = """{ servers(first: 100) { totalCount edges { node { id name status vcpus memoryMb
  host { id name hypervisor } } } } }"""
VMWARE_HOSTS = """{ hosts(first: 100) { edges { node { id name hypervisor cpus memoryMb status } } } }"""


@pytest.fixture
def vcsim() -> Iterator[Vcsim]:
    try:
        sim = Vcsim().start()
    except SimulatorUnavailable as exc:
        pytest.fail(f"the vCenter simulator cannot be built here: {exc}")
    yield sim
    sim.stop()


class VmwareCloud(Cloud):
    def start_esxi_agent(self, account_id: str) -> None:
        self._run(build_esxi_agent(self.settings, account_id=account_id, handle_signals=False))

    def esxi_state(self) -> Any:
        return next(w.ctx["agent"] for w in self.workers if "agent" in w.ctx and hasattr(w.ctx["agent"], "followers"))


@pytest.fixture
async def platform(settings: Settings, tmp_path: Path, admin: GraphQLClient) -> AsyncIterator[VmwareCloud]:
    c = VmwareCloud(settings, tmp_path)
    await c.start_worker()
    yield c
    await c.stop()


async def add_account(
    admin: GraphQLClient, sim: Vcsim, *, name: str = "vc1", password: str | None = None, **extra: Any
) -> dict[str, Any]:
    payload = (
        await admin.ok(
            ACCOUNT_CREATE,
            {
                "in": {
                    "name": name,
                    "endpoint": extra.pop("endpoint", sim.url),
                    "username": sim.username,
                    "password": sim.password if password is None else password,
                    **extra,
                }
            },
        )
    )["vmwareAccountCreate"]
    assert payload["errors"] == [], payload
    return payload  # type: ignore[no-any-return]


async def synced_account(
    admin: GraphQLClient, platform: VmwareCloud, sim: Vcsim, timeout: float = 60, **extra: Any
) -> dict[str, Any]:
    """An account whose first sync succeeded, its agent following the simulator."""
    payload = await add_account(admin, sim, **extra)
    account_id = payload["vmwareAccount"]["id"]
    platform.start_esxi_agent(_raw_id(account_id))
    task = await wait_task(admin, payload["task"]["id"], timeout=timeout)
    assert task["status"] == "SUCCEEDED", task
    return {"id": account_id, "task": task}


def _raw_id(global_id: str) -> str:
    from resolvers.ids import parse_global_id

    return str(parse_global_id(global_id)[1])


async def servers(client: GraphQLClient) -> dict[str, dict[str, Any]]:
    data = await client.ok(SERVERS)
    return {e["node"]["name"]: e["node"] for e in data["servers"]["edges"]}


async def server_status(client: GraphQLClient, name: str, status: str, timeout: float = 10) -> dict[str, Any]:
    """Wait for the server's status; DELETED servers leave the list."""

    async def check() -> dict[str, Any] | None:
        found = (await servers(client)).get(name)
        if status == "DELETED":
            return {"name": name, "status": status} if found is None else None
        return found if found is not None and found["status"] == status else None

    result: dict[str, Any] = await wait_for(check, timeout=timeout)
    return result


def sim_vms(si: Any) -> dict[str, Any]:
    from pyVmomi import vim

    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return {vm.name: vm for vm in view.view}
    finally:
        view.Destroy()


def sim_hosts(si: Any) -> dict[str, Any]:
    from pyVmomi import vim

    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    try:
        return {h.name: h for h in view.view}
    finally:
        view.Destroy()


def sim_wait(task: Any, timeout: float = 20) -> Any:
    from pyVmomi import vim

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = task.info.state
        if state == vim.TaskInfo.State.success:
            return task.info.result
        if state == vim.TaskInfo.State.error:
            raise AssertionError(task.info.error.msg)
        time.sleep(0.05)
    raise AssertionError("simulator task did not finish")
