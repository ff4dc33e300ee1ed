"""IP address management: each address of a network handed out at most once."""

from __future__ import annotations

import ipaddress
import uuid

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode
from domain.compute.models import IpAllocation, Network
from domain.errors import DomainError, InvalidInput


def parse_network(cidr: str, gateway: str | None) -> tuple[str, str | None]:
    """Normalise a CIDR and check the gateway lies inside it."""
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        raise InvalidInput("cidr", f"{cidr!r} is not a network in CIDR notation") from None
    if net.version != 4 or net.prefixlen > 30 or net.prefixlen < 8:
        raise InvalidInput("cidr", "Use an IPv4 network between /8 and /30")
    if gateway:
        try:
            gw = ipaddress.ip_address(gateway.strip())
        except ValueError:
            raise InvalidInput("gateway", f"{gateway!r} is not an IP address") from None
        if gw not in net or gw in (net.network_address, net.broadcast_address):
            raise InvalidInput("gateway", "The gateway must be a host address inside the network")
        return str(net), str(gw)
    return str(net), None


async def allocate(session: AsyncSession, network: Network, nic_id: uuid.UUID) -> str:
    """The lowest free address; concurrent allocators race on the primary key and move on."""
    net = ipaddress.ip_network(network.cidr)
    taken = set(
        (await session.execute(select(IpAllocation.address).where(IpAllocation.network_id == network.id))).scalars()
    )
    for candidate in net.hosts():
        address = str(candidate)
        if address in taken or address == network.gateway:
            continue
        try:
            async with session.begin_nested():
                session.add(IpAllocation(network_id=network.id, address=address, nic_id=nic_id))
                await session.flush()
            return address
        except IntegrityError:
            continue
    raise DomainError(ComputeErrorCode.NETWORK_FULL, f"Network {network.name} has no free address", "networkId")


async def release(session: AsyncSession, nic_ids: list[uuid.UUID]) -> None:
    if nic_ids:
        await session.execute(delete(IpAllocation).where(IpAllocation.nic_id.in_(nic_ids)))
