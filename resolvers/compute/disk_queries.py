"""Query resolvers of volumes."""

from __future__ import annotations

from sqlalchemy import select

from domain.compute.models import Disk, DiskStatus
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def list_disks(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    status: DiskStatus | None = None,
    project_id: str | None = None,
    server_id: str | None = None,
    host_id: str | None = None,
    attached: bool | None = None,
    include_deleted: bool = False,
) -> Page[Disk]:
    stmt = name_filters(select(Disk), Disk, name, name_contains)
    if status is not None:
        stmt = stmt.where(Disk.status == status.value)
    elif not include_deleted:
        stmt = stmt.where(Disk.status != DiskStatus.DELETED.value)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Disk.project_id == pid)
    if (sid := id_filter(server_id, "Server")) is not None:
        stmt = stmt.where(Disk.server_id == sid)
    if (hid := id_filter(host_id, "Host")) is not None:
        stmt = stmt.where(Disk.host_id == hid)
    if attached is not None:
        stmt = stmt.where(Disk.server_id.is_not(None) if attached else Disk.server_id.is_(None))
    return await list_page(ctx, Disk, "compute.disk.list", stmt, args)
