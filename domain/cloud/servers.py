"""Servers on public clouds: creating them where the cloud placement decides, and the task kinds
their lifecycle actions run as (the provider is called by the worker, not by a host agent)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.cloud.models import CloudResource, CloudResourceKind
from domain.cloud.placement import CloudAsk, is_cloud_request, place
from domain.cloud.sync import cloud_link
from domain.compute.errors import ComputeErrorCode
from domain.compute.models import Server, ServerStatus
from domain.errors import DomainError, InvalidInput
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.task.models import Task
from domain.task.services import Outbox, create_task

if TYPE_CHECKING:
    from domain.compute.servers import ServerRequest

CREATE_KIND = "cloud.server.create"


def cloud_of(server: Server) -> dict[str, Any] | None:
    link = (server.extra or {}).get("cloud")
    return link if isinstance(link, dict) else None


def action_kind(server: Server, action: str) -> str:
    """server.<action> for KVM servers, cloud.server.<action> for servers living at a provider."""
    return f"cloud.server.{action}" if cloud_of(server) else f"server.{action}"


def ask_of(req: ServerRequest, project: Project) -> CloudAsk:
    hints = req.placement
    return CloudAsk(
        project_id=project.id,
        vcpus=req.vcpus,
        memory_mb=req.memory_mb,
        region_id=hints.region_id,
        zone_id=hints.zone_id,
        sku=req.sku,
        hypervisor=hints.hypervisor,
    )


async def wants_cloud(session: AsyncSession, req: ServerRequest, project: Project) -> bool:
    return await is_cloud_request(session, ask_of(req, project))


async def _image(session: AsyncSession, account_id: uuid.UUID, region: str, wanted: str | None) -> str:
    stmt = select(CloudResource).where(
        CloudResource.account_id == account_id,
        CloudResource.kind == CloudResourceKind.IMAGE,
        CloudResource.region == region,
    )
    if wanted:
        stmt = stmt.where(CloudResource.external_id == wanted)
    image = (await session.execute(stmt.order_by(CloudResource.name).limit(1))).scalar_one_or_none()
    if image is None:
        what = f"image {wanted!r}" if wanted else "any image"
        raise DomainError(
            ComputeErrorCode.NOT_FOUND, f"The account has no {what} in {region}; sync it first", "cloudImage"
        )
    return image.external_id


async def create_cloud_servers(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    req: ServerRequest,
    project: Project,
) -> tuple[list[Server], Task]:
    if req.count != 1:
        raise InvalidInput("count", "Cloud servers are created one at a time", ComputeErrorCode.NOT_ALLOWED)
    if req.image_id is not None or req.network_id is not None or req.host_id is not None:
        raise InvalidInput("imageId", "Cloud servers take cloudImage and a zone, not Nimbus images, networks or hosts")
    decision = await place(session, ask_of(req, project))
    assert decision.account is not None
    assert decision.sku is not None
    image = await _image(session, decision.account.id, decision.region, req.cloud_image)
    link = cloud_link(decision.account, decision.region, decision.zone, "", decision.sku.name)
    server = Server(
        id=uuid.uuid4(),
        name=req.name,
        project_id=project.id,
        domain_id=project.domain_id,
        status=ServerStatus.PENDING,
        vcpus=decision.sku.vcpus,
        memory_mb=decision.sku.memory_mb,
        disk_gb=req.disk_gb,
        extra={"cloud": {**link, "image_id": image}},
    )
    session.add(server)
    task = create_task(
        session,
        outbox,
        kind=CREATE_KIND,
        target_type="Server",
        target_id=server.id,
        params={"server_id": str(server.id), "placement": decision.explain()},
        principal=principal,
        meta=meta,
        project_id=project.id,
        domain_id=project.domain_id,
        deadline_s=req.deadline_s,
    )
    server.task_id = task.id
    await session.flush()
    outbox.changed("Server", server.id, server.status.value, server.project_id, server.domain_id)
    return [server], task
