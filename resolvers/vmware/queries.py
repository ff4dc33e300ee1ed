"""Queries of VMware accounts."""

from __future__ import annotations

from sqlalchemy import select

from domain.vmware.models import AccountStatus, VmwareAccount
from resolvers.context import Context
from resolvers.filters import name_filters
from resolvers.loaders import by_id
from resolvers.pagination import ListArgs, Page, list_page


async def list_accounts(
    ctx: Context, args: ListArgs, *, name: str | None = None, status: AccountStatus | None = None
) -> Page[VmwareAccount]:
    stmt = name_filters(select(VmwareAccount), VmwareAccount, name, None)
    if status is not None:
        stmt = stmt.where(VmwareAccount.status == status)
    return await list_page(ctx, VmwareAccount, "vmware.account.list", stmt, args)


AccountByIdLoader = by_id(VmwareAccount, "vmware.account.get")
