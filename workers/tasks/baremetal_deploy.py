"""Servers on baremetal hosts: server.create hands its host stage to the baremetal agent (PXE boot
the machine and wait for it to fetch its script) instead of a host agent; start, stop, reboot and
delete become BMC power operations."""

from __future__ import annotations

from sqlalchemy import select

from agents.baremetal.protocol import POWER, PXE_DEPLOY, PxeBoot
from domain.baremetal.models import BaremetalHost, BaremetalStatus
from domain.baremetal.scheduling import HYPERVISOR
from domain.baremetal.services import access_of
from domain.compute.models import Host, Server
from domain.task.services import Job
from workers.handler import StageContext

DEPLOY_TIMEOUT_S = 300.0


def is_baremetal(host: Host) -> bool:
    return host.hypervisor == HYPERVISOR


def boot_script(server: Server, host: BaremetalHost) -> str:
    # What the machine runs once iPXE has fetched it; the agent appends the call back.
    return f"#!ipxe\necho Nimbus: deploying server {server.name} on {host.name}\n"


async def deploy_job(sc: StageContext, server: Server, compute: Host) -> Job:
    stmt = select(BaremetalHost).where(BaremetalHost.compute_host_id == compute.id).with_for_update()
    host = (await sc.session.execute(stmt)).scalar_one_or_none()
    if host is None or host.task_id is not None or host.status is not BaremetalStatus.READY:
        state = "gone" if host is None else host.status.value.lower()
        sc.fail(f"the baremetal host is not ready to deploy ({state})")
    assert host is not None
    if not host.macs:
        sc.fail(f"baremetal host {host.name} has no known MAC to PXE-boot from")
    host.status = BaremetalStatus.DEPLOYING
    host.server_id, host.project_id, host.domain_id = server.id, server.project_id, server.domain_id
    sc.outbox.changed("BaremetalHost", host.id, host.status.value, host.project_id, host.domain_id)
    boot = PxeBoot(str(host.id), list(host.macs), boot_script(server, host))
    access = access_of(host, sc.deps.secret_key)
    return sc.agent("baremetal", host.agent, PXE_DEPLOY, "on_created", access, boot.to_dict(), DEPLOY_TIMEOUT_S)


# A server's action and the machine's power operation that does it.
POWER_FOR = {"start": "on", "stop": "off", "reboot": "reset", "delete": "off"}


async def power_job(sc: StageContext, compute: Host, action: str, reply_stage: str) -> Job:
    stmt = select(BaremetalHost).where(BaremetalHost.compute_host_id == compute.id)
    host = (await sc.session.execute(stmt)).scalar_one_or_none()
    if host is None:
        sc.fail("the baremetal host of this server no longer exists")
    assert host is not None
    access = access_of(host, sc.deps.secret_key)
    return sc.agent("baremetal", host.agent, POWER, reply_stage, access, POWER_FOR[action])


async def powered(sc: StageContext, server: Server, payload: dict[str, object]) -> None:
    host = await _of(sc, server)
    if host is not None and payload.get("power_state"):
        host.power_state = str(payload["power_state"])


async def _of(sc: StageContext, server: Server) -> BaremetalHost | None:
    stmt = select(BaremetalHost).where(BaremetalHost.server_id == server.id).with_for_update()
    return (await sc.session.execute(stmt)).scalar_one_or_none()


async def deployed(sc: StageContext, server: Server) -> None:
    host = await _of(sc, server)
    if host is not None:
        host.status, host.power_state, host.boot_device = BaremetalStatus.ACTIVE, "on", "PXE"
        sc.outbox.changed("BaremetalHost", host.id, host.status.value, host.project_id, host.domain_id)


async def undeploy(sc: StageContext, server: Server, power_off: bool = False) -> bool:
    """Give the machine back (failed deploy, deleted server); False when the server was not on one."""
    host = await _of(sc, server)
    if host is None:
        return False
    host.status = BaremetalStatus.READY
    host.server_id = host.project_id = host.domain_id = None
    host.power_state = "off" if power_off else host.power_state
    sc.outbox.changed("BaremetalHost", host.id, host.status.value, None, None)
    return True
