"""IP address management: each address of a network handed out at most once."""

from __future__ import annotations

import ipaddress
import random
import uuid

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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


def _candidate(network: Network, ordinal: int) -> str | None:
    net = ipaddress.ip_network(network.cidr)
    if not 0 < ordinal < net.num_addresses - 1:
        return None
    return str(net.network_address + ordinal)


async def _next_free(session: AsyncSession, network: Network) -> int:
    """The offset after the highest one in use; once the range is used up, the lowest hole.

    Walking up first is one index lookup however full the network is, and it leaves a freed
    address alone for a while rather than handing it straight to the next server.
    """
    highest = await session.scalar(
        select(IpAllocation.ordinal)
        .where(IpAllocation.network_id == network.id)
        .order_by(IpAllocation.ordinal.desc())
        .limit(1)
    )
    size = ipaddress.ip_network(network.cidr).num_addresses
    if highest is None:
        return 1
    if highest + 1 < size - 1:
        return int(highest) + 1
    return await _lowest_free(session, network)


async def _lowest_free(session: AsyncSession, network: Network) -> int:
    """The lowest offset after a used one (or 1)."""
    taken = aliased(IpAllocation)
    gap = (
        select(func.min(IpAllocation.ordinal + 1))
        .where(IpAllocation.network_id == network.id)
        .where(~exists().where(taken.network_id == network.id, taken.ordinal == IpAllocation.ordinal + 1))
    )
    first_used = await session.scalar(
        select(IpAllocation.ordinal).where(IpAllocation.network_id == network.id, IpAllocation.ordinal == 1)
    )
    if first_used is None:
        return 1
    return int(await session.scalar(gap) or 1)


async def reserve(session: AsyncSession, network: Network, address: str, nic_id: uuid.UUID | None) -> None:
    net = ipaddress.ip_network(network.cidr)
    ordinal = int(ipaddress.ip_address(address)) - int(net.network_address)
    session.add(IpAllocation(network_id=network.id, address=address, ordinal=ordinal, nic_id=nic_id))


async def allocate(session: AsyncSession, network: Network, nic_id: uuid.UUID) -> str:
    """The next free address; concurrent allocators race on the unique keys and move on."""
    for attempt in range(64):
        ordinal = await _next_free(session, network)
        if attempt:
            # Concurrent allocators all see the same lowest gap (uncommitted rows are invisible);
            # after a collision, spread out over the next addresses instead of queueing on one.
            ordinal += random.randint(1, min(8 * attempt, 256))
        address = _candidate(network, ordinal)
        if address is None:
            if attempt:
                continue  # jittered past the end; the network may still have room lower down
            break
        try:
            async with session.begin_nested():
                session.add(IpAllocation(network_id=network.id, address=address, ordinal=ordinal, nic_id=nic_id))
                await session.flush()
            return address
        except IntegrityError:
            continue  # another transaction took it first
    raise DomainError(ComputeErrorCode.NETWORK_FULL, f"Network {network.name} has no free address", "networkId")


async def release(session: AsyncSession, nic_ids: list[uuid.UUID]) -> None:
    if nic_ids:
        await session.execute(delete(IpAllocation).where(IpAllocation.nic_id.in_(nic_ids)))
