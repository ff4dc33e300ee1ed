"""Clear errors for a wrong password and an unreachable endpoint; expired sessions are re-established."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pyVim.connect import Disconnect

from tests.compute.conftest import wait_for, wait_task
from tests.conftest import GraphQLClient, free_port
from tests.vmware.conftest import (
    ACCOUNTS,
    VmwareCloud,
    _raw_id,
    add_account,
    server_status,
    servers,
    sim_vms,
    sim_wait,
    synced_account,
)
from tests.vmware.test_operations import _action
from tests.vmware.vcsim import Vcsim


async def _failed_sync(admin: GraphQLClient, platform: VmwareCloud, payload: dict[str, Any]) -> tuple[str, str]:
    platform.start_esxi_agent(_raw_id(payload["vmwareAccount"]["id"]))
    task = await wait_task(admin, payload["task"]["id"], timeout=30)
    assert task["status"] == "FAILED"
    account = (await admin.ok(ACCOUNTS))["vmwareAccounts"]["edges"][0]["node"]
    assert account["status"] == "ERROR"
    return task["error"], account["lastError"]


async def test_wrong_password(admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim) -> None:
    payload = await add_account(admin, vcsim, password="not-the-password")
    task_error, account_error = await _failed_sync(admin, platform, payload)
    assert task_error.startswith(f"{vcsim.url} refused the sign-in")
    assert "incorrect user name or password" in task_error.lower() or "login" in task_error.lower()
    assert account_error == task_error
    assert (await servers(admin)) == {}


async def test_unreachable_endpoint(admin: GraphQLClient, platform: VmwareCloud) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    sim = Vcsim()
    payload = await add_account(admin, sim, endpoint=endpoint)
    task_error, _ = await _failed_sync(admin, platform, payload)
    assert task_error.startswith(f"cannot reach {endpoint}")
    assert "refused" in task_error.lower()


async def test_bad_endpoint_is_a_payload_error(admin: GraphQLClient) -> None:
    data = await admin.ok(
        """mutation { vmwareAccountCreate(input: {name: "x", endpoint: "ftp://vc", username: "u", password: "p"}) {
        vmwareAccount { id } errors { field code } } }"""
    )
    assert data["vmwareAccountCreate"] == {"vmwareAccount": None, "errors": [{"field": "endpoint", "code": "INVALID"}]}


async def test_password_is_never_returned(admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim) -> None:
    await add_account(admin, vcsim)
    body = await admin.raw(ACCOUNTS)
    assert vcsim.password not in body.text
    introspection = await admin.ok('{ __type(name: "VmwareAccount") { fields { name } } }')
    assert "password" not in {f["name"] for f in introspection["__type"]["fields"]}


async def test_expired_sessions_are_re_established(admin: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim) -> None:
    await synced_account(admin, platform, vcsim)
    state = platform.esxi_state()
    follower = next(iter(state.followers.values()))
    si = vcsim.connect()
    try:
        manager = si.content.sessionManager
        # vCenter forgets the session the agent follows changes with, in the middle of following.
        manager.TerminateSession([follower.session.session_key()])
        name, vm = next((n, v) for n, v in sorted(sim_vms(si).items()) if v.runtime.powerState == "poweredOn")
        await asyncio.to_thread(sim_wait, vm.PowerOffVM_Task())
        await server_status(admin, name, "STOPPED", timeout=15)

        async def signed_in_again() -> bool:
            return follower.session.logins == 2

        await wait_for(signed_in_again, timeout=10)
        # The new session follows changes as the old one did.
        await asyncio.to_thread(sim_wait, vm.PowerOnVM_Task())
        await server_status(admin, name, "RUNNING", timeout=15)

        # The same for the session operations run in.
        server = (await servers(admin))[name]
        await _action(admin, "serverStop", server["id"])
        ops = next(iter(state.sessions.values()))
        manager.TerminateSession([ops.session_key()])
        await _action(admin, "serverStart", server["id"])
        assert ops.logins == 2
        assert sim_vms(si)[name].runtime.powerState == "poweredOn"
    finally:
        Disconnect(si)


async def test_a_session_expired_during_the_first_sync_is_re_established(
    admin: GraphQLClient, platform: VmwareCloud
) -> None:
    sim = Vcsim(vms=300).start()
    si = sim.connect()
    try:
        own = si.content.sessionManager.currentSession.key
        payload = await add_account(admin, sim)
        platform.start_esxi_agent(_raw_id(payload["vmwareAccount"]["id"]))

        def expire_the_agents_session() -> None:
            # As soon as the agent has signed in, while it lists the inventory, vCenter forgets it.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                others = [s.key for s in si.content.sessionManager.sessionList if s.key != own]
                if others:
                    si.content.sessionManager.TerminateSession(others)
                    return
                time.sleep(0.005)
            raise AssertionError("the agent never signed in")

        await asyncio.to_thread(expire_the_agents_session)
        task = await wait_task(admin, payload["task"]["id"], timeout=60)
        assert task["status"] == "SUCCEEDED", task
        follower = next(iter(platform.esxi_state().followers.values()))
        assert follower.session.logins == 2
        total = (await admin.ok("{ servers { totalCount } }"))["servers"]["totalCount"]
        assert total == len(sim_vms(si))
    finally:
        Disconnect(si)
        sim.stop()
