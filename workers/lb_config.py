"""A cluster's load balancers, as the configuration its lb agents serve."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.lb.protocol import ClusterConfig, ListenerConf, PoolConf, RuleConf, ServerConf
from domain.loadbalancer.certificates import decrypt_key
from domain.loadbalancer.models import (
    LbAcl,
    LbBackend,
    LbBackendGroup,
    LbCertificate,
    LbCluster,
    LbListener,
    LbListenerRule,
    Loadbalancer,
    LoadbalancerStatus,
    RowState,
)


def pool_name(listener_id: uuid.UUID, group_id: uuid.UUID) -> str:
    return f"p-{listener_id}-{group_id}"


async def cluster_config(session: AsyncSession, cluster: LbCluster, secret: str) -> ClusterConfig:
    """Everything the cluster serves: rows being deleted are left out, rows being created are in."""
    lbs = {
        lb.id: lb
        for lb in (
            await session.execute(
                select(Loadbalancer).where(
                    Loadbalancer.cluster_id == cluster.id, Loadbalancer.status != LoadbalancerStatus.DELETING
                )
            )
        ).scalars()
    }

    async def live(model: type[LbListener] | type[LbListenerRule] | type[LbBackendGroup] | type[LbBackend]) -> list:  # type: ignore[type-arg]
        stmt = select(model).where(model.loadbalancer_id.in_(lbs), model.state != RowState.DELETING)
        return list((await session.execute(stmt.order_by(model.created_at, model.id))).scalars())

    listeners: list[LbListener] = await live(LbListener)
    rules: list[LbListenerRule] = await live(LbListenerRule)
    groups = {g.id: g for g in await live(LbBackendGroup)}
    servers: dict[uuid.UUID, list[ServerConf]] = defaultdict(list)
    for b in await live(LbBackend):
        servers[b.backend_group_id].append(
            {"id": str(b.id), "address": b.address, "port": b.port, "weight": b.weight, "backup": b.backup}
        )
    rules_of: dict[uuid.UUID, list[LbListenerRule]] = defaultdict(list)
    for rule in rules:
        rules_of[rule.listener_id].append(rule)

    def pool(listener: LbListener, group_id: uuid.UUID) -> PoolConf:
        g = groups[group_id]
        return {
            "name": pool_name(listener.id, g.id),
            "group_id": str(g.id),
            "check": {
                "type": g.check_type.value,
                "path": g.check_path,
                "expected_codes": list(g.check_expected_codes),
                "interval_ms": g.check_interval_ms,
                "rise": g.check_rise,
                "fall": g.check_fall,
            },
            "servers": servers[g.id],
        }

    out: list[ListenerConf] = []
    for listener in listeners:
        pools: dict[uuid.UUID, PoolConf] = {}
        wanted = [listener.backend_group_id, *(r.backend_group_id for r in rules_of[listener.id])]
        for gid in wanted:
            if gid is not None and gid in groups and gid not in pools:
                pools[gid] = pool(listener, gid)
        rule_confs: list[RuleConf] = [
            {"id": str(r.id), "host": r.host, "path": r.path, "pool": pools[r.backend_group_id]["name"]}
            for r in rules_of[listener.id]
            if r.backend_group_id in pools
        ]
        default = pools.get(listener.backend_group_id) if listener.backend_group_id else None
        out.append(
            {
                "id": str(listener.id),
                "loadbalancer_id": str(listener.loadbalancer_id),
                "protocol": listener.protocol.value,
                "address": lbs[listener.loadbalancer_id].vip,
                "port": listener.port,
                "scheduler": listener.scheduler.value,
                "certificate_id": str(listener.certificate_id) if listener.certificate_id else None,
                "sticky_cookie": listener.sticky_cookie,
                "connect_timeout_ms": listener.connect_timeout_ms,
                "client_timeout_ms": listener.client_timeout_ms,
                "server_timeout_ms": listener.server_timeout_ms,
                "x_forwarded_for": listener.x_forwarded_for,
                "redirect_https": listener.redirect_https,
                "acl_id": str(listener.acl_id) if listener.acl_id else None,
                "acl_type": listener.acl_type.value if listener.acl_type else None,
                "default_pool": default["name"] if default else None,
                "rules": rule_confs,
                "pools": list(pools.values()),
            }
        )
    return {
        "cluster": cluster.name,
        "generation": cluster.generation,
        "listeners": out,
        "certificates": await _certificates(session, listeners, secret),
        "acls": await _acls(session, listeners),
    }


async def _certificates(session: AsyncSession, listeners: list[LbListener], secret: str) -> dict[str, str]:
    ids = {lst.certificate_id for lst in listeners if lst.certificate_id is not None}
    if not ids:
        return {}
    rows = (await session.execute(select(LbCertificate).where(LbCertificate.id.in_(ids)))).scalars()
    return {str(c.id): c.certificate + decrypt_key(secret, c.private_key_encrypted) for c in rows}


async def _acls(session: AsyncSession, listeners: list[LbListener]) -> dict[str, list[str]]:
    ids = {lst.acl_id for lst in listeners if lst.acl_id is not None}
    if not ids:
        return {}
    rows = (await session.execute(select(LbAcl).where(LbAcl.id.in_(ids)))).scalars()
    return {str(a.id): list(a.cidrs) for a in rows}
