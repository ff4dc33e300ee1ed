"""Creating and deleting load balancers: a VIP on a cluster, owned by a project."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.compute import ipam
from domain.compute.models import Network
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.loadbalancer.changes import SYNC_DEADLINE_S, start_sync
from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.models import LbAgent, LbCluster, Loadbalancer, LoadbalancerStatus
from domain.scoping import get_for_change, get_visible
from domain.task.models import Task
from domain.task.services import Outbox
from domain.validation import check_name, check_text

ANY_ADDRESS = "0.0.0.0"


@dataclass(frozen=True)
class LoadbalancerRequest:
    name: str
    project_id: uuid.UUID | None = None
    cluster_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    vip: str | None = None
    description: str = ""
    deadline_s: float = SYNC_DEADLINE_S


async def _cluster(session: AsyncSession, principal: Principal, cluster_id: uuid.UUID | None) -> LbCluster:
    if cluster_id is not None:
        return await get_visible(session, LbCluster, principal, cluster_id, field="clusterId")
    # No choice made: the cluster whose agents reported last, i.e. one that is alive.
    stmt = (
        select(LbCluster)
        .join(LbAgent, LbAgent.cluster_id == LbCluster.id)
        .group_by(LbCluster.id)
        .order_by(func.max(LbAgent.last_seen).desc())
        .limit(1)
    )
    cluster = (await session.execute(stmt)).scalar_one_or_none()
    if cluster is None:
        raise DomainError(Code.NO_CLUSTER, "No load balancer cluster exists: start `nimbus agent lb`", "clusterId")
    return cluster


def _address(vip: str) -> str:
    try:
        address = ipaddress.ip_address(vip.strip())
    except ValueError:
        raise InvalidInput("vip", f"{vip!r} is not an IP address") from None
    if address.version != 4:
        raise InvalidInput("vip", "Use an IPv4 address")
    return str(address)


async def _vip_on(
    session: AsyncSession, principal: Principal, project: Project, network_id: uuid.UUID, vip: str | None
) -> tuple[Network, str, uuid.UUID]:
    network = await get_visible(session, Network, principal, network_id, field="networkId")
    if network.project_id not in (None, project.id):
        raise InvalidInput("networkId", "The network belongs to another project", Code.NOT_ALLOWED)
    holder = uuid.uuid4()  # stands for the VIP in the IPAM table, as a NIC id would
    if vip is None:
        return network, await ipam.allocate(session, network, holder), holder
    address = _address(vip)
    net = ipaddress.ip_network(network.cidr)
    if ipaddress.ip_address(address) not in net or address in (str(net.network_address), str(net.broadcast_address)):
        raise InvalidInput("vip", f"{address} is not a host address of {network.cidr}")
    try:
        async with session.begin_nested():
            await ipam.reserve(session, network, address, holder)
            await session.flush()
    except IntegrityError:
        raise DomainError(Code.DUPLICATE, f"{address} is already in use on {network.name}", "vip") from None
    return network, address, holder


async def create_loadbalancer(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, req: LoadbalancerRequest
) -> tuple[Loadbalancer, Task]:
    name = check_name(req.name)
    description = check_text(req.description)
    project = await get_visible(session, Project, principal, req.project_id or principal.project_id, field="projectId")
    principal.require("loadbalancer.loadbalancer.create", domain_id=project.domain_id, project_id=project.id)
    cluster = await _cluster(session, principal, req.cluster_id)
    taken = await session.scalar(
        select(Loadbalancer.id).where(Loadbalancer.project_id == project.id, Loadbalancer.name == name)
    )
    if taken is not None:
        raise DomainError(Code.DUPLICATE, f"A load balancer named {name} exists in this project", "name")
    network_id, holder = None, None
    if req.network_id is not None:
        network, vip, holder = await _vip_on(session, principal, project, req.network_id, req.vip)
        network_id = network.id
    else:
        vip = _address(req.vip) if req.vip else ANY_ADDRESS
    lb = Loadbalancer(
        id=uuid.uuid4(),
        name=name,
        description=description,
        project_id=project.id,
        domain_id=project.domain_id,
        cluster_id=cluster.id,
        network_id=network_id,
        vip=vip,
        vip_allocation_id=holder,
        status=LoadbalancerStatus.CREATING,
    )
    session.add(lb)
    await session.flush()
    task = await start_sync(session, principal, outbox, meta, lb, {"op": "create_lb"}, deadline_s=req.deadline_s)
    return lb, task


async def delete_loadbalancer(
    session: AsyncSession, principal: Principal, outbox: Outbox, meta: RequestMeta, lb_id: uuid.UUID
) -> tuple[Loadbalancer, Task]:
    lb = await get_for_change(session, Loadbalancer, principal, lb_id, "delete")
    if lb.task_id is not None:
        raise DomainError(Code.BUSY, f"The load balancer is busy ({lb.status.value.lower()})", "id")
    task = await start_sync(
        session, principal, outbox, meta, lb, {"op": "delete_lb"}, status=LoadbalancerStatus.DELETING
    )
    return lb, task
