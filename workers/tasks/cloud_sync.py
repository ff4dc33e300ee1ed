"""cloud.account_sync: import an account's resources, one stage (one transaction) per kind."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from domain.cloud.accounts import SYNC_KIND
from domain.cloud.models import CloudAccount, CloudAccountStatus, CloudResourceKind
from domain.cloud.providers.contract import CloudProvider
from domain.cloud.sync import Counts, apply_instances, apply_regions, apply_resources, apply_skus
from domain.task.services import now, stage_job
from workers.handler import StageContext, TaskHandler, register
from workers.tasks.cloud_common import account_of, call, provider_of

Step = Callable[[StageContext, CloudAccount, CloudProvider], Awaitable[Counts]]


async def _per_region(sc: StageContext, account: CloudAccount, fn: Callable[[str], list[Any]]) -> list[Any]:
    found: list[Any] = []
    for region in account.regions:
        found.extend(await call(sc, account, fn, region))
    return found


async def _regions(sc: StageContext, account: CloudAccount, provider: CloudProvider) -> Counts:
    offered = set(await call(sc, account, provider.list_regions))
    if missing := [r for r in account.regions if r not in offered]:
        sc.fail(f"{account.provider} has no region {', '.join(missing)}")
    return await apply_regions(sc.session, account, await _per_region(sc, account, provider.list_zones))


async def _skus(sc: StageContext, account: CloudAccount, provider: CloudProvider) -> Counts:
    types = {r: await call(sc, account, provider.list_instance_types, r) for r in account.regions}
    return await apply_skus(sc.session, account, types)


def _resources(kind: CloudResourceKind, lister: str) -> Step:
    async def step(sc: StageContext, account: CloudAccount, provider: CloudProvider) -> Counts:
        found = await _per_region(sc, account, getattr(provider, lister))
        return await apply_resources(sc.session, account, kind, found)

    return step


async def _instances(sc: StageContext, account: CloudAccount, provider: CloudProvider) -> Counts:
    return await apply_instances(sc.session, account, await _per_region(sc, account, provider.list_instances))


STEPS: list[tuple[str, Step]] = [
    ("regions", _regions),
    ("skus", _skus),
    ("images", _resources(CloudResourceKind.IMAGE, "list_images")),
    ("vpcs", _resources(CloudResourceKind.VPC, "list_vpcs")),
    ("subnets", _resources(CloudResourceKind.SUBNET, "list_subnets")),
    ("security_groups", _resources(CloudResourceKind.SECURITY_GROUP, "list_security_groups")),
    ("eips", _resources(CloudResourceKind.EIP, "list_eips")),
    ("instances", _instances),
]


@register
class CloudAccountSync(TaskHandler):
    kind = SYNC_KIND

    async def on_init(self, sc: StageContext, payload: dict[str, Any]) -> None:
        await self.on_step(sc, {"step": 0, "report": {}})

    async def on_step(self, sc: StageContext, payload: dict[str, Any]) -> None:
        index, report = int(payload["step"]), dict(payload["report"])
        account = await account_of(sc, sc.task.params["account_id"])
        name, step = STEPS[index]
        report[name] = (await step(sc, account, provider_of(sc, account))).to_dict()
        if index + 1 < len(STEPS):
            nxt = {"step": index + 1, "report": report}
            sc.wait("on_step", stage_job(sc.task, "on_step", nxt), progress=int(100 * (index + 1) / len(STEPS)))
            return
        account.status, account.last_sync_at, account.last_sync_error = CloudAccountStatus.READY, now(), None
        account.last_sync_result = report
        sc.succeed(report)

    async def on_failed(self, sc: StageContext, error: str) -> None:
        account = await sc.session.get(CloudAccount, uuid.UUID(sc.task.params["account_id"]))
        if account is not None:
            # Counted as an attempt, so a failing account is retried at its interval, not in a loop.
            account.status, account.last_sync_at, account.last_sync_error = CloudAccountStatus.ERROR, now(), error
