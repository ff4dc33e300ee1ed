"""VMware tasks: the account sync, and routing server operations to the account's esxi agent."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from agents.esxi.protocol import POWER_FUNCTIONS, AccountConf, VmSpec
from domain.compute.models import Host, Server, ServerStatus
from domain.task.services import Job
from domain.vmware.inventory import (
    Message,
    apply,
    host_ref,
    link_vm,
    lock_account,
    lock_account_of_server,
    sweep_snapshot,
    vm_ref,
)
from domain.vmware.models import HYPERVISOR, AccountStatus, VmwareAccount, VmwareObject
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.common import agent_error, announce, lock_server, unlock


def account_conf(account: VmwareAccount) -> dict[str, Any]:
    return AccountConf(
        id=str(account.id),
        endpoint=account.endpoint,
        username=account.username,
        password_sealed=account.password_encrypted,
        datacenters=tuple(account.datacenters or ()),
    ).to_dict()


async def _account(sc: StageContext, account_id: uuid.UUID) -> VmwareAccount:
    account = await sc.session.get(VmwareAccount, account_id)
    if account is None:
        sc.fail("the VMware account no longer exists")
    assert account is not None
    return account


async def server_job(sc: StageContext, server: Server, host: Host, action: str, reply: str) -> Job | None:
    """The esxi agent's job for a server action on a VMware host; None for other hosts."""
    if host.hypervisor != HYPERVISOR:
        return None
    ref = await vm_ref(sc.session, server.id)
    if ref is None:
        sc.fail("the server's VM is not known to the VMware sync (yet)")
    assert ref is not None
    account = await _account(sc, ref.account_id)
    function = POWER_FUNCTIONS[action]
    return sc.agent("esxi", str(account.id), function, reply, account_conf(account), ref.moref)


async def create_job(sc: StageContext, server: Server, host: Host, reply: str, source: str = "") -> Job | None:
    """The esxi agent's job creating (or cloning) the server's VM on a VMware host."""
    if host.hypervisor != HYPERVISOR:
        return None
    ref = await host_ref(sc.session, host.id)
    if ref is None:
        sc.fail("the host is not known to the VMware sync")
    assert ref is not None
    account = await _account(sc, ref.account_id)
    spec = VmSpec(
        server_id=str(server.id),
        name=server.name,
        vcpus=server.vcpus,
        memory_mb=server.memory_mb,
        disk_gb=server.disk_gb,
        host=ref.moref,
        source=source,
        power_on=server.power_on_create,
    )
    return sc.agent("esxi", str(account.id), "create_vm", reply, account_conf(account), spec.to_dict())


async def created(sc: StageContext, server: Server, state: dict[str, Any]) -> None:
    """After the agent made a server's VM: remember its moref and host (no-op for other servers).

    Call with the account locked first (`lock_account_of_server`), as the sync does.
    """
    if server.host_id is None or not state.get("moref"):
        return
    ref = await host_ref(sc.session, server.host_id)
    if ref is None:
        return
    await link_vm(sc.session, ref.account_id, state["moref"], server.id)
    host = await vmware_host(sc, ref.account_id, state.get("host"))
    server.host_id = host or server.host_id
    server.extra = {**(server.extra or {}), "vmware": {"account_id": str(ref.account_id), "moref": state["moref"]}}


async def vmware_host(sc: StageContext, account_id: uuid.UUID, moref: str | None) -> uuid.UUID | None:
    if not moref:
        return None
    stmt = select(VmwareObject.target_id).where(VmwareObject.account_id == account_id, VmwareObject.moref == moref)
    return (await sc.session.execute(stmt)).scalar_one_or_none()


async def cleanup_job(sc: StageContext, host: Host, server_id: str) -> Job | None:
    """The esxi agent's best-effort removal of a VM a failed create may have left (by instance UUID)."""
    if host.hypervisor != HYPERVISOR:
        return None
    ref = await host_ref(sc.session, host.id)
    account = await sc.session.get(VmwareAccount, ref.account_id) if ref is not None else None
    if account is None:
        return None
    return sc.agent("esxi", str(account.id), "destroy_server", "cleanup", account_conf(account), server_id)


@register
class VmwareSync(TaskHandler):
    """The first sync: the agent lists everything, in chunks; each chunk is a step of progress."""

    kind = "vmware.sync"
    agent_stall_seconds = 600.0

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        account = await _account(sc, uuid.UUID(sc.task.params["account_id"]))
        job = sc.agent("esxi", str(account.id), "sync", "on_inventory", account_conf(account))
        sc.wait("on_inventory", job, progress=5)

    async def on_inventory(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(error)
        account = await lock_account(sc.session, uuid.UUID(sc.task.params["account_id"]))
        if account is None:
            sc.fail("the VMware account no longer exists")
        assert account is not None
        message = Message.from_dict(payload)
        await apply(sc.session, account, sc.outbox, message)
        seen = sorted({*sc.task.params.get("chunks_seen", []), int(payload.get("chunk", 0))})
        total = int(payload.get("chunks", 1))
        sc.task.params = {**sc.task.params, "chunks_seen": seen}
        if len(seen) < total:
            sc.wait("on_inventory", None, progress=5 + 90 * len(seen) // total)
            return
        await sweep_snapshot(sc.session, account, sc.outbox, message.seq)
        sc.succeed({"inventory": dict(account.inventory), "chunks": total})

    async def on_failed(self, sc: StageContext, error: str) -> None:
        account = await sc.session.get(VmwareAccount, uuid.UUID(sc.task.params["account_id"]))
        if account is not None:
            account.status, account.last_error = AccountStatus.ERROR, error


class VmAction(TaskHandler):
    """An operation on a VMware server that keeps its status: reconfigure, snapshots."""

    function: str

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        ref = await vm_ref(sc.session, server.id)
        if ref is None:
            sc.fail("the server is not a VMware VM")
        assert ref is not None
        account = await _account(sc, ref.account_id)
        args = self.agent_args(sc.task.params)
        sc.wait(
            "on_done",
            sc.agent("esxi", str(account.id), self.function, "on_done", account_conf(account), ref.moref, *args),
            progress=10,
        )

    async def on_done(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(error)
        server = await lock_server(sc.session, sc.task.params["server_id"])
        self.applied(server, payload.get("state", {}))
        unlock(sc, server, ServerStatus(sc.task.params["from_status"]))
        sc.succeed(payload.get("state", {}))

    def applied(self, server: Server, state: dict[str, Any]) -> None:
        """Record what the operation changed on the server row."""

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        unlock(sc, server, ServerStatus(sc.task.params["from_status"]), error)


@register
class VmReconfigure(VmAction):
    kind, function = "server.reconfigure", "reconfigure"

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        return [params["vcpus"], params["memory_mb"]]

    def applied(self, server: Server, state: dict[str, Any]) -> None:
        server.vcpus = int(state.get("vcpus", server.vcpus))
        server.memory_mb = int(state.get("memory_mb", server.memory_mb))


@register
class VmSnapshot(VmAction):
    kind, function = "server.snapshot", "snapshot"

    def agent_args(self, params: dict[str, Any]) -> list[Any]:
        return [params["op"], params["name"]]


@register
class VmClone(TaskHandler):
    """A new server as a copy of a VMware server's VM; the copy lands on the source's host."""

    kind = "server.clone"

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        source = await sc.session.get(Server, uuid.UUID(sc.task.params["source_id"]))
        ref = await vm_ref(sc.session, source.id) if source is not None else None
        if source is None or ref is None or source.host_id is None:
            sc.fail("the source server is not a VMware VM any more")
        assert source is not None
        assert ref is not None
        assert source.host_id is not None
        host = await sc.session.get(Host, source.host_id)
        assert host is not None
        server.host_id, server.status = host.id, ServerStatus.CREATING
        announce(sc, server)
        job = await create_job(sc, server, host, "on_created", source=ref.moref)
        sc.wait("on_created", job, progress=10)

    async def on_created(self, sc: StageContext, payload: dict[str, Any]) -> None:
        if (error := agent_error(payload)) is not None:
            sc.fail(error)
        await lock_account_of_server(sc.session, uuid.UUID(sc.task.params["server_id"]))
        server = await lock_server(sc.session, sc.task.params["server_id"])
        await created(sc, server, payload.get("state", {}))
        on = payload.get("state", {}).get("power") == "poweredOn"
        unlock(sc, server, ServerStatus.RUNNING if on else ServerStatus.STOPPED)
        sc.succeed(payload.get("state", {}))

    async def on_failed(self, sc: StageContext, error: str) -> None:
        server = await lock_server(sc.session, sc.task.params["server_id"])
        server.host_id = None
        unlock(sc, server, ServerStatus.ERROR, error)
