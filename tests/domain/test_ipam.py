"""IPAM: addresses walk up the range, holes are reused once it is used up, and none is given twice."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.compute import ipam
from domain.compute.models import Network
from domain.db import session_factory
from domain.errors import DomainError


async def test_walk_up_then_reuse_holes_then_full(engine: AsyncEngine, app: object) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        network = Network(id=uuid.uuid4(), name=f"n{uuid.uuid4().hex[:6]}", cidr="10.60.0.0/29", gateway="10.60.0.1")
        session.add(network)
        await session.flush()
        await ipam.reserve(session, network, "10.60.0.1", None)
        nics = [uuid.uuid4() for _ in range(5)]
        given = [await ipam.allocate(session, network, nic) for nic in nics]
        assert given == [f"10.60.0.{i}" for i in range(2, 7)]
        await ipam.release(session, [nics[1]])  # frees .3
        assert await ipam.allocate(session, network, uuid.uuid4()) == "10.60.0.3"
        with pytest.raises(DomainError) as full:
            await ipam.allocate(session, network, uuid.uuid4())
        assert full.value.code == "NETWORK_FULL"
