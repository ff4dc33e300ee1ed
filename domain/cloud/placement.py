"""Placing a server on a public cloud: which account, zone and instance type (SKU) take it.

Every zone of the project's accounts is a candidate; each rejected one is named with the reason,
like the KVM scheduler's filters do for hosts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cloud.models import CloudAccount, CloudSku
from domain.compute.errors import ComputeErrorCode
from domain.compute.models import Region, Zone
from domain.errors import DomainError


@dataclass(frozen=True)
class CloudAsk:
    project_id: uuid.UUID
    vcpus: int
    memory_mb: int
    region_id: uuid.UUID | None = None
    zone_id: uuid.UUID | None = None
    sku: str | None = None
    hypervisor: str | None = None


@dataclass
class Decision:
    account: CloudAccount | None = None
    region: str = ""
    zone: str = ""
    sku: CloudSku | None = None
    rejections: list[dict[str, str]] = field(default_factory=list)

    def explain(self) -> dict[str, Any]:
        chosen = None
        if self.account is not None and self.sku is not None:
            chosen = {"account": self.account.name, "region": self.region, "zone": self.zone, "sku": self.sku.name}
        return {"chosen": chosen, "rejections": self.rejections}


def _fitting(skus: list[CloudSku], ask: CloudAsk) -> CloudSku | str:
    if ask.sku:
        named = next((s for s in skus if s.name == ask.sku), None)
        return named or f"no instance type {ask.sku!r} in this region"
    fits = [s for s in skus if s.vcpus >= ask.vcpus and s.memory_mb >= ask.memory_mb]
    if not fits:
        return f"no instance type with >= {ask.vcpus} vCPUs and >= {ask.memory_mb} MiB"
    # The smallest type that fits, memory first (what is billed most), then the name for stability.
    return min(fits, key=lambda s: (s.memory_mb, s.vcpus, s.name))


async def is_cloud_request(session: AsyncSession, ask: CloudAsk) -> bool:
    """A create goes to a public cloud when it names a provider-marked region or zone, or a
    hypervisor that is a cloud provider's."""
    from domain.cloud.providers import plugin

    if ask.hypervisor and plugin(ask.hypervisor) is not None:
        return True
    zone = await session.get(Zone, ask.zone_id) if ask.zone_id else None
    region = await session.get(Region, ask.region_id) if ask.region_id else None
    return bool((zone and zone.provider) or (region and region.provider))


async def place(session: AsyncSession, ask: CloudAsk) -> Decision:
    accounts = {
        a.id: a
        for a in (
            await session.execute(select(CloudAccount).where(CloudAccount.project_id == ask.project_id))
        ).scalars()
    }
    stmt = (
        select(Zone, Region)
        .join(Region, Zone.region_id == Region.id)
        .where(Zone.cloud_account_id.in_(accounts))
        .order_by(Region.name, Zone.name)
    )
    decision = Decision()
    sku_cache: dict[tuple[uuid.UUID, str], list[CloudSku]] = {}
    for zone, region in (await session.execute(stmt)).all():
        account = accounts[zone.cloud_account_id]  # type: ignore[index]
        reason = _reject(account, zone, region, ask)
        if reason is None:
            key = (account.id, region.external_id or "")
            if key not in sku_cache:
                sku_cache[key] = list(
                    (
                        await session.execute(
                            select(CloudSku).where(CloudSku.account_id == account.id, CloudSku.region == key[1])
                        )
                    ).scalars()
                )
            found = _fitting(sku_cache[key], ask)
            if isinstance(found, str):
                reason = found
            elif decision.account is None:
                decision.account, decision.region, decision.zone, decision.sku = account, key[1], zone.name, found
                continue
            else:
                reason = "an earlier zone was chosen"
        decision.rejections.append({"zone": zone.name, "region": region.name, "reason": reason})
    if decision.account is None:
        why = (
            "; ".join(f"{r['zone']}: {r['reason']}" for r in decision.rejections)
            or "the project has no synced cloud zones"
        )
        # serverCreate's own code for "nothing can take it", as when no KVM host fits.
        raise DomainError(ComputeErrorCode.NO_CAPACITY, f"No cloud zone can take the server ({why})", "zoneId")
    return decision


def _reject(account: CloudAccount, zone: Zone, region: Region, ask: CloudAsk) -> str | None:
    if not account.enabled:
        return f"account {account.name} is disabled"
    if ask.hypervisor and ask.hypervisor.lower() != account.provider:
        return f"provider is {account.provider}"
    if ask.region_id is not None and region.id != ask.region_id:
        return "in another region"
    if ask.zone_id is not None and zone.id != ask.zone_id:
        return "another zone"
    return None
