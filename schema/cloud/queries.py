"""Cloud fields of the root Query and Mutation."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.cloud.accounts import AccountChange, AccountSpec
from domain.cloud.errors import CloudErrorCode as Code
from domain.cloud.models import CloudResourceKind as KindModel
from resolvers.cloud import queries
from resolvers.cloud.mutations.cloud_account_create import cloud_account_create
from resolvers.cloud.mutations.cloud_account_delete import cloud_account_delete
from resolvers.cloud.mutations.cloud_account_sync import cloud_account_sync
from resolvers.cloud.mutations.cloud_account_update import cloud_account_update
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.cloud import inputs as i
from schema.cloud import payloads as p
from schema.cloud.types import CloudAccount, CloudError, CloudErrorCode, CloudResource, Sku
from schema.identity.types import NimbusInfo
from schema.payload_errors import convert, deleted_id
from schema.task.types import Task


def _args(first: int | None, after: str | None, order: i.CloudOrder | None) -> ListArgs:
    order = order or i.CloudOrder()
    return ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)


def _errors(r: Result[Any]) -> list[CloudError]:
    return convert(r.errors, CloudError, CloudErrorCode, Code.INVALID)


def _credentials(values: list[i.CloudCredentialInput] | None) -> dict[str, str] | None:
    return None if values is None else {c.key: c.value for c in values}


def _config(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None


@strawberry.type
class CloudQuery:
    @strawberry.field(description="Cloud accounts the caller may see (never their credentials).")
    async def cloud_accounts(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.CloudAccountFilter | None = None,
        order_by: i.CloudOrder | None = None,
    ) -> Connection[CloudAccount]:
        page = await queries.list_accounts(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, CloudAccount.from_model)

    @strawberry.field(description="Instance types (sizes) synced from the caller's cloud accounts.")
    async def skus(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.SkuFilter | None = None,
        order_by: i.CloudOrder | None = None,
    ) -> Connection[Sku]:
        page = await queries.list_skus(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, Sku.from_model)

    @strawberry.field(description="Images, VPCs, subnets, security groups and EIPs synced from cloud accounts.")
    async def cloud_resources(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.CloudResourceFilter | None = None,
        order_by: i.CloudOrder | None = None,
    ) -> Connection[CloudResource]:
        kwargs = filter_kwargs(filter, kind=KindModel)
        page = await queries.list_resources(info.context, _args(first, after, order_by), **kwargs)
        return Connection.from_page(page, CloudResource.from_model)


@strawberry.type
class CloudMutation:
    @strawberry.mutation(description="Register a cloud account for a project (system admins).")
    async def cloud_account_create(
        self, info: NimbusInfo, input: i.CloudAccountCreateInput
    ) -> p.CloudAccountCreatePayload:
        spec = AccountSpec(
            name=input.name,
            provider=input.provider,
            project_id=None,
            regions=list(input.regions),
            credentials=_credentials(input.credentials) or {},
            config=_config(input.config) or {},
            sync_interval_s=input.sync_interval_s,
            enabled=input.enabled,
        )
        r = await cloud_account_create(info.context, spec, project_id=input.project_id)
        if r.value is None:
            return p.CloudAccountCreatePayload(errors=_errors(r))
        return p.CloudAccountCreatePayload(cloud_account=CloudAccount.from_model(r.value))

    @strawberry.mutation(description="Change a cloud account (system admins).")
    async def cloud_account_update(
        self, info: NimbusInfo, input: i.CloudAccountUpdateInput
    ) -> p.CloudAccountUpdatePayload:
        change = AccountChange(
            enabled=input.enabled,
            regions=None if input.regions is None else list(input.regions),
            credentials=_credentials(input.credentials),
            config=_config(input.config),
            sync_interval_s=input.sync_interval_s,
        )
        r = await cloud_account_update(info.context, id=input.id, change=change)
        if r.value is None:
            return p.CloudAccountUpdatePayload(errors=_errors(r))
        return p.CloudAccountUpdatePayload(cloud_account=CloudAccount.from_model(r.value))

    @strawberry.mutation(description="Forget a cloud account and what was imported; nothing changes at the provider.")
    async def cloud_account_delete(self, info: NimbusInfo, input: i.CloudAccountIdInput) -> p.CloudAccountDeletePayload:
        r = await cloud_account_delete(info.context, id=input.id)
        if r.value is None:
            return p.CloudAccountDeletePayload(errors=_errors(r))
        return p.CloudAccountDeletePayload(deleted_id=deleted_id("CloudAccount", r.value))

    @strawberry.mutation(description="Sync a cloud account now; returns the task (the running one if any).")
    async def cloud_account_sync(self, info: NimbusInfo, input: i.CloudAccountIdInput) -> p.CloudAccountSyncPayload:
        r = await cloud_account_sync(info.context, id=input.id)
        if r.value is None:
            return p.CloudAccountSyncPayload(errors=_errors(r))
        account, task = r.value
        return p.CloudAccountSyncPayload(cloud_account=CloudAccount.from_model(account), task=Task.from_model(task))
