"""Checking the placement part of a create request before any task starts."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.compute.errors import ComputeErrorCode as Code
from domain.compute.models import Region, Zone
from domain.compute.scheduler.groups import usable_group
from domain.compute.scheduler.request import PlacementHints
from domain.compute.scheduler.settings import check_strategy
from domain.errors import DomainError
from domain.identity.access import Principal
from domain.validation import check_name

MAX_TAGS = 32


async def check_hints(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, hints: PlacementHints
) -> PlacementHints:
    if hints.zone_id is not None and await session.get(Zone, hints.zone_id) is None:
        raise DomainError(Code.NOT_FOUND, "Zone not found", "zoneId")
    if hints.region_id is not None and await session.get(Region, hints.region_id) is None:
        raise DomainError(Code.NOT_FOUND, "Region not found", "regionId")
    for field, tags in (
        ("requiredTags", hints.required_tags),
        ("excludedTags", hints.excluded_tags),
        ("preferredTags", hints.preferred_tags),
    ):
        if len(tags) > MAX_TAGS:
            raise DomainError(Code.OUT_OF_RANGE, f"At most {MAX_TAGS} tags", field)
        for tag in tags:
            check_name(tag, field=field)
    if hints.strategy is not None:
        check_strategy(hints.strategy)
    if hints.server_group_id is not None:
        await usable_group(session, principal, hints.server_group_id, project_id)
    return hints
