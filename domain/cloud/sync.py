"""Bringing what a provider reports into Nimbus, one resource kind at a time.

Each `apply_*` upserts one kind for all the account's regions inside the caller's transaction:
a sync that fails fetching or writing a kind leaves that kind as the previous sync left it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cloud.accounts import account_servers
from domain.cloud.models import CloudAccount, CloudResource, CloudResourceKind, CloudSku
from domain.cloud.providers.contract import Instance, InstanceType, Resource, ZoneInfo
from domain.compute.models import Region, Server, ServerStatus, Zone


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    removed: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "removed": self.removed}


def region_name(account: CloudAccount, region: str) -> str:
    return f"{account.name}-{region}"[:64]


async def apply_regions(session: AsyncSession, account: CloudAccount, zones: Sequence[ZoneInfo]) -> Counts:
    counts = Counts()
    mark = {
        "provider": account.provider,
        "cloud_account_id": account.id,
        "project_id": account.project_id,
        "domain_id": account.domain_id,
    }
    regions = {r.external_id: r for r in await _rows(session, Region, account.id)}
    for name in account.regions:
        if name not in regions:
            regions[name] = Region(id=uuid.uuid4(), name=region_name(account, name), external_id=name, **mark)
            session.add(regions[name])
            counts.added += 1
    await session.flush()
    existing = {(z.region_id, z.name): z for z in await _rows(session, Zone, account.id)}
    seen = set()
    for z in zones:
        region = regions[z.region]
        seen.add((region.id, z.name))
        if (region.id, z.name) not in existing:
            session.add(Zone(id=uuid.uuid4(), name=z.name, region_id=region.id, external_id=z.name, **mark))
            counts.added += 1
    for key, zone in existing.items():
        if key not in seen:
            await session.delete(zone)
            counts.removed += 1
    for name, region in regions.items():
        if name not in account.regions:
            await session.execute(delete(Zone).where(Zone.region_id == region.id))
            await session.delete(region)
            counts.removed += 1
    return counts


async def _rows(session: AsyncSession, model: type[Region] | type[Zone], account_id: uuid.UUID) -> list[Any]:
    return list((await session.execute(select(model).where(model.cloud_account_id == account_id))).scalars())


async def apply_skus(session: AsyncSession, account: CloudAccount, types: dict[str, list[InstanceType]]) -> Counts:
    counts = Counts()
    rows = (await session.execute(select(CloudSku).where(CloudSku.account_id == account.id))).scalars()
    existing = {(s.region, s.name): s for s in rows}
    seen = set()
    for region, offered in types.items():
        for t in offered:
            seen.add((region, t.name))
            sku = existing.get((region, t.name))
            if sku is None:
                session.add(
                    CloudSku(
                        account_id=account.id,
                        provider=account.provider,
                        region=region,
                        name=t.name,
                        vcpus=t.vcpus,
                        memory_mb=t.memory_mb,
                        project_id=account.project_id,
                        domain_id=account.domain_id,
                    )
                )
                counts.added += 1
            elif (sku.vcpus, sku.memory_mb) != (t.vcpus, t.memory_mb):
                sku.vcpus, sku.memory_mb = t.vcpus, t.memory_mb
                counts.updated += 1
    for key, sku in existing.items():
        if key not in seen:
            await session.delete(sku)
            counts.removed += 1
    return counts


async def apply_resources(
    session: AsyncSession, account: CloudAccount, kind: CloudResourceKind, found: Sequence[Resource]
) -> Counts:
    counts = Counts()
    stmt = select(CloudResource).where(CloudResource.account_id == account.id, CloudResource.kind == kind)
    existing = {r.external_id: r for r in (await session.execute(stmt)).scalars()}
    for res in found:
        row = existing.pop(res.id, None)
        values = {"region": res.region, "zone": res.zone, "name": res.name[:255], "data": res.data}
        if row is None:
            session.add(
                CloudResource(
                    account_id=account.id,
                    kind=kind,
                    external_id=res.id,
                    project_id=account.project_id,
                    domain_id=account.domain_id,
                    **values,
                )
            )
            counts.added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            counts.updated += 1
    for row in existing.values():
        await session.delete(row)
        counts.removed += 1
    return counts


_NAME_BAD = re.compile(r"[^A-Za-z0-9._@-]")


def _server_name(instance: Instance) -> str:
    name = _NAME_BAD.sub("-", instance.name).lstrip("._@-")
    return (name or instance.id)[:64]


def cloud_link(account: CloudAccount, region: str, zone: str, instance_id: str, sku: str) -> dict[str, Any]:
    """What `Server.extra["cloud"]` holds for a server that lives at a provider."""
    return {
        "account_id": str(account.id),
        "provider": account.provider,
        "region": region,
        "zone": zone,
        "instance_id": instance_id,
        "sku": sku,
    }


async def apply_instances(session: AsyncSession, account: CloudAccount, instances: Sequence[Instance]) -> Counts:
    """Instances become servers; a state changed behind Nimbus' back is taken over, except on
    servers a task holds (the task decides their state)."""
    counts = Counts()
    tracked = await account_servers(session, account.id)
    servers = {s.extra["cloud"].get("instance_id"): s for s in tracked}
    by_id = {str(s.id): s for s in tracked}
    skus = {
        (s.region, s.name): s
        for s in (await session.execute(select(CloudSku).where(CloudSku.account_id == account.id))).scalars()
    }
    for inst in instances:
        server = servers.pop(inst.id, None)
        status = ServerStatus(inst.state)
        if server is None and inst.server_id in by_id:
            owner = by_id[inst.server_id]
            if owner.task_id is not None:
                continue  # its create task is still running and will record the instance itself
            # A create that failed after the provider made the instance (a deadline, a lost
            # worker): the server takes its instance back instead of a second server appearing.
            owner.extra = {**owner.extra, "cloud": {**owner.extra["cloud"], "instance_id": inst.id, "zone": inst.zone}}
            owner.error = None
            server = owner
        if server is None:
            if status is ServerStatus.DELETED:
                continue
            sku = skus.get((inst.region, inst.instance_type))
            session.add(
                Server(
                    name=_server_name(inst),
                    project_id=account.project_id,
                    domain_id=account.domain_id,
                    status=status,
                    vcpus=sku.vcpus if sku else 0,
                    memory_mb=sku.memory_mb if sku else 0,
                    disk_gb=0,
                    extra={"cloud": cloud_link(account, inst.region, inst.zone, inst.id, inst.instance_type)},
                )
            )
            counts.added += 1
        elif server.task_id is None and server.status is not status:
            server.status = status
            counts.updated += 1
    for instance_id, server in servers.items():
        # Gone from the provider's list (terminated long enough ago to be purged).
        if server.task_id is None and instance_id:
            server.status = ServerStatus.DELETED
            counts.removed += 1
    return counts
