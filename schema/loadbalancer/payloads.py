"""Mutation payloads of the loadbalancer context."""

from __future__ import annotations

import strawberry

from schema.loadbalancer.types import (
    Loadbalancer,
    LoadbalancerAcl,
    LoadbalancerBackend,
    LoadbalancerBackendGroup,
    LoadbalancerCertificate,
    LoadbalancerError,
    LoadbalancerListener,
    LoadbalancerListenerRule,
)
from schema.task.types import Task

_TASK = "The task deploying the change; follow it with taskUpdated."
_ERRORS = "Why it was refused."


@strawberry.type(description="Result of loadbalancerCreate.")
class LoadbalancerCreatePayload:
    loadbalancer: Loadbalancer | None = strawberry.field(default=None, description="The load balancer (CREATING).")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerDelete.")
class LoadbalancerDeletePayload:
    loadbalancer: Loadbalancer | None = strawberry.field(default=None, description="The load balancer (DELETING).")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerListenerCreate.")
class LoadbalancerListenerCreatePayload:
    listener: LoadbalancerListener | None = strawberry.field(default=None, description="The listener.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerListenerUpdate.")
class LoadbalancerListenerUpdatePayload:
    listener: LoadbalancerListener | None = strawberry.field(default=None, description="The listener.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerListenerRuleCreate.")
class LoadbalancerListenerRuleCreatePayload:
    rule: LoadbalancerListenerRule | None = strawberry.field(default=None, description="The rule.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerBackendGroupCreate.")
class LoadbalancerBackendGroupCreatePayload:
    backend_group: LoadbalancerBackendGroup | None = strawberry.field(default=None, description="The group.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerBackendGroupUpdate.")
class LoadbalancerBackendGroupUpdatePayload:
    backend_group: LoadbalancerBackendGroup | None = strawberry.field(default=None, description="The group.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerBackendCreate.")
class LoadbalancerBackendCreatePayload:
    backend: LoadbalancerBackend | None = strawberry.field(default=None, description="The backend.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerBackendUpdate.")
class LoadbalancerBackendUpdatePayload:
    backend: LoadbalancerBackend | None = strawberry.field(default=None, description="The backend.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of removing a listener, rule, backend group or backend.")
class LoadbalancerPartDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the object being removed.")
    task: Task | None = strawberry.field(default=None, description=_TASK)
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerListenerDelete.")
class LoadbalancerListenerDeletePayload(LoadbalancerPartDeletePayload):
    pass


@strawberry.type(description="Result of loadbalancerListenerRuleDelete.")
class LoadbalancerListenerRuleDeletePayload(LoadbalancerPartDeletePayload):
    pass


@strawberry.type(description="Result of loadbalancerBackendGroupDelete.")
class LoadbalancerBackendGroupDeletePayload(LoadbalancerPartDeletePayload):
    pass


@strawberry.type(description="Result of loadbalancerBackendDelete.")
class LoadbalancerBackendDeletePayload(LoadbalancerPartDeletePayload):
    pass


@strawberry.type(description="Result of loadbalancerCertificateCreate.")
class LoadbalancerCertificateCreatePayload:
    certificate: LoadbalancerCertificate | None = strawberry.field(default=None, description="The certificate.")
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerCertificateDelete.")
class LoadbalancerCertificateDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted certificate.")
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerAclCreate.")
class LoadbalancerAclCreatePayload:
    acl: LoadbalancerAcl | None = strawberry.field(default=None, description="The ACL.")
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)


@strawberry.type(description="Result of loadbalancerAclDelete.")
class LoadbalancerAclDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted ACL.")
    errors: list[LoadbalancerError] = strawberry.field(default_factory=list, description=_ERRORS)
