"""GraphQL inputs of the cloud context."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from schema.base import OrderDirection
from schema.cloud.types import CloudResourceKind
from schema.identity.enums import NamedOrderField


@strawberry.input(description="A credential of a cloud account (AWS: access_key_id and secret_access_key).")
class CloudCredentialInput:
    key: str = strawberry.field(description="The credential's name.")
    value: str = strawberry.field(description="Its value; stored encrypted, never returned.")


@strawberry.input(description="Register a cloud account for a project.")
class CloudAccountCreateInput:
    name: str = strawberry.field(description="Unique name.")
    provider: str = strawberry.field(description="The provider plug-in (`aws`).")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project its resources belong to; the token's by default."
    )
    regions: list[str] = strawberry.field(description="Provider regions to manage (`us-east-1`).")
    credentials: list[CloudCredentialInput] = strawberry.field(description="The account's credentials.")
    config: JSON | None = strawberry.field(
        default=None, description="Non-secret settings: endpointUrl-style keys the provider documents."
    )
    sync_interval_s: int = strawberry.field(default=0, description="Seconds between automatic syncs; 0 = off.")
    enabled: bool = strawberry.field(default=True, description="Disabled accounts are not synced.")


@strawberry.input(description="Change a cloud account; omitted fields stay as they are.")
class CloudAccountUpdateInput:
    id: strawberry.ID = strawberry.field(description="The account.")
    enabled: bool | None = strawberry.field(default=None, description="Enable or disable it.")
    regions: list[str] | None = strawberry.field(default=None, description="Replace the managed regions.")
    credentials: list[CloudCredentialInput] | None = strawberry.field(
        default=None, description="Replace the credentials."
    )
    config: JSON | None = strawberry.field(default=None, description="Replace the non-secret settings.")
    sync_interval_s: int | None = strawberry.field(default=None, description="Seconds between automatic syncs.")


@strawberry.input(description="Name a cloud account.")
class CloudAccountIdInput:
    id: strawberry.ID = strawberry.field(description="The account.")


@strawberry.input(description="Filter cloud accounts.")
class CloudAccountFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    provider: str | None = strawberry.field(default=None, description="Only this provider's.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")


@strawberry.input(description="Filter SKUs.")
class SkuFilter:
    name: str | None = strawberry.field(default=None, description="Exact instance type name.")
    region: str | None = strawberry.field(default=None, description="Only this provider region's.")
    account_id: strawberry.ID | None = strawberry.field(default=None, description="Only this account's.")
    min_vcpus: int | None = strawberry.field(default=None, description="At least this many vCPUs.")
    min_memory_mb: int | None = strawberry.field(default=None, description="At least this much memory.")


@strawberry.input(description="Filter imported cloud resources.")
class CloudResourceFilter:
    kind: CloudResourceKind | None = strawberry.field(default=None, description="Only this kind.")
    region: str | None = strawberry.field(default=None, description="Only this provider region's.")
    account_id: strawberry.ID | None = strawberry.field(default=None, description="Only this account's.")


@strawberry.input(description="Sort cloud lists.")
class CloudOrder:
    field: NamedOrderField = strawberry.field(default=NamedOrderField.CREATED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")
