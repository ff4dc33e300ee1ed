"""VMware accounts' Query and Mutation fields, with their inputs and payloads."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.vmware.accounts import AccountSpec
from domain.vmware.models import AccountStatus
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from resolvers.vmware import queries
from resolvers.vmware.mutations.vmware_account_create import vmware_account_create
from resolvers.vmware.mutations.vmware_account_sync import vmware_account_sync
from resolvers.vmware.mutations.vmware_server_clone import vmware_server_clone
from resolvers.vmware.mutations.vmware_server_reconfigure import vmware_server_reconfigure
from resolvers.vmware.mutations.vmware_server_snapshot import vmware_server_snapshot
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.compute.queries import _action_payload, _errors
from schema.compute.types import ComputeError, Server
from schema.identity.enums import NamedOrderField
from schema.identity.filters import NamedOrder
from schema.identity.types import NimbusInfo
from schema.task.types import Task
from schema.vmware.types import VmwareAccount, VmwareAccountStatus


@strawberry.input(description="Register a vCenter or ESXi endpoint (system admins).")
class VmwareAccountCreateInput:
    name: str = strawberry.field(description="Unique name.")
    endpoint: str = strawberry.field(description="https://host[:port] (http:// for a lab).")
    username: str = strawberry.field(description="The user to sign in as.")
    password: str = strawberry.field(description="Stored encrypted; never returned.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project synced VMs belong to; the caller's by default."
    )
    datacenters: list[str] = strawberry.field(default_factory=list, description="Datacenters to sync; empty: all.")
    sync: bool = strawberry.field(default=True, description="Start the first sync at once.")


@strawberry.input(description="Sync an account now.")
class VmwareAccountSyncInput:
    id: strawberry.ID = strawberry.field(description="The VMware account.")


@strawberry.input(description="Filter VMware accounts.")
class VmwareAccountFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    status: VmwareAccountStatus | None = strawberry.field(default=None, description="Only this status.")


@strawberry.input(description="New CPU and memory sizes for a VMware server.")
class VmwareServerReconfigureInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    vcpus: int = strawberry.field(description="Virtual CPUs.")
    memory_mb: int = strawberry.field(description="Memory in MiB.")


@strawberry.input(description="A named snapshot of a VMware server.")
class VmwareServerSnapshotInput:
    id: strawberry.ID = strawberry.field(description="The server.")
    name: str = strawberry.field(description="The snapshot's name.")


@strawberry.input(description="Clone a VMware server's VM into a new server.")
class VmwareServerCloneInput:
    source_id: strawberry.ID = strawberry.field(description="The server to copy (a template or any VMware VM).")
    name: str = strawberry.field(description="The new server's name.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its project; the source's by default."
    )


@strawberry.type(description="Result of vmwareAccountCreate.")
class VmwareAccountCreatePayload:
    vmware_account: VmwareAccount | None = strawberry.field(default=None, description="The new account.")
    task: Task | None = strawberry.field(default=None, description="The first sync, when started.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of vmwareAccountSync.")
class VmwareAccountSyncPayload:
    vmware_account: VmwareAccount | None = strawberry.field(default=None, description="The account.")
    task: Task | None = strawberry.field(default=None, description="The sync; follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of a VMware server operation.")
class VmwareServerPayload:
    server: Server | None = strawberry.field(default=None, description="The server.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ComputeError] = strawberry.field(default_factory=list, description="Why it was refused.")


def _sync_payload(r: Result[Any]) -> VmwareAccountSyncPayload:
    if r.value is None:
        return VmwareAccountSyncPayload(errors=_errors(r))
    account, task = r.value
    return VmwareAccountSyncPayload(vmware_account=VmwareAccount.from_model(account), task=Task.from_model(task))


@strawberry.type
class VmwareQuery:
    @strawberry.field(description="VMware accounts (system admins).")
    async def vmware_accounts(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: VmwareAccountFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[VmwareAccount]:
        field = order_by.field if order_by else NamedOrderField.NAME
        descending = bool(order_by and order_by.direction is OrderDirection.DESC)
        kwargs = filter_kwargs(filter, status=AccountStatus)
        page = await queries.list_accounts(info.context, ListArgs(first, after, field.value, descending), **kwargs)
        return Connection.from_page(page, VmwareAccount.from_model)


@strawberry.type
class VmwareMutation:
    @strawberry.mutation(description="Register a vCenter/ESXi endpoint and (by default) start its first sync.")
    async def vmware_account_create(
        self, info: NimbusInfo, input: VmwareAccountCreateInput
    ) -> VmwareAccountCreatePayload:
        spec = AccountSpec(input.name, input.endpoint, input.username, input.password, None, list(input.datacenters))
        r = await vmware_account_create(info.context, spec, project_id=input.project_id)
        if r.value is None:
            return VmwareAccountCreatePayload(errors=_errors(r))
        task = None
        if input.sync:
            synced = await vmware_account_sync(info.context, id=strawberry.ID(VmwareAccount.from_model(r.value).id))
            task = Task.from_model(synced.value[1]) if synced.value else None
        return VmwareAccountCreatePayload(vmware_account=VmwareAccount.from_model(r.value), task=task)

    @strawberry.mutation(description="Sync an account's inventory now; returns the task (with progress).")
    async def vmware_account_sync(self, info: NimbusInfo, input: VmwareAccountSyncInput) -> VmwareAccountSyncPayload:
        return _sync_payload(await vmware_account_sync(info.context, id=input.id))

    @strawberry.mutation(description="Change a VMware server's CPUs and memory.")
    async def vmware_server_reconfigure(
        self, info: NimbusInfo, input: VmwareServerReconfigureInput
    ) -> VmwareServerPayload:
        r = await vmware_server_reconfigure(info.context, id=input.id, vcpus=input.vcpus, memory_mb=input.memory_mb)
        return _action_payload(VmwareServerPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Take a named snapshot of a VMware server.")
    async def vmware_server_snapshot_create(
        self, info: NimbusInfo, input: VmwareServerSnapshotInput
    ) -> VmwareServerPayload:
        r = await vmware_server_snapshot(info.context, "create", id=input.id, name=input.name)
        return _action_payload(VmwareServerPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Revert a VMware server to a named snapshot.")
    async def vmware_server_snapshot_revert(
        self, info: NimbusInfo, input: VmwareServerSnapshotInput
    ) -> VmwareServerPayload:
        r = await vmware_server_snapshot(info.context, "revert", id=input.id, name=input.name)
        return _action_payload(VmwareServerPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Delete a named snapshot of a VMware server.")
    async def vmware_server_snapshot_delete(
        self, info: NimbusInfo, input: VmwareServerSnapshotInput
    ) -> VmwareServerPayload:
        r = await vmware_server_snapshot(info.context, "delete", id=input.id, name=input.name)
        return _action_payload(VmwareServerPayload, r)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Create a server as a clone of a VMware server's VM, beside it.")
    async def vmware_server_clone(self, info: NimbusInfo, input: VmwareServerCloneInput) -> VmwareServerPayload:
        r = await vmware_server_clone(
            info.context, source_id=input.source_id, name=input.name, project_id=input.project_id
        )
        return _action_payload(VmwareServerPayload, r)  # type: ignore[no-any-return]
