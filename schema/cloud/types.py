"""GraphQL object types of the cloud context."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from domain.cloud import models
from domain.cloud.errors import CloudErrorCode as _Code
from resolvers.identity.loaders import ProjectByIdLoader
from resolvers.ids import to_global_id
from resolvers.loaders import load_converted
from schema.base import Node
from schema.identity.types import NimbusInfo, Project

CloudErrorCode = strawberry.enum(_Code, description="Why a cloud mutation was refused.")
CloudAccountStatus = strawberry.enum(models.CloudAccountStatus, description="Whether an account is syncing or failed.")
CloudResourceKind = strawberry.enum(models.CloudResourceKind, description="What an imported cloud resource is.")


def _gid(type_name: str, obj_id: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, obj_id))


@strawberry.type(description="A payload error of a cloud mutation.")
class CloudError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: CloudErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.type(description="A public or private cloud account; its credentials are never returned.")
class CloudAccount(Node):
    name: str = strawberry.field(description="Unique name.")
    provider: str = strawberry.field(description="The provider plug-in (`aws`).")
    enabled: bool = strawberry.field(description="Disabled accounts are neither synced nor placed on.")
    regions: list[str] = strawberry.field(description="The provider regions Nimbus manages.")
    config: JSON = strawberry.field(description="Non-secret provider settings (endpoint URL, image owners).")
    sync_interval_s: int = strawberry.field(description="Seconds between automatic syncs; 0 = only on request.")
    status: CloudAccountStatus = strawberry.field(description="READY, SYNCING or ERROR (see lastSyncError).")
    last_sync_at: datetime | None = strawberry.field(description="When the last sync ended.")
    last_sync_error: str | None = strawberry.field(description="Why the last sync failed, with the provider's code.")
    last_sync_result: JSON = strawberry.field(description="Per resource kind: how many were added, updated, removed.")
    created_at: datetime = strawberry.field(description="Creation time.")
    project_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The project the account's resources belong to.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, m: models.CloudAccount) -> CloudAccount:
        return cls(
            id=_gid("CloudAccount", m.id),
            name=m.name,
            provider=m.provider,
            enabled=m.enabled,
            regions=list(m.regions or []),
            config=dict(m.config or {}),
            sync_interval_s=m.sync_interval_s,
            status=CloudAccountStatus(m.status.value),
            last_sync_at=m.last_sync_at,
            last_sync_error=m.last_sync_error,
            last_sync_result=dict(m.last_sync_result or {}),
            created_at=m.created_at,
            project_id=m.project_id,
        )


@strawberry.type(description="An instance type of a provider region: a size cloud servers come in.")
class Sku(Node):
    name: str = strawberry.field(description="The provider's name (`t3.micro`).")
    provider: str = strawberry.field(description="The provider plug-in.")
    region: str = strawberry.field(description="The provider region offering it.")
    vcpus: int = strawberry.field(description="Virtual CPUs.")
    memory_mb: int = strawberry.field(description="Memory in MiB.")
    account_id: strawberry.ID = strawberry.field(description="The cloud account it was synced from.")

    @classmethod
    def from_model(cls, m: models.CloudSku) -> Sku:
        return cls(
            id=_gid("Sku", m.id),
            name=m.name,
            provider=m.provider,
            region=m.region,
            vcpus=m.vcpus,
            memory_mb=m.memory_mb,
            account_id=_gid("CloudAccount", m.account_id),
        )


@strawberry.type(description="An image, VPC, subnet, security group or elastic IP imported from a cloud account.")
class CloudResource(Node):
    kind: CloudResourceKind = strawberry.field(description="What it is.")
    external_id: str = strawberry.field(description="The provider's id (`ami-…`, `vpc-…`).")
    name: str = strawberry.field(description="Its name at the provider, if it has one.")
    region: str = strawberry.field(description="The provider region.")
    zone: str | None = strawberry.field(description="The zone, for zonal resources (subnets).")
    data: JSON = strawberry.field(description="Kind-specific details (CIDR, VPC id, public IP, …).")
    account_id: strawberry.ID = strawberry.field(description="The cloud account it was synced from.")

    @classmethod
    def from_model(cls, m: models.CloudResource) -> CloudResource:
        data: dict[str, Any] = dict(m.data or {})
        return cls(
            id=_gid("CloudResource", m.id),
            kind=CloudResourceKind(m.kind.value),
            external_id=m.external_id,
            name=m.name,
            region=m.region,
            zone=m.zone,
            data=data,
            account_id=_gid("CloudAccount", m.account_id),
        )
