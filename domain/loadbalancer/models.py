"""SQLAlchemy models of the loadbalancer context.

A load balancer lives on a cluster of lb agents (haproxy nodes). Its listeners, rules, backend
groups and backends carry a `state` so that a change can be rendered before it is known to be
good, and undone if the agents refuse it: a CREATING row disappears, an UPDATING row gets its
previous values back, a DELETING row becomes ACTIVE again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, IdMixin, UTCDateTime, utcnow
from domain.identity.access import Visibility
from domain.scoping import ProjectOwned

NAME_MAX = 64


def _enum(cls: type[StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=24)


class LoadbalancerStatus(StrEnum):
    CREATING = "CREATING"
    ACTIVE = "ACTIVE"
    UPDATING = "UPDATING"
    DELETING = "DELETING"
    ERROR = "ERROR"


class RowState(StrEnum):
    """Where a configuration row is relative to what the agents serve."""

    CREATING = "CREATING"
    ACTIVE = "ACTIVE"
    UPDATING = "UPDATING"
    DELETING = "DELETING"


class ListenerProtocol(StrEnum):
    TCP = "TCP"
    HTTP = "HTTP"
    HTTPS = "HTTPS"


class Scheduler(StrEnum):
    ROUND_ROBIN = "ROUND_ROBIN"
    WEIGHTED_ROUND_ROBIN = "WEIGHTED_ROUND_ROBIN"
    LEAST_CONN = "LEAST_CONN"
    SOURCE_HASH = "SOURCE_HASH"


class AclType(StrEnum):
    ALLOW = "ALLOW"
    DENY = "DENY"


class HealthCheckType(StrEnum):
    NONE = "NONE"
    TCP = "TCP"
    HTTP = "HTTP"


class BackendHealth(StrEnum):
    UNKNOWN = "UNKNOWN"
    UP = "UP"
    DOWN = "DOWN"
    NO_CHECK = "NO_CHECK"
    MAINTENANCE = "MAINTENANCE"


class LbCluster(IdMixin, Base):
    """A set of lb agents serving the same configuration; registered by its first agent."""

    __tablename__ = "lb_cluster"
    __scope_context__: ClassVar[str] = "loadbalancer"
    __scope_label__: ClassVar[str] = "cluster"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    # Bumped, under the row's lock, every time a configuration is rendered: agents ignore
    # configurations older than the one they serve, so jobs arriving out of order are harmless.
    generation: Mapped[int] = mapped_column(Integer, default=0)

    @classmethod
    def visible_where(cls, vis: Visibility, user_id: uuid.UUID) -> ColumnElement[bool]:
        return true()

    def scope_ref(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        return None, None


class LbAgent(IdMixin, Base):
    """One haproxy node of a cluster, as its reports describe it."""

    __tablename__ = "lb_agent"
    __table_args__ = (UniqueConstraint("cluster_id", "name"),)

    cluster_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lb_cluster.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    generation: Mapped[int] = mapped_column(Integer, default=0)
    haproxy_version: Mapped[str] = mapped_column(String(64), default="")
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _ProjectOwned(ProjectOwned):
    __scope_context__: ClassVar[str] = "loadbalancer"


class _LoadbalancerPart(_ProjectOwned):
    """Rows inside a load balancer: read and changed with the load balancer's permissions."""

    __permission_prefix__: ClassVar[str] = "loadbalancer.loadbalancer"
    loadbalancer_id: Mapped[uuid.UUID]
    state: Mapped[RowState]


class Loadbalancer(_ProjectOwned, IdMixin, Base):
    __tablename__ = "lb_loadbalancer"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    __scope_label__: ClassVar[str] = "loadbalancer"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    cluster_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lb_cluster.id"), index=True)
    network_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("compute_network.id"), nullable=True, index=True)
    vip: Mapped[str] = mapped_column(String(39))
    # The IPAM row holding the VIP when it came from a network (keyed like a NIC's).
    vip_allocation_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    status: Mapped[LoadbalancerStatus] = mapped_column(
        _enum(LoadbalancerStatus, "lb_status"), default=LoadbalancerStatus.CREATING, index=True
    )
    # The task holding the load balancer's lock: one configuration change at a time.
    task_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LbCertificate(_ProjectOwned, IdMixin, Base):
    """A PEM chain and its key; the key is stored encrypted and never leaves through the API."""

    __tablename__ = "lb_certificate"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    __scope_label__: ClassVar[str] = "certificate"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    certificate: Mapped[str] = mapped_column(Text)
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    common_name: Mapped[str] = mapped_column(String(256), default="")
    subject_alt_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    fingerprint_sha256: Mapped[str] = mapped_column(String(95))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())


class LbAcl(_ProjectOwned, IdMixin, Base):
    """A named list of CIDRs that listeners allow or deny."""

    __tablename__ = "lb_acl"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    __scope_label__: ClassVar[str] = "acl"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    cidrs: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")


class LbBackendGroup(_LoadbalancerPart, IdMixin, Base):
    __tablename__ = "lb_backend_group"
    __table_args__ = (UniqueConstraint("loadbalancer_id", "name"),)
    __scope_label__: ClassVar[str] = "backend_group"

    loadbalancer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lb_loadbalancer.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    state: Mapped[RowState] = mapped_column(_enum(RowState, "lb_row_state"), default=RowState.CREATING)
    check_type: Mapped[HealthCheckType] = mapped_column(
        _enum(HealthCheckType, "lb_check_type"), default=HealthCheckType.TCP
    )
    check_path: Mapped[str] = mapped_column(String(256), default="/")
    check_expected_codes: Mapped[list[int]] = mapped_column(JSON, default=list)
    check_interval_ms: Mapped[int] = mapped_column(Integer, default=2000)
    check_rise: Mapped[int] = mapped_column(Integer, default=2)
    check_fall: Mapped[int] = mapped_column(Integer, default=3)


class LbBackend(_LoadbalancerPart, IdMixin, Base):
    """A Nimbus server or an address:port in a backend group."""

    __tablename__ = "lb_backend"
    __scope_label__: ClassVar[str] = "backend"

    backend_group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lb_backend_group.id", ondelete="CASCADE"), index=True
    )
    loadbalancer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    state: Mapped[RowState] = mapped_column(_enum(RowState, "lb_row_state"), default=RowState.CREATING)
    server_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("compute_server.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # For a server backend, its address when the backend was added (the server's first NIC).
    address: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    backup: Mapped[bool] = mapped_column(Boolean, default=False)
    health: Mapped[BackendHealth] = mapped_column(
        _enum(BackendHealth, "lb_backend_health"), default=BackendHealth.UNKNOWN
    )
    health_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LbListener(_LoadbalancerPart, IdMixin, Base):
    __tablename__ = "lb_listener"
    __table_args__ = (UniqueConstraint("loadbalancer_id", "port"),)
    __scope_label__: ClassVar[str] = "listener"

    loadbalancer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lb_loadbalancer.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    state: Mapped[RowState] = mapped_column(_enum(RowState, "lb_row_state"), default=RowState.CREATING)
    protocol: Mapped[ListenerProtocol] = mapped_column(_enum(ListenerProtocol, "lb_protocol"))
    port: Mapped[int] = mapped_column(Integer)
    scheduler: Mapped[Scheduler] = mapped_column(_enum(Scheduler, "lb_scheduler"), default=Scheduler.ROUND_ROBIN)
    backend_group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lb_backend_group.id"), nullable=True, index=True
    )
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lb_certificate.id"), nullable=True, index=True)
    sticky_cookie: Mapped[str | None] = mapped_column(String(64), nullable=True)
    connect_timeout_ms: Mapped[int] = mapped_column(Integer, default=5000)
    client_timeout_ms: Mapped[int] = mapped_column(Integer, default=50000)
    server_timeout_ms: Mapped[int] = mapped_column(Integer, default=50000)
    x_forwarded_for: Mapped[bool] = mapped_column(Boolean, default=False)
    redirect_https: Mapped[bool] = mapped_column(Boolean, default=False)
    acl_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lb_acl.id"), nullable=True, index=True)
    acl_type: Mapped[AclType | None] = mapped_column(_enum(AclType, "lb_acl_type"), nullable=True)


class LbListenerRule(_LoadbalancerPart, IdMixin, Base):
    """Route requests whose Host and/or path match to a backend group (HTTP and HTTPS listeners)."""

    __tablename__ = "lb_listener_rule"
    __scope_label__: ClassVar[str] = "listener_rule"

    listener_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lb_listener.id", ondelete="CASCADE"), index=True)
    loadbalancer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(index=True)
    state: Mapped[RowState] = mapped_column(_enum(RowState, "lb_row_state"), default=RowState.CREATING)
    host: Mapped[str | None] = mapped_column(String(253), nullable=True)
    path: Mapped[str | None] = mapped_column(String(256), nullable=True)
    backend_group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lb_backend_group.id"), index=True)


PARTS: dict[str, type[Any]] = {
    "listener": LbListener,
    "listener_rule": LbListenerRule,
    "backend_group": LbBackendGroup,
    "backend": LbBackend,
}
