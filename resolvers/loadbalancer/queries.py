"""Query resolvers of the loadbalancer context."""

from __future__ import annotations

from sqlalchemy import select

from domain.loadbalancer.models import LbAcl, LbCertificate, LbCluster, Loadbalancer, LoadbalancerStatus
from resolvers.context import Context
from resolvers.filters import id_filter, name_filters
from resolvers.pagination import ListArgs, Page, list_page


async def list_loadbalancers(
    ctx: Context,
    args: ListArgs,
    *,
    name: str | None = None,
    name_contains: str | None = None,
    status: LoadbalancerStatus | None = None,
    project_id: str | None = None,
    cluster_id: str | None = None,
) -> Page[Loadbalancer]:
    stmt = name_filters(select(Loadbalancer), Loadbalancer, name, name_contains)
    if status is not None:
        stmt = stmt.where(Loadbalancer.status == status)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Loadbalancer.project_id == pid)
    if (cid := id_filter(cluster_id, "LoadbalancerCluster")) is not None:
        stmt = stmt.where(Loadbalancer.cluster_id == cid)
    return await list_page(ctx, Loadbalancer, "loadbalancer.loadbalancer.list", stmt, args)


async def list_clusters(ctx: Context, args: ListArgs, *, name: str | None = None) -> Page[LbCluster]:
    stmt = name_filters(select(LbCluster), LbCluster, name, None)
    return await list_page(ctx, LbCluster, "loadbalancer.cluster.list", stmt, args)


async def list_certificates(
    ctx: Context, args: ListArgs, *, name: str | None = None, project_id: str | None = None
) -> Page[LbCertificate]:
    stmt = name_filters(select(LbCertificate), LbCertificate, name, None)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(LbCertificate.project_id == pid)
    return await list_page(ctx, LbCertificate, "loadbalancer.certificate.list", stmt, args)


async def list_acls(
    ctx: Context, args: ListArgs, *, name: str | None = None, project_id: str | None = None
) -> Page[LbAcl]:
    stmt = name_filters(select(LbAcl), LbAcl, name, None)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(LbAcl.project_id == pid)
    return await list_page(ctx, LbAcl, "loadbalancer.acl.list", stmt, args)
