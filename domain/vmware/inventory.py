"""Applying the agent's inventory messages: vSphere objects become regions, zones, hosts and servers.

Datacenters map to regions, clusters to zones (hosts outside clusters share a "standalone" zone
per datacenter), ESXi hosts to hosts with hypervisor VMWARE and VMs to servers of the account's
project. Every message is applied under the account's row lock and carries a sequence number,
so messages that workers run concurrently or out of order converge on the newest state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.models import Host, HostStatus, Region, Server, ServerStatus, Zone
from domain.db import utcnow
from domain.task.services import Outbox
from domain.vmware.models import HYPERVISOR, AccountStatus, VmwareAccount, VmwareObject

POWER_STATUS = {"on": ServerStatus.RUNNING, "off": ServerStatus.STOPPED, "suspended": ServerStatus.STOPPED}
INFRA_ORDER = ("datacenter", "cluster", "host", "datastore", "network")


@dataclass
class Message:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gone: dict[str, list[str]] = field(default_factory=dict)
    seq: int = 0
    snapshot: int | None = None  # objects not seen since this seq have vanished

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(data.get("records") or {}, data.get("gone") or {}, int(data.get("seq") or 0), data.get("snapshot"))


async def lock_account(session: AsyncSession, account_id: uuid.UUID) -> VmwareAccount | None:
    stmt = select(VmwareAccount).where(VmwareAccount.id == account_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


class Applier:
    def __init__(self, session: AsyncSession, account: VmwareAccount, outbox: Outbox, seq: int) -> None:
        self.session, self.account, self.outbox, self.seq = session, account, outbox, seq
        self.refs: dict[str, VmwareObject] = {}
        self.hosts_touched: set[uuid.UUID] = set()

    async def load(self) -> None:
        stmt = select(VmwareObject).where(VmwareObject.account_id == self.account.id)
        self.refs = {r.moref: r for r in (await self.session.execute(stmt)).scalars()}

    def _ref(self, kind: str, moref: str, name: str) -> tuple[VmwareObject, bool]:
        """The object's row and whether this message may change it (it is not older)."""
        ref = self.refs.get(moref)
        if ref is None:
            ref = VmwareObject(
                id=uuid.uuid4(), account_id=self.account.id, moref=moref, kind=kind, name=name, seq=0, gone=False
            )
            ref.data = {}
            self.session.add(ref)
            self.refs[moref] = ref
        if ref.seq > self.seq:
            return ref, False
        ref.seq, ref.name, ref.gone = self.seq, name, False
        return ref, True

    def _target(self, moref: str | None) -> uuid.UUID | None:
        ref = self.refs.get(moref) if moref else None
        return ref.target_id if ref is not None else None

    async def datacenter(self, rec: dict[str, Any]) -> None:
        ref, fresh = self._ref("datacenter", rec["moref"], rec["name"])
        if not fresh or ref.target_id is not None:
            return
        name = f"{self.account.name}-{rec['name']}"[:64]
        region = await self.session.scalar(select(Region).where(Region.name == name))
        if region is None:
            region = Region(id=uuid.uuid4(), name=name, description=f"VMware datacenter {rec['name']}")
            self.session.add(region)
        ref.target_id = region.id

    async def _zone(self, region_id: uuid.UUID | None, name: str) -> uuid.UUID | None:
        if region_id is None:
            return None
        zone = await self.session.scalar(select(Zone).where(Zone.region_id == region_id, Zone.name == name[:64]))
        if zone is None:
            zone = Zone(id=uuid.uuid4(), name=name[:64], region_id=region_id, description="VMware")
            self.session.add(zone)
            await self.session.flush()
        return zone.id

    async def cluster(self, rec: dict[str, Any]) -> None:
        ref, fresh = self._ref("cluster", rec["moref"], rec["name"])
        if fresh and ref.target_id is None:
            ref.target_id = await self._zone(self._target(rec.get("datacenter")), rec["name"])

    async def host(self, rec: dict[str, Any]) -> None:
        ref, fresh = self._ref("host", rec["moref"], rec["name"])
        if not fresh:
            return
        ref.data = {"datastores": rec.get("datastores", [])}
        zone_id = self._target(rec.get("cluster")) or await self._zone(
            self._target(rec.get("datacenter")), "standalone"
        )
        host = await self.session.get(Host, ref.target_id) if ref.target_id else None
        if host is None:
            host = Host(id=uuid.uuid4(), name=f"{self.account.name}-{rec['name']}"[:128], hypervisor=HYPERVISOR)
            host.tags = ["vmware", f"vmware-account:{self.account.id}"]
            self.session.add(host)
            ref.target_id = host.id
        host.zone_id = zone_id
        host.cpus, host.memory_mb, host.storage_gb = rec["cpus"], rec["memory_mb"], rec["storage_gb"]
        status = HostStatus.ONLINE if rec.get("connected", True) else HostStatus.OFFLINE
        # Rows are written only when something changed: placements lock host rows too.
        if host.status is not status:
            host.status, host.last_heartbeat = status, utcnow()
        self.hosts_touched.add(host.id)
        self.outbox.changed("Host", host.id, host.status.value, None, None)

    def plain(self, kind: str, rec: dict[str, Any]) -> None:
        ref, fresh = self._ref(kind, rec["moref"], rec["name"])
        if fresh:
            ref.data = {k: v for k, v in rec.items() if k not in ("moref", "name")}

    async def vm(self, rec: dict[str, Any]) -> None:
        ref, fresh = self._ref("vm", rec["moref"], rec["name"])
        if not fresh:
            return
        server = await self._server_of(ref, rec)
        ref.data = {"template": rec.get("template", False)}
        host_id = self._target(rec.get("host"))
        if server.host_id is not None:
            self.hosts_touched.add(server.host_id)
        server.host_id = host_id if host_id is not None else server.host_id
        if server.host_id is not None:
            self.hosts_touched.add(server.host_id)
        server.extra = {**(server.extra or {}), "vmware": {"account_id": str(self.account.id), "moref": rec["moref"]}}
        if server.task_id is not None:
            return  # a task owns the server's state until it ends
        server.vcpus, server.memory_mb, server.disk_gb = rec["vcpus"], max(rec["memory_mb"], 1), rec["disk_gb"]
        status = POWER_STATUS.get(rec.get("power", "off"), ServerStatus.STOPPED)
        if server.status is not status:
            server.status = status
            self.outbox.changed("Server", server.id, status.value, server.project_id, server.domain_id)

    async def _server_of(self, ref: VmwareObject, rec: dict[str, Any]) -> Server:
        server = await self.session.get(Server, ref.target_id) if ref.target_id else None
        if server is None and rec.get("instance_uuid"):
            # A VM Nimbus created carries the server's id as its instance UUID.
            try:
                server = await self.session.get(Server, uuid.UUID(rec["instance_uuid"]))
            except ValueError:
                server = None
        if server is None or server.status is ServerStatus.DELETED:
            server = Server(
                id=uuid.uuid4(),
                name=rec["name"][:64],
                project_id=self.account.project_id,
                domain_id=self.account.domain_id,
                status=ServerStatus.STOPPED,
                vcpus=rec["vcpus"],
                memory_mb=max(rec["memory_mb"], 1),
                disk_gb=rec["disk_gb"],
                extra={},
            )
            self.session.add(server)
            self.outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
        ref.target_id = server.id
        return server

    async def vanish(self, moref: str) -> None:
        ref = self.refs.get(moref)
        if ref is None or ref.gone or ref.seq > self.seq:
            return
        ref.gone, ref.seq = True, self.seq
        if ref.target_id is None:
            return
        if ref.kind == "vm":
            server = await self.session.get(Server, ref.target_id)
            if server is not None and server.task_id is None and server.status is not ServerStatus.DELETED:
                if server.host_id is not None:
                    self.hosts_touched.add(server.host_id)
                server.status, server.host_id = ServerStatus.DELETED, None
                self.outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
        elif ref.kind == "host":
            host = await self.session.get(Host, ref.target_id)
            if host is not None:
                host.status = HostStatus.OFFLINE
                self.outbox.changed("Host", host.id, host.status.value, None, None)

    async def recount_hosts(self) -> None:
        """Hosts' usage is what their VMs use, as vCenter reports it."""
        if not self.hosts_touched:
            return
        await self.session.flush()
        live = Server.status.not_in((ServerStatus.DELETED,))
        stmt = (
            select(Server.host_id, func.sum(Server.vcpus), func.sum(Server.memory_mb), func.count())
            .where(Server.host_id.in_(self.hosts_touched), live)
            .group_by(Server.host_id)
        )
        usage = {row[0]: row[1:] for row in (await self.session.execute(stmt)).all()}
        for host_id in self.hosts_touched:
            host = await self.session.get(Host, host_id)
            if host is None:
                continue
            vcpus, memory, count = usage.get(host_id, (0, 0, 0))
            host.vcpus_used, host.memory_used_mb, host.servers_count = int(vcpus or 0), int(memory or 0), int(count)


async def apply(session: AsyncSession, account: VmwareAccount, outbox: Outbox, message: Message) -> None:
    applier = Applier(session, account, outbox, message.seq)
    await applier.load()
    for kind in INFRA_ORDER:
        for rec in message.records.get(kind, []):
            if kind == "datacenter":
                await applier.datacenter(rec)
            elif kind == "cluster":
                await applier.cluster(rec)
            elif kind == "host":
                await applier.host(rec)
            else:
                applier.plain(kind, rec)
        await session.flush()
    for rec in message.records.get("vm", []):
        await applier.vm(rec)
    for morefs in message.gone.values():
        for moref in morefs:
            await applier.vanish(moref)
    if message.snapshot is not None:
        await sweep(applier, message.snapshot)
    await applier.recount_hosts()
    await mark_synced(session, account)


async def sweep(applier: Applier, snapshot_seq: int) -> None:
    """Objects a whole snapshot did not mention have vanished (deleted while nobody watched)."""
    stale = [r.moref for r in applier.refs.values() if not r.gone and r.seq < snapshot_seq]
    for moref in stale:
        applier.seq = max(applier.seq, snapshot_seq)
        await applier.vanish(moref)


async def mark_synced(session: AsyncSession, account: VmwareAccount) -> None:
    await session.flush()
    stmt = (
        select(VmwareObject.kind, func.count())
        .where(VmwareObject.account_id == account.id, VmwareObject.gone.is_(False))
        .group_by(VmwareObject.kind)
    )
    account.inventory = {kind: int(n) for kind, n in (await session.execute(stmt)).all()}
    account.last_sync_at = utcnow()
    account.status, account.last_error = AccountStatus.CONNECTED, None


async def sweep_snapshot(session: AsyncSession, account: VmwareAccount, outbox: Outbox, snapshot_seq: int) -> None:
    """After every chunk of a snapshot is in: what it did not mention has vanished."""
    applier = Applier(session, account, outbox, snapshot_seq)
    await applier.load()
    await sweep(applier, snapshot_seq)
    await applier.recount_hosts()
    await mark_synced(session, account)


async def vm_ref(session: AsyncSession, server_id: uuid.UUID) -> VmwareObject | None:
    """The live VM behind a server, if the server is a VMware one."""
    stmt = select(VmwareObject).where(
        VmwareObject.target_id == server_id, VmwareObject.kind == "vm", VmwareObject.gone.is_(False)
    )
    return (await session.execute(stmt)).scalars().first()


async def host_ref(session: AsyncSession, host_id: uuid.UUID) -> VmwareObject | None:
    stmt = select(VmwareObject).where(VmwareObject.target_id == host_id, VmwareObject.kind == "host")
    return (await session.execute(stmt)).scalars().first()


async def link_vm(session: AsyncSession, account_id: uuid.UUID, moref: str, server_id: uuid.UUID) -> None:
    """Record the VM a task just made for a server, unless the sync already did.

    The caller holds the account's lock (taken before the server's, in the sync's order).
    """
    stmt = select(VmwareObject).where(VmwareObject.account_id == account_id, VmwareObject.moref == moref)
    ref = (await session.execute(stmt)).scalar_one_or_none()
    if ref is None:
        ref = VmwareObject(id=uuid.uuid4(), account_id=account_id, moref=moref, kind="vm", seq=0, gone=False)
        ref.name, ref.data = "", {}
        session.add(ref)
    ref.target_id = server_id
    await session.flush()


async def lock_account_of_server(session: AsyncSession, server_id: uuid.UUID) -> None:
    """Lock the account of a VMware server's host first: the sync locks account, then servers."""
    host_id = await session.scalar(select(Server.host_id).where(Server.id == server_id))
    ref = await host_ref(session, host_id) if host_id is not None else None
    if ref is not None:
        await lock_account(session, ref.account_id)
