"""Mutation inputs and list filters of the loadbalancer context."""

from __future__ import annotations

import strawberry

from schema.base import OrderDirection
from schema.identity.enums import NamedOrderField
from schema.loadbalancer.types import AclType, HealthCheckType, ListenerProtocol, LoadbalancerStatus, Scheduler


@strawberry.input(description="Create a load balancer on a cluster.")
class LoadbalancerCreateInput:
    name: str = strawberry.field(description="Name, unique in the project.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; the token's by default.")
    cluster_id: strawberry.ID | None = strawberry.field(
        default=None, description="Cluster to serve it; by default the one whose agents reported last."
    )
    network_id: strawberry.ID | None = strawberry.field(
        default=None, description="Network to take the VIP from (reserved in its address management)."
    )
    vip: str | None = strawberry.field(
        default=None, description="The VIP; from the network when omitted, or 0.0.0.0 (every address) without one."
    )
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Delete a load balancer with everything in it.")
class LoadbalancerDeleteInput:
    id: strawberry.ID = strawberry.field(description="The load balancer.")


@strawberry.input(description="Settings of a listener; in an update, omitted fields keep their value.")
class ListenerSettings:
    name: str | None = strawberry.field(default=None, description="Name.")
    port: int | None = strawberry.field(default=None, description="Port on the VIP (1-65535).")
    scheduler: Scheduler | None = strawberry.field(default=None, description="Default ROUND_ROBIN.")
    backend_group_id: strawberry.ID | None = strawberry.field(
        default=None, description='Where requests no rule matches go; "" removes it.'
    )
    certificate_id: strawberry.ID | None = strawberry.field(
        default=None, description="Certificate an HTTPS listener presents."
    )
    sticky_cookie: str | None = strawberry.field(
        default=None, description='Cookie name that keeps a client on one backend (HTTP, HTTPS); "" turns it off.'
    )
    connect_timeout_ms: int | None = strawberry.field(default=None, description="Default 5000.")
    client_timeout_ms: int | None = strawberry.field(default=None, description="Default 50000.")
    server_timeout_ms: int | None = strawberry.field(default=None, description="Default 50000.")
    x_forwarded_for: bool | None = strawberry.field(default=None, description="Add X-Forwarded-For (HTTP, HTTPS).")
    redirect_https: bool | None = strawberry.field(default=None, description="Redirect every request to HTTPS (HTTP).")
    acl_id: strawberry.ID | None = strawberry.field(
        default=None, description='ACL on clients\' addresses; "" removes it.'
    )
    acl_type: AclType | None = strawberry.field(default=None, description="ALLOW only, or DENY, the ACL's addresses.")


@strawberry.input(description="Add a listener to a load balancer.")
class LoadbalancerListenerCreateInput(ListenerSettings):
    loadbalancer_id: strawberry.ID = strawberry.field(description="The load balancer.")
    protocol: ListenerProtocol = strawberry.field(description="TCP, HTTP or HTTPS.")


@strawberry.input(description="Change a listener.")
class LoadbalancerListenerUpdateInput(ListenerSettings):
    id: strawberry.ID = strawberry.field(description="The listener.")


@strawberry.input(description="Remove a configuration object by id.")
class LoadbalancerPartDeleteInput:
    id: strawberry.ID = strawberry.field(description="The object.")


@strawberry.input(description="Remove a listener.")
class LoadbalancerListenerDeleteInput(LoadbalancerPartDeleteInput):
    pass


@strawberry.input(description="Remove a listener rule.")
class LoadbalancerListenerRuleDeleteInput(LoadbalancerPartDeleteInput):
    pass


@strawberry.input(description="Remove a backend group.")
class LoadbalancerBackendGroupDeleteInput(LoadbalancerPartDeleteInput):
    pass


@strawberry.input(description="Remove a backend.")
class LoadbalancerBackendDeleteInput(LoadbalancerPartDeleteInput):
    pass


@strawberry.input(description="Route requests for a host and/or path prefix to a backend group.")
class LoadbalancerListenerRuleCreateInput:
    listener_id: strawberry.ID = strawberry.field(description="An HTTP or HTTPS listener.")
    host: str | None = strawberry.field(default=None, description="Host header to match.")
    path: str | None = strawberry.field(default=None, description="Path prefix to match.")
    backend_group_id: strawberry.ID = strawberry.field(description="Where matching requests go.")


@strawberry.input(description="A health check; omitted fields keep their value (or the default).")
class HealthCheckInput:
    type: HealthCheckType | None = strawberry.field(default=None, description="Default TCP.")
    path: str | None = strawberry.field(default=None, description="Path of an HTTP check (default /).")
    expected_codes: list[int] | None = strawberry.field(
        default=None, description="Status codes an HTTP check accepts (default: 2xx and 3xx)."
    )
    interval_ms: int | None = strawberry.field(default=None, description="Default 2000.")
    rise: int | None = strawberry.field(default=None, description="Default 2.")
    fall: int | None = strawberry.field(default=None, description="Default 3.")

    def values(self) -> dict[str, object]:
        return {
            "check_type": self.type,
            "check_path": self.path,
            "check_expected_codes": self.expected_codes,
            "check_interval_ms": self.interval_ms,
            "check_rise": self.rise,
            "check_fall": self.fall,
        }


@strawberry.input(description="Create a backend group.")
class LoadbalancerBackendGroupCreateInput:
    loadbalancer_id: strawberry.ID = strawberry.field(description="The load balancer.")
    name: str = strawberry.field(description="Name, unique in the load balancer.")
    health_check: HealthCheckInput | None = strawberry.field(default=None, description="Default: TCP every 2 s.")


@strawberry.input(description="Change a backend group's health check.")
class LoadbalancerBackendGroupUpdateInput:
    id: strawberry.ID = strawberry.field(description="The backend group.")
    health_check: HealthCheckInput = strawberry.field(description="The fields to change.")


@strawberry.input(description="Add a backend: a Nimbus server, or an address.")
class LoadbalancerBackendCreateInput:
    backend_group_id: strawberry.ID = strawberry.field(description="The backend group.")
    server_id: strawberry.ID | None = strawberry.field(default=None, description="A server of the same project.")
    address: str | None = strawberry.field(default=None, description="An IP address or host name.")
    port: int = strawberry.field(description="Port on the backend.")
    weight: int = strawberry.field(default=1, description="0-256; used by weighted schedulers.")
    backup: bool = strawberry.field(default=False, description="Only used when every other backend is down.")


@strawberry.input(description="Change a backend.")
class LoadbalancerBackendUpdateInput:
    id: strawberry.ID = strawberry.field(description="The backend.")
    port: int | None = strawberry.field(default=None, description="Port on the backend.")
    weight: int | None = strawberry.field(default=None, description="0-256.")
    backup: bool | None = strawberry.field(default=None, description="Backup role.")


@strawberry.input(description="Upload a certificate chain and its private key (PEM).")
class LoadbalancerCertificateCreateInput:
    name: str = strawberry.field(description="Name, unique in the project.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; the token's by default.")
    certificate: str = strawberry.field(description="PEM certificates, leaf first.")
    private_key: str = strawberry.field(description="The leaf's unencrypted PEM private key; stored encrypted.")


@strawberry.input(description="Delete a certificate no listener uses.")
class LoadbalancerCertificateDeleteInput:
    id: strawberry.ID = strawberry.field(description="The certificate.")


@strawberry.input(description="Create an ACL.")
class LoadbalancerAclCreateInput:
    name: str = strawberry.field(description="Name, unique in the project.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; the token's by default.")
    cidrs: list[str] = strawberry.field(description="Addresses and networks (CIDR notation), at most 1000.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Delete an ACL no listener uses.")
class LoadbalancerAclDeleteInput:
    id: strawberry.ID = strawberry.field(description="The ACL.")


@strawberry.input(description="Filter load balancers.")
class LoadbalancerFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Substring of the name.")
    status: LoadbalancerStatus | None = strawberry.field(default=None, description="Only this status.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")
    cluster_id: strawberry.ID | None = strawberry.field(default=None, description="Only on this cluster.")


@strawberry.input(description="Filter certificates or ACLs.")
class LoadbalancerOwnedFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")


@strawberry.input(description="Filter clusters.")
class LoadbalancerClusterFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")


@strawberry.input(description="Sort order of load balancer objects.")
class LoadbalancerOrder:
    field: NamedOrderField = strawberry.field(default=NamedOrderField.CREATED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")
