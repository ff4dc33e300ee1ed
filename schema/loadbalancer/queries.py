"""Load balancer fields of the root Query and Mutation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import strawberry

from domain.loadbalancer.errors import LoadbalancerErrorCode as Code
from domain.loadbalancer.models import LoadbalancerStatus as StatusModel
from resolvers.loadbalancer import queries
from resolvers.loadbalancer.mutations.acl_create import acl_create
from resolvers.loadbalancer.mutations.acl_delete import acl_delete
from resolvers.loadbalancer.mutations.backend_create import backend_create
from resolvers.loadbalancer.mutations.backend_delete import backend_delete
from resolvers.loadbalancer.mutations.backend_group_create import backend_group_create
from resolvers.loadbalancer.mutations.backend_group_delete import backend_group_delete
from resolvers.loadbalancer.mutations.backend_group_update import backend_group_update
from resolvers.loadbalancer.mutations.backend_update import backend_update
from resolvers.loadbalancer.mutations.certificate_create import certificate_create
from resolvers.loadbalancer.mutations.certificate_delete import certificate_delete
from resolvers.loadbalancer.mutations.listener_create import listener_create
from resolvers.loadbalancer.mutations.listener_delete import listener_delete
from resolvers.loadbalancer.mutations.listener_rule_create import listener_rule_create
from resolvers.loadbalancer.mutations.listener_rule_delete import listener_rule_delete
from resolvers.loadbalancer.mutations.listener_update import listener_update
from resolvers.loadbalancer.mutations.loadbalancer_create import loadbalancer_create
from resolvers.loadbalancer.mutations.loadbalancer_delete import loadbalancer_delete
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.identity.types import NimbusInfo
from schema.loadbalancer import inputs as i
from schema.loadbalancer import payloads as p
from schema.loadbalancer.types import (
    Loadbalancer,
    LoadbalancerAcl,
    LoadbalancerBackend,
    LoadbalancerBackendGroup,
    LoadbalancerCertificate,
    LoadbalancerCluster,
    LoadbalancerError,
    LoadbalancerErrorCode,
    LoadbalancerListener,
    LoadbalancerListenerRule,
)
from schema.payload_errors import convert, deleted_id
from schema.task.types import Task


def _args(first: int | None, after: str | None, order: i.LoadbalancerOrder | None) -> ListArgs:
    order = order or i.LoadbalancerOrder()
    return ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)


def _errors(r: Result[Any]) -> list[LoadbalancerError]:
    return convert(r.errors, LoadbalancerError, LoadbalancerErrorCode, Code.INVALID)


def _task_payload(cls: Any, field: str, convert_obj: Any, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    obj, task = r.value
    return cls(**{field: convert_obj(obj)}, task=Task.from_model(task))


def _delete_payload(cls: Any, type_name: str, r: Result[Any]) -> Any:
    if r.value is None:
        return cls(errors=_errors(r))
    obj_id, task = r.value
    return cls(deleted_id=deleted_id(type_name, obj_id), task=Task.from_model(task))


def _settings(value: i.ListenerSettings, *exclude: str) -> dict[str, Any]:
    data = {k: v for k, v in asdict(value).items() if k not in exclude}
    for key in ("scheduler", "acl_type"):
        if data.get(key) is not None:
            data[key] = type(data[key])(data[key].value)
    return data


@strawberry.type
class LoadbalancerQuery:
    @strawberry.field(description="Load balancers the caller may see.")
    async def loadbalancers(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.LoadbalancerFilter | None = None,
        order_by: i.LoadbalancerOrder | None = None,
    ) -> Connection[Loadbalancer]:
        kwargs = filter_kwargs(filter, status=StatusModel)
        page = await queries.list_loadbalancers(info.context, _args(first, after, order_by), **kwargs)
        return Connection.from_page(page, Loadbalancer.from_model)

    @strawberry.field(description="Clusters of lb agents load balancers can be placed on.")
    async def loadbalancer_clusters(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.LoadbalancerClusterFilter | None = None,
        order_by: i.LoadbalancerOrder | None = None,
    ) -> Connection[LoadbalancerCluster]:
        page = await queries.list_clusters(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, LoadbalancerCluster.from_model)

    @strawberry.field(description="Certificates the caller may see (never their keys).")
    async def loadbalancer_certificates(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.LoadbalancerOwnedFilter | None = None,
        order_by: i.LoadbalancerOrder | None = None,
    ) -> Connection[LoadbalancerCertificate]:
        page = await queries.list_certificates(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, LoadbalancerCertificate.from_model)

    @strawberry.field(description="ACLs the caller may see.")
    async def loadbalancer_acls(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.LoadbalancerOwnedFilter | None = None,
        order_by: i.LoadbalancerOrder | None = None,
    ) -> Connection[LoadbalancerAcl]:
        page = await queries.list_acls(info.context, _args(first, after, order_by), **filter_kwargs(filter))
        return Connection.from_page(page, LoadbalancerAcl.from_model)


@strawberry.type
class LoadbalancerMutation:
    @strawberry.mutation(description="Create a load balancer; returns at once with the task that deploys it.")
    async def loadbalancer_create(
        self, info: NimbusInfo, input: i.LoadbalancerCreateInput
    ) -> p.LoadbalancerCreatePayload:
        r = await loadbalancer_create(
            info.context,
            name=input.name,
            project_id=input.project_id,
            cluster_id=input.cluster_id,
            network_id=input.network_id,
            vip=input.vip,
            description=input.description,
        )
        return _task_payload(p.LoadbalancerCreatePayload, "loadbalancer", Loadbalancer.from_model, r)

    @strawberry.mutation(description="Delete a load balancer with its listeners and backends.")
    async def loadbalancer_delete(
        self, info: NimbusInfo, input: i.LoadbalancerDeleteInput
    ) -> p.LoadbalancerDeletePayload:
        r = await loadbalancer_delete(info.context, id=input.id)
        return _task_payload(p.LoadbalancerDeletePayload, "loadbalancer", Loadbalancer.from_model, r)

    @strawberry.mutation(description="Add a listener; the task fails with haproxy's reason if it refuses it.")
    async def loadbalancer_listener_create(
        self, info: NimbusInfo, input: i.LoadbalancerListenerCreateInput
    ) -> p.LoadbalancerListenerCreatePayload:
        values = {**_settings(input, "loadbalancer_id"), "protocol": type(input.protocol)(input.protocol.value)}
        r = await listener_create(info.context, loadbalancer_id=input.loadbalancer_id, values=values)
        return _task_payload(p.LoadbalancerListenerCreatePayload, "listener", LoadbalancerListener.from_model, r)

    @strawberry.mutation(description="Change a listener; until the agents accept it, the old settings serve.")
    async def loadbalancer_listener_update(
        self, info: NimbusInfo, input: i.LoadbalancerListenerUpdateInput
    ) -> p.LoadbalancerListenerUpdatePayload:
        r = await listener_update(info.context, id=input.id, values=_settings(input, "id"))
        return _task_payload(p.LoadbalancerListenerUpdatePayload, "listener", LoadbalancerListener.from_model, r)

    @strawberry.mutation(description="Remove a listener with its rules.")
    async def loadbalancer_listener_delete(
        self, info: NimbusInfo, input: i.LoadbalancerListenerDeleteInput
    ) -> p.LoadbalancerListenerDeletePayload:
        r = await listener_delete(info.context, id=input.id)
        return _delete_payload(p.LoadbalancerListenerDeletePayload, "LoadbalancerListener", r)

    @strawberry.mutation(description="Route a host and/or path prefix of a listener to a backend group.")
    async def loadbalancer_listener_rule_create(
        self, info: NimbusInfo, input: i.LoadbalancerListenerRuleCreateInput
    ) -> p.LoadbalancerListenerRuleCreatePayload:
        r = await listener_rule_create(
            info.context,
            listener_id=input.listener_id,
            host=input.host,
            path=input.path,
            backend_group_id=input.backend_group_id,
        )
        return _task_payload(p.LoadbalancerListenerRuleCreatePayload, "rule", LoadbalancerListenerRule.from_model, r)

    @strawberry.mutation(description="Remove a listener rule.")
    async def loadbalancer_listener_rule_delete(
        self, info: NimbusInfo, input: i.LoadbalancerListenerRuleDeleteInput
    ) -> p.LoadbalancerListenerRuleDeletePayload:
        r = await listener_rule_delete(info.context, id=input.id)
        return _delete_payload(p.LoadbalancerListenerRuleDeletePayload, "LoadbalancerListenerRule", r)

    @strawberry.mutation(description="Create a backend group with its health check.")
    async def loadbalancer_backend_group_create(
        self, info: NimbusInfo, input: i.LoadbalancerBackendGroupCreateInput
    ) -> p.LoadbalancerBackendGroupCreatePayload:
        health = input.health_check.values() if input.health_check else {}
        r = await backend_group_create(
            info.context, loadbalancer_id=input.loadbalancer_id, name=input.name, health=health
        )
        return _task_payload(
            p.LoadbalancerBackendGroupCreatePayload, "backend_group", LoadbalancerBackendGroup.from_model, r
        )

    @strawberry.mutation(description="Change a backend group's health check.")
    async def loadbalancer_backend_group_update(
        self, info: NimbusInfo, input: i.LoadbalancerBackendGroupUpdateInput
    ) -> p.LoadbalancerBackendGroupUpdatePayload:
        r = await backend_group_update(info.context, id=input.id, health=input.health_check.values())
        return _task_payload(
            p.LoadbalancerBackendGroupUpdatePayload, "backend_group", LoadbalancerBackendGroup.from_model, r
        )

    @strawberry.mutation(description="Remove a backend group no listener or rule uses, with its backends.")
    async def loadbalancer_backend_group_delete(
        self, info: NimbusInfo, input: i.LoadbalancerBackendGroupDeleteInput
    ) -> p.LoadbalancerBackendGroupDeletePayload:
        r = await backend_group_delete(info.context, id=input.id)
        return _delete_payload(p.LoadbalancerBackendGroupDeletePayload, "LoadbalancerBackendGroup", r)

    @strawberry.mutation(description="Add a server or an address:port to a backend group.")
    async def loadbalancer_backend_create(
        self, info: NimbusInfo, input: i.LoadbalancerBackendCreateInput
    ) -> p.LoadbalancerBackendCreatePayload:
        r = await backend_create(
            info.context,
            backend_group_id=input.backend_group_id,
            server_id=input.server_id,
            address=input.address,
            port=input.port,
            weight=input.weight,
            backup=input.backup,
        )
        return _task_payload(p.LoadbalancerBackendCreatePayload, "backend", LoadbalancerBackend.from_model, r)

    @strawberry.mutation(description="Change a backend's port, weight or backup role.")
    async def loadbalancer_backend_update(
        self, info: NimbusInfo, input: i.LoadbalancerBackendUpdateInput
    ) -> p.LoadbalancerBackendUpdatePayload:
        values = {"port": input.port, "weight": input.weight, "backup": input.backup}
        r = await backend_update(info.context, id=input.id, values=values)
        return _task_payload(p.LoadbalancerBackendUpdatePayload, "backend", LoadbalancerBackend.from_model, r)

    @strawberry.mutation(description="Remove a backend.")
    async def loadbalancer_backend_delete(
        self, info: NimbusInfo, input: i.LoadbalancerBackendDeleteInput
    ) -> p.LoadbalancerBackendDeletePayload:
        r = await backend_delete(info.context, id=input.id)
        return _delete_payload(p.LoadbalancerBackendDeletePayload, "LoadbalancerBackend", r)

    @strawberry.mutation(description="Upload a certificate and key; checked now, the key stored encrypted.")
    async def loadbalancer_certificate_create(
        self, info: NimbusInfo, input: i.LoadbalancerCertificateCreateInput
    ) -> p.LoadbalancerCertificateCreatePayload:
        r = await certificate_create(
            info.context,
            name=input.name,
            project_id=input.project_id,
            certificate=input.certificate,
            private_key=input.private_key,
        )
        cert = LoadbalancerCertificate.from_model(r.value) if r.value else None
        return p.LoadbalancerCertificateCreatePayload(certificate=cert, errors=_errors(r))

    @strawberry.mutation(description="Delete a certificate no listener uses.")
    async def loadbalancer_certificate_delete(
        self, info: NimbusInfo, input: i.LoadbalancerCertificateDeleteInput
    ) -> p.LoadbalancerCertificateDeletePayload:
        r = await certificate_delete(info.context, id=input.id)
        return p.LoadbalancerCertificateDeletePayload(
            deleted_id=deleted_id("LoadbalancerCertificate", r.value), errors=_errors(r)
        )

    @strawberry.mutation(description="Create an ACL of CIDRs for listeners to allow or deny.")
    async def loadbalancer_acl_create(
        self, info: NimbusInfo, input: i.LoadbalancerAclCreateInput
    ) -> p.LoadbalancerAclCreatePayload:
        r = await acl_create(
            info.context, name=input.name, project_id=input.project_id, cidrs=input.cidrs, description=input.description
        )
        return p.LoadbalancerAclCreatePayload(
            acl=LoadbalancerAcl.from_model(r.value) if r.value else None, errors=_errors(r)
        )

    @strawberry.mutation(description="Delete an ACL no listener uses.")
    async def loadbalancer_acl_delete(
        self, info: NimbusInfo, input: i.LoadbalancerAclDeleteInput
    ) -> p.LoadbalancerAclDeletePayload:
        r = await acl_delete(info.context, id=input.id)
        return p.LoadbalancerAclDeletePayload(deleted_id=deleted_id("LoadbalancerAcl", r.value), errors=_errors(r))
