"""The rules of regions, zones, hosts and networks (system administrators manage them)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.ipam import parse_network, reserve
from domain.compute.models import Host, HostStatus, IpAllocation, Network, Nic, Region, Zone
from domain.errors import DomainError, InvalidInput, NotFound
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.quota import services as quota
from domain.scoping import get_visible
from domain.validation import check_name, check_text


async def create_region(session: AsyncSession, principal: Principal, *, name: str, description: str) -> Region:
    principal.require("compute.region.create", system=True)
    name = check_name(name)
    if await session.scalar(select(exists().where(Region.name == name))):
        raise DomainError(Code.DUPLICATE, f"A region named {name!r} already exists", "name")
    region = Region(name=name, description=check_text(description))
    session.add(region)
    await session.flush()
    return region


async def create_zone(
    session: AsyncSession, principal: Principal, *, name: str, region_id: uuid.UUID, description: str
) -> Zone:
    principal.require("compute.zone.create", system=True)
    region = await session.get(Region, region_id)
    if region is None:
        raise NotFound("Region", "regionId")
    name = check_name(name)
    if await session.scalar(select(exists().where(Zone.region_id == region.id, Zone.name == name))):
        raise DomainError(Code.DUPLICATE, f"A zone named {name!r} already exists in this region", "name")
    zone = Zone(name=name, region_id=region.id, description=check_text(description))
    session.add(zone)
    await session.flush()
    return zone


async def update_host(
    session: AsyncSession,
    principal: Principal,
    host_id: uuid.UUID,
    *,
    enabled: bool | None,
    maintenance: bool | None,
    zone_id: uuid.UUID | None,
    cpu_ratio: float | None,
    memory_ratio: float | None,
    tags: list[str] | None,
) -> Host:
    principal.require("compute.host.update", system=True)
    host = await session.get(Host, host_id, with_for_update=True)
    if host is None:
        raise NotFound("Host")
    if enabled is not None:
        host.enabled = enabled
    if maintenance is not None:
        host.status = HostStatus.MAINTENANCE if maintenance else HostStatus.OFFLINE
    if zone_id is not None:
        if await session.get(Zone, zone_id) is None:
            raise NotFound("Zone", "zoneId")
        host.zone_id = zone_id
    for field, value in (("cpuRatio", cpu_ratio), ("memoryRatio", memory_ratio)):
        if value is not None and not 0.1 <= value <= 32:
            raise DomainError(Code.OUT_OF_RANGE, "Allocation ratios are between 0.1 and 32", field)
    host.cpu_ratio = cpu_ratio if cpu_ratio is not None else host.cpu_ratio
    host.memory_ratio = memory_ratio if memory_ratio is not None else host.memory_ratio
    if tags is not None:
        host.tags = sorted({check_name(t, field="tags") for t in tags})
    return host


async def create_network(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    cidr: str,
    gateway: str | None,
    project_id: uuid.UUID | None,
    bridge: str | None,
    vlan_id: int | None,
) -> Network:
    name = check_name(name)
    cidr, gateway = parse_network(cidr, gateway)
    domain_id = None
    if project_id is None:
        principal.require("compute.network.create", system=True)  # shared networks are the cloud's
    else:
        project = await get_visible(session, Project, principal, project_id, field="projectId")
        principal.require("compute.network.create", domain_id=project.domain_id, project_id=project.id)
        domain_id = project.domain_id
        await quota.charge(session, project.id, project.domain_id, {"networks": 1})
    if bridge is not None and (not bridge or len(bridge) > 15 or not bridge.replace("-", "").isalnum()):
        raise InvalidInput("bridge", "A Linux bridge name: up to 15 letters, digits or dashes")
    if vlan_id is not None and not 1 <= vlan_id <= 4094:
        raise DomainError(Code.OUT_OF_RANGE, "VLAN ids are between 1 and 4094", "vlanId")
    if await session.scalar(select(exists().where(Network.name == name))):
        raise DomainError(Code.DUPLICATE, f"A network named {name!r} already exists", "name")
    network = Network(
        name=name,
        cidr=cidr,
        gateway=gateway,
        project_id=project_id,
        domain_id=domain_id,
        bridge=bridge,
        vlan_id=vlan_id,
    )
    session.add(network)
    await session.flush()
    if gateway is not None:
        await reserve(session, network, gateway, None)  # the gateway is never handed out
    return network


async def delete_network(session: AsyncSession, principal: Principal, network_id: uuid.UUID) -> uuid.UUID:
    network = await get_visible(session, Network, principal, network_id)
    if network.project_id is None:
        principal.require("compute.network.delete", system=True)
    else:
        principal.require("compute.network.delete", domain_id=network.domain_id, project_id=network.project_id)
    if await session.scalar(select(exists().where(Nic.network_id == network.id))):
        raise DomainError(Code.IN_USE, "Servers still have addresses on this network", "id")
    await session.execute(delete(IpAllocation).where(IpAllocation.network_id == network.id))
    await session.delete(network)
    return network_id
