"""GraphQL payloads of the cloud mutations."""

from __future__ import annotations

import strawberry

from schema.cloud.types import CloudAccount, CloudError
from schema.task.types import Task


@strawberry.type(description="The result of cloudAccountCreate.")
class CloudAccountCreatePayload:
    cloud_account: CloudAccount | None = strawberry.field(default=None, description="The new account.")
    errors: list[CloudError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="The result of cloudAccountUpdate.")
class CloudAccountUpdatePayload:
    cloud_account: CloudAccount | None = strawberry.field(default=None, description="The changed account.")
    errors: list[CloudError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="The result of cloudAccountDelete.")
class CloudAccountDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="The id of the deleted account.")
    errors: list[CloudError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="The result of cloudAccountSync.")
class CloudAccountSyncPayload:
    cloud_account: CloudAccount | None = strawberry.field(default=None, description="The account.")
    task: Task | None = strawberry.field(default=None, description="The sync task (the running one, if any).")
    errors: list[CloudError] = strawberry.field(default_factory=list, description="Why it was refused.")
