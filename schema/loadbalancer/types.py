"""GraphQL object types of the loadbalancer context."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import strawberry

from domain.loadbalancer import models
from domain.loadbalancer.errors import LoadbalancerErrorCode as _Code
from resolvers.compute import loaders as compute_loaders
from resolvers.identity.loaders import ProjectByIdLoader
from resolvers.ids import to_global_id
from resolvers.loadbalancer import loaders
from resolvers.loaders import load_converted
from resolvers.task import queries as task_queries
from schema.base import Node
from schema.compute.types import Network, Server
from schema.identity.types import NimbusInfo, Project
from schema.task.types import Task

LoadbalancerErrorCode = strawberry.enum(_Code, description="Why a load balancer mutation was refused.")
LoadbalancerStatus = strawberry.enum(models.LoadbalancerStatus, description="Where a load balancer is in its life.")
LoadbalancerRowState = strawberry.enum(
    models.RowState, description="Whether a configuration object is served (ACTIVE) or a change to it is deploying."
)
ListenerProtocol = strawberry.enum(models.ListenerProtocol, description="What a listener speaks.")
Scheduler = strawberry.enum(models.Scheduler, description="How a listener spreads connections over backends.")
AclType = strawberry.enum(models.AclType, description="Whether an ACL's addresses are let in or kept out.")
HealthCheckType = strawberry.enum(models.HealthCheckType, description="How backends are probed.")
BackendHealth = strawberry.enum(models.BackendHealth, description="A backend's health, as haproxy's checks see it.")


def _gid(type_name: str, obj_id: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, obj_id))


@strawberry.type(description="A payload error of a load balancer mutation.")
class LoadbalancerError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: LoadbalancerErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.type(description="An lb agent (one haproxy node) of a cluster.")
class LoadbalancerAgent:
    name: str = strawberry.field(description="The agent's name, unique in its cluster.")
    generation: int = strawberry.field(description="The configuration generation it serves.")
    haproxy_version: str = strawberry.field(description="haproxy's version on the node.")
    last_seen: datetime = strawberry.field(description="When it last reported.")

    @classmethod
    def from_model(cls, m: models.LbAgent) -> LoadbalancerAgent:
        return cls(name=m.name, generation=m.generation, haproxy_version=m.haproxy_version, last_seen=m.last_seen)


@strawberry.type(description="haproxy nodes serving the same load balancers; registered by its first agent.")
class LoadbalancerCluster(Node):
    name: str = strawberry.field(description="Unique name (`nimbus agent lb --cluster NAME`).")
    generation: int = strawberry.field(description="The latest configuration generation rendered for it.")
    created_at: datetime = strawberry.field(description="When its first agent registered.")
    pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Its agents.")
    def agents(self, info: NimbusInfo) -> list[LoadbalancerAgent]:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_agents_by_cluster",
            loaders.AgentsByClusterLoader,
            LoadbalancerAgent.from_model,
            self.pk,
            many=True,
        )

    @classmethod
    def from_model(cls, m: models.LbCluster) -> LoadbalancerCluster:
        return cls(
            id=_gid("LoadbalancerCluster", m.id), name=m.name, generation=m.generation, created_at=m.created_at, pk=m.id
        )


@strawberry.type(description="A PEM certificate chain for HTTPS listeners; its private key is never returned.")
class LoadbalancerCertificate(Node):
    name: str = strawberry.field(description="Name, unique in its project.")
    certificate: str = strawberry.field(description="The PEM chain, leaf first.")
    common_name: str = strawberry.field(description="The leaf's subject common name.")
    subject_alt_names: list[str] = strawberry.field(description="The leaf's DNS and IP subject alternative names.")
    fingerprint_sha256: str = strawberry.field(description="SHA-256 fingerprint of the leaf.")
    not_before: datetime = strawberry.field(description="Valid from.")
    not_after: datetime = strawberry.field(description="Expires at.")
    created_at: datetime = strawberry.field(description="Upload time.")
    project_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Whether it has expired.")
    def expired(self) -> bool:
        return self.not_after <= datetime.now(UTC)

    @strawberry.field(description="The owning project.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, m: models.LbCertificate) -> LoadbalancerCertificate:
        return cls(
            id=_gid("LoadbalancerCertificate", m.id),
            name=m.name,
            certificate=m.certificate,
            common_name=m.common_name,
            subject_alt_names=list(m.subject_alt_names),
            fingerprint_sha256=m.fingerprint_sha256,
            not_before=m.not_before,
            not_after=m.not_after,
            created_at=m.created_at,
            project_id=m.project_id,
        )


@strawberry.type(description="A named list of CIDRs that listeners allow or deny.")
class LoadbalancerAcl(Node):
    name: str = strawberry.field(description="Name, unique in its project.")
    cidrs: list[str] = strawberry.field(description="Addresses and networks, CIDR notation.")
    description: str = strawberry.field(description="Free text.")
    created_at: datetime = strawberry.field(description="Creation time.")
    project_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The owning project.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, m: models.LbAcl) -> LoadbalancerAcl:
        return cls(
            id=_gid("LoadbalancerAcl", m.id),
            name=m.name,
            cidrs=list(m.cidrs),
            description=m.description,
            created_at=m.created_at,
            project_id=m.project_id,
        )


@strawberry.type(description="How a backend group probes its backends.")
class HealthCheck:
    type: HealthCheckType = strawberry.field(description="NONE, TCP connect, or an HTTP request.")
    path: str = strawberry.field(description="Path an HTTP check requests.")
    expected_codes: list[int] = strawberry.field(description="Status codes an HTTP check accepts (empty: 2xx and 3xx).")
    interval_ms: int = strawberry.field(description="Time between checks.")
    rise: int = strawberry.field(description="Successes in a row that bring a backend UP.")
    fall: int = strawberry.field(description="Failures in a row that take a backend DOWN.")


@strawberry.type(description="A Nimbus server or an address:port that receives traffic.")
class LoadbalancerBackend(Node):
    address: str = strawberry.field(description="IP address or host name (a server's: its first address).")
    port: int = strawberry.field(description="Port on the backend.")
    weight: int = strawberry.field(description="Share of traffic under weighted schedulers (0 drains it).")
    backup: bool = strawberry.field(description="Used only when every non-backup backend is down.")
    health: BackendHealth = strawberry.field(description="Health reported by the cluster's agents.")
    health_changed_at: datetime | None = strawberry.field(description="When the health last changed.")
    state: LoadbalancerRowState = strawberry.field(description="ACTIVE once the agents serve it.")
    created_at: datetime = strawberry.field(description="Creation time.")
    server_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The Nimbus server behind it, if it is one.")
    def server(self, info: NimbusInfo) -> Server | None:
        return load_converted(
            info.context, "server_by_id", compute_loaders.ServerByIdLoader, Server.from_model, self.server_id
        )  # type: ignore[no-any-return]

    @classmethod
    def from_model(cls, m: models.LbBackend) -> LoadbalancerBackend:
        return cls(
            id=_gid("LoadbalancerBackend", m.id),
            address=m.address,
            port=m.port,
            weight=m.weight,
            backup=m.backup,
            health=m.health,
            health_changed_at=m.health_changed_at,
            state=m.state,
            created_at=m.created_at,
            server_id=m.server_id,
        )


@strawberry.type(description="A pool of backends with its health check.")
class LoadbalancerBackendGroup(Node):
    name: str = strawberry.field(description="Name, unique in its load balancer.")
    state: LoadbalancerRowState = strawberry.field(description="ACTIVE once the agents serve it.")
    health_check: HealthCheck = strawberry.field(description="How its backends are probed.")
    created_at: datetime = strawberry.field(description="Creation time.")
    pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Its backends.")
    def backends(self, info: NimbusInfo) -> list[LoadbalancerBackend]:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_backends_by_group",
            loaders.BackendsByGroupLoader,
            LoadbalancerBackend.from_model,
            self.pk,
            many=True,
        )

    @classmethod
    def from_model(cls, m: models.LbBackendGroup) -> LoadbalancerBackendGroup:
        return cls(
            id=_gid("LoadbalancerBackendGroup", m.id),
            name=m.name,
            state=m.state,
            health_check=HealthCheck(
                type=m.check_type,
                path=m.check_path,
                expected_codes=list(m.check_expected_codes),
                interval_ms=m.check_interval_ms,
                rise=m.check_rise,
                fall=m.check_fall,
            ),
            created_at=m.created_at,
            pk=m.id,
        )


@strawberry.type(description="Requests matching a host and/or path prefix go to a backend group.")
class LoadbalancerListenerRule(Node):
    host: str | None = strawberry.field(description="Host header to match (without port).")
    path: str | None = strawberry.field(description="Path prefix to match.")
    state: LoadbalancerRowState = strawberry.field(description="ACTIVE once the agents serve it.")
    created_at: datetime = strawberry.field(description="Creation time.")
    backend_group_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Where matching requests go.")
    def backend_group(self, info: NimbusInfo) -> LoadbalancerBackendGroup | None:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_group_by_id",
            loaders.BackendGroupByIdLoader,
            LoadbalancerBackendGroup.from_model,
            self.backend_group_id,
        )

    @classmethod
    def from_model(cls, m: models.LbListenerRule) -> LoadbalancerListenerRule:
        return cls(
            id=_gid("LoadbalancerListenerRule", m.id),
            host=m.host,
            path=m.path,
            state=m.state,
            created_at=m.created_at,
            backend_group_id=m.backend_group_id,
        )


@strawberry.type(description="A port on the load balancer's VIP and what is done with what arrives there.")
class LoadbalancerListener(Node):
    name: str = strawberry.field(description="Name.")
    protocol: ListenerProtocol = strawberry.field(description="TCP, HTTP, or HTTPS with TLS terminated here.")
    port: int = strawberry.field(description="Port on the VIP.")
    scheduler: Scheduler = strawberry.field(description="How connections are spread over backends.")
    sticky_cookie: str | None = strawberry.field(description="Cookie that keeps a client on one backend (HTTP).")
    connect_timeout_ms: int = strawberry.field(description="Time to connect to a backend.")
    client_timeout_ms: int = strawberry.field(description="Client inactivity timeout.")
    server_timeout_ms: int = strawberry.field(description="Backend inactivity timeout.")
    x_forwarded_for: bool = strawberry.field(description="Add X-Forwarded-For with the client's address (HTTP).")
    redirect_https: bool = strawberry.field(description="Answer every request with a redirect to HTTPS (HTTP).")
    acl_type: AclType | None = strawberry.field(description="Whether the ACL's addresses are allowed or denied.")
    state: LoadbalancerRowState = strawberry.field(description="ACTIVE once the agents serve it.")
    created_at: datetime = strawberry.field(description="Creation time.")
    pk: strawberry.Private[uuid.UUID]
    backend_group_id: strawberry.Private[uuid.UUID | None]
    certificate_id: strawberry.Private[uuid.UUID | None]
    acl_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Where requests no rule matches go.")
    def backend_group(self, info: NimbusInfo) -> LoadbalancerBackendGroup | None:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_group_by_id",
            loaders.BackendGroupByIdLoader,
            LoadbalancerBackendGroup.from_model,
            self.backend_group_id,
        )

    @strawberry.field(description="The certificate an HTTPS listener presents.")
    def certificate(self, info: NimbusInfo) -> LoadbalancerCertificate | None:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_cert_by_id",
            loaders.CertificateByIdLoader,
            LoadbalancerCertificate.from_model,
            self.certificate_id,
        )

    @strawberry.field(description="The ACL applied to clients' addresses.")
    def acl(self, info: NimbusInfo) -> LoadbalancerAcl | None:
        return load_converted(
            info.context, "lb_acl_by_id", loaders.AclByIdLoader, LoadbalancerAcl.from_model, self.acl_id
        )  # type: ignore[no-any-return]

    @strawberry.field(description="Host and path rules, in the order they are tried.")
    def rules(self, info: NimbusInfo) -> list[LoadbalancerListenerRule]:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_rules_by_listener",
            loaders.RulesByListenerLoader,
            LoadbalancerListenerRule.from_model,
            self.pk,
            many=True,
        )

    @classmethod
    def from_model(cls, m: models.LbListener) -> LoadbalancerListener:
        return cls(
            id=_gid("LoadbalancerListener", m.id),
            name=m.name,
            protocol=m.protocol,
            port=m.port,
            scheduler=m.scheduler,
            sticky_cookie=m.sticky_cookie,
            connect_timeout_ms=m.connect_timeout_ms,
            client_timeout_ms=m.client_timeout_ms,
            server_timeout_ms=m.server_timeout_ms,
            x_forwarded_for=m.x_forwarded_for,
            redirect_https=m.redirect_https,
            acl_type=m.acl_type,
            state=m.state,
            created_at=m.created_at,
            pk=m.id,
            backend_group_id=m.backend_group_id,
            certificate_id=m.certificate_id,
            acl_id=m.acl_id,
        )


@strawberry.type(description="A load balancer: a VIP on a cluster of haproxy nodes, owned by a project.")
class Loadbalancer(Node):
    name: str = strawberry.field(description="Name, unique in its project.")
    description: str = strawberry.field(description="Free text.")
    vip: str = strawberry.field(description="The address its listeners bind (0.0.0.0: every address of the nodes).")
    status: LoadbalancerStatus = strawberry.field(description="Lifecycle state; UPDATING while a change deploys.")
    error: str | None = strawberry.field(description="Why the last change was refused, if it was.")
    created_at: datetime = strawberry.field(description="Creation time.")
    pk: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID]
    network_id: strawberry.Private[uuid.UUID | None]
    cluster_id: strawberry.Private[uuid.UUID]
    task_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The owning project.")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The network the VIP was taken from, if any.")
    def network(self, info: NimbusInfo) -> Network | None:
        return load_converted(  # type: ignore[no-any-return]
            info.context, "network_by_id", compute_loaders.NetworkByIdLoader, Network.from_model, self.network_id
        )

    @strawberry.field(description="The cluster serving it.")
    def cluster(self, info: NimbusInfo) -> LoadbalancerCluster | None:
        return load_converted(  # type: ignore[no-any-return]
            info.context, "lb_cluster_by_id", loaders.ClusterByIdLoader, LoadbalancerCluster.from_model, self.cluster_id
        )

    @strawberry.field(description="Its listeners, by port.")
    def listeners(self, info: NimbusInfo) -> list[LoadbalancerListener]:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_listeners_by_lb",
            loaders.ListenersByLoadbalancerLoader,
            LoadbalancerListener.from_model,
            self.pk,
            many=True,
        )

    @strawberry.field(description="Its backend groups, by name.")
    def backend_groups(self, info: NimbusInfo) -> list[LoadbalancerBackendGroup]:
        return load_converted(  # type: ignore[no-any-return]
            info.context,
            "lb_groups_by_lb",
            loaders.BackendGroupsByLoadbalancerLoader,
            LoadbalancerBackendGroup.from_model,
            self.pk,
            many=True,
        )

    @strawberry.field(description="The task deploying a change now, if any.")
    async def task(self, info: NimbusInfo) -> Task | None:
        found = await task_queries.task(info.context, self.task_id)
        return None if found is None else Task.from_model(found)

    @classmethod
    def from_model(cls, m: models.Loadbalancer) -> Loadbalancer:
        return cls(
            id=_gid("Loadbalancer", m.id),
            name=m.name,
            description=m.description,
            vip=m.vip,
            status=m.status,
            error=m.error,
            created_at=m.created_at,
            pk=m.id,
            project_id=m.project_id,
            network_id=m.network_id,
            cluster_id=m.cluster_id,
            task_id=m.task_id,
        )
