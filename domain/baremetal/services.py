"""The rules of the baremetal context: who registers hardware, which operation runs when, and the
task each operation starts. The BMC work itself is done by the baremetal agent."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.baremetal.errors import Code
from domain.baremetal.models import BaremetalHost, BaremetalStatus, BmcProtocol, BootDevice
from domain.baremetal.scheduling import publish
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.scoping import get_for_change
from domain.secrets import SecretBox
from domain.task.models import Task
from domain.task.services import Outbox, create_task

PURPOSE = b"nimbus baremetal-bmc"
DEADLINE_S = 300.0
MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
DEFAULT_PORTS = {BmcProtocol.IPMI: 623, BmcProtocol.REDFISH: 443}

# Operations a host accepts in each status (maintenance still allows power and inspection:
# that is what maintenance is for).
IDLE = {BaremetalStatus.REGISTERED, BaremetalStatus.READY, BaremetalStatus.ERROR, BaremetalStatus.MAINTENANCE}
OPERATIONS: dict[str, tuple[set[BaremetalStatus], BaremetalStatus | None, str]] = {
    # kind -> (allowed statuses, status while it runs (None: unchanged), permission action)
    "inspect": (IDLE, BaremetalStatus.INSPECTING, "inspect"),
    "power": ({*IDLE, BaremetalStatus.ACTIVE}, None, "power"),
    "boot_device": ({*IDLE, BaremetalStatus.ACTIVE}, None, "power"),
}


def secret_box(secret_key: str) -> SecretBox:
    return SecretBox(secret_key, PURPOSE, "a BMC password was sealed under another platform secret")


@dataclass
class Registration:
    name: str
    protocol: BmcProtocol
    address: str
    username: str
    password: str
    port: int | None = None
    system_id: str | None = None
    agent: str = "default"
    macs: list[str] = field(default_factory=list)


def _validate(reg: Registration) -> list[str]:
    if not reg.name.strip() or len(reg.name) > 64:
        raise InvalidInput("name", "A name of 1 to 64 characters is required")
    if not reg.address.strip() or len(reg.address) > 255:
        raise InvalidInput("address", "The BMC address is required")
    if not reg.username or len(reg.username) > 128:
        raise InvalidInput("username", "The BMC user name is required")
    if reg.port is not None and not 0 < reg.port < 65536:
        raise InvalidInput("port", "The port must be between 1 and 65535")
    macs = [m.strip().lower().replace("-", ":") for m in reg.macs]
    for mac in macs:
        if not MAC.match(mac):
            raise InvalidInput("macs", f"{mac!r} is not a MAC address")
    return macs


async def register(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, secret_key: str, reg: Registration
) -> tuple[BaremetalHost, Task]:
    """Only system admins register hardware; registration starts an inspection at once."""
    principal.require("baremetal.host.create", system=True)
    macs = _validate(reg)
    if (await session.execute(select(BaremetalHost.id).where(BaremetalHost.name == reg.name))).first():
        raise DomainError(Code.NAME_TAKEN, f"A baremetal host named {reg.name!r} exists", "name")
    host = BaremetalHost(
        id=uuid.uuid4(),
        name=reg.name,
        protocol=reg.protocol,
        bmc_address=reg.address.strip(),
        bmc_port=reg.port or DEFAULT_PORTS[reg.protocol],
        bmc_username=reg.username,
        bmc_password_sealed=secret_box(secret_key).seal(reg.password),
        system_id=reg.system_id or None,
        agent=reg.agent or "default",
        macs=macs,
        status=BaremetalStatus.INSPECTING,
        inventory={},
    )
    session.add(host)
    await session.flush()
    task = _task(session, outbox, principal, meta, host, "inspect", {})
    host.task_id = task.id
    outbox.changed("BaremetalHost", host.id, host.status.value, None, None)
    return host, task


def _task(
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal | None,
    meta: RequestMeta | None,
    host: BaremetalHost,
    kind: str,
    params: dict[str, Any],
) -> Task:
    return create_task(
        session,
        outbox,
        kind=f"baremetal.{kind}",
        target_type="BaremetalHost",
        target_id=host.id,
        params={"host_id": str(host.id), "from_status": host.status.value, **params},
        principal=principal,
        meta=meta,
        project_id=host.project_id,
        domain_id=host.domain_id,
        deadline_s=DEADLINE_S,
    )


async def begin(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    host_id: uuid.UUID,
    kind: str,
    params: dict[str, Any] | None = None,
) -> tuple[BaremetalHost, Task]:
    """Start an operation on a host; one at a time per host, whoever asks."""
    allowed, running, action = OPERATIONS[kind]
    host = await get_for_change(session, BaremetalHost, principal, host_id, action)
    if host.task_id is not None:
        raise DomainError(Code.BUSY, f"The host is busy ({host.status.value.lower()}); try again when it is done", "id")
    if host.status not in allowed:
        raise DomainError(
            Code.INVALID_STATE, f"Cannot {kind.replace('_', ' ')} a host that is {host.status.value.lower()}", "id"
        )
    task = _task(session, outbox, principal, meta, host, kind, params or {})
    values: dict[str, Any] = {"task_id": task.id}
    if running is not None:
        values["status"] = running
    # The lock: of many requests at once, exactly one wins this conditional update.
    locked = await session.execute(
        update(BaremetalHost)
        .where(BaremetalHost.id == host.id, BaremetalHost.task_id.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Code.BUSY, "Another operation on this host started first", "id")
    await session.refresh(host)
    outbox.changed("BaremetalHost", host.id, host.status.value, host.project_id, host.domain_id)
    return host, task


async def power(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, host_id: uuid.UUID, action: str
) -> tuple[BaremetalHost, Task]:
    return await begin(session, principal, outbox, meta, host_id, "power", {"action": action})


async def set_boot_device(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    host_id: uuid.UUID,
    device: BootDevice,
) -> tuple[BaremetalHost, Task]:
    return await begin(session, principal, outbox, meta, host_id, "boot_device", {"device": device.value})


async def set_maintenance(
    session: AsyncSession, principal: Principal, outbox: Outbox, host_id: uuid.UUID, enabled: bool, reason: str
) -> BaremetalHost:
    """Take a host out of scheduling (or give it back); refused while a task or a server holds it."""
    host = await get_for_change(session, BaremetalHost, principal, host_id, "update")
    if host.task_id is not None:
        raise DomainError(Code.BUSY, "The host is busy; try again when its task is done", "id")
    if enabled and host.status is not BaremetalStatus.MAINTENANCE:
        if host.status in (BaremetalStatus.ACTIVE, BaremetalStatus.DEPLOYING):
            raise DomainError(Code.INVALID_STATE, "A host with a server on it cannot go into maintenance", "id")
        host.status_before_maintenance = host.status.value
        host.status = BaremetalStatus.MAINTENANCE
        host.maintenance_reason = reason
    elif not enabled and host.status is BaremetalStatus.MAINTENANCE:
        before = host.status_before_maintenance or BaremetalStatus.REGISTERED.value
        host.status = BaremetalStatus.READY if before == BaremetalStatus.READY.value else BaremetalStatus(before)
        host.status_before_maintenance = None
        host.maintenance_reason = ""
    if host.compute_host_id is not None:
        compute = await publish(session, host)
        outbox.changed("Host", compute.id, compute.status.value, None, None)
    outbox.changed("BaremetalHost", host.id, host.status.value, host.project_id, host.domain_id)
    return host


def access_of(host: BaremetalHost, secret_key: str) -> dict[str, Any]:
    """The agent's view of the BMC, password opened just for the job."""
    return {
        "host_id": str(host.id),
        "protocol": host.protocol.value,
        "address": host.bmc_address,
        "port": host.bmc_port,
        "username": host.bmc_username,
        "password": secret_box(secret_key).open(host.bmc_password_sealed),
        "system_id": host.system_id,
        "timeout_s": 10.0,
    }


def apply_inventory(host: BaremetalHost, inventory: dict[str, Any]) -> None:
    host.inventory = inventory
    host.cpus = int(inventory.get("cpus") or 0)
    host.memory_mb = int(inventory.get("memory_mb") or 0)
    host.disk_gb = sum(int(d) for d in inventory.get("disks_gb") or [])
    host.power_state = str(inventory.get("power_state") or host.power_state)
    if inventory.get("boot_device"):
        host.boot_device = str(inventory["boot_device"]).upper()
    known = set(host.macs)
    host.macs = [*host.macs, *(n["mac"] for n in inventory.get("nics") or [] if n["mac"] not in known)]


async def lock(session: AsyncSession, host_id: str) -> BaremetalHost | None:
    stmt = select(BaremetalHost).where(BaremetalHost.id == uuid.UUID(host_id)).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
