"""The Nimbus GraphQL schema: the union of every context's queries, mutations and subscriptions."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import AddValidationRules, ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig

from schema.audit.queries import AuditQuery, AuditSubscription
from schema.baremetal.queries import BaremetalMutation, BaremetalQuery
from schema.cloud.queries import CloudMutation, CloudQuery
from schema.compute.disks import DiskMutation, DiskQuery
from schema.compute.migration import MigrationMutation
from schema.compute.queries import ComputeMutation, ComputeQuery, TaskSubscription
from schema.compute.scheduler import SchedulerMutation, SchedulerQuery
from schema.compute.snapshots import SnapshotMutation, SnapshotQuery
from schema.errors import ErrorCodes
from schema.identity.mutations import IdentityMutation
from schema.identity.providers import ProviderMutation, ProviderQuery
from schema.identity.queries import IdentityQuery
from schema.identity.quotas import QuotaMutation, QuotaQuery
from schema.image.queries import ImageMutation, ImageQuery
from schema.image.types import BYTE_COUNT, ByteCount
from schema.limits import limit_extensions, static_limit_rules
from schema.loadbalancer.queries import LoadbalancerMutation, LoadbalancerQuery
from schema.node import NodeQuery
from schema.vmware.queries import VmwareMutation, VmwareQuery


@strawberry.type(description="Read the platform.")
class Query(
    NodeQuery,
    IdentityQuery,
    ProviderQuery,
    QuotaQuery,
    ComputeQuery,
    DiskQuery,
    SchedulerQuery,
    ImageQuery,
    AuditQuery,
    LoadbalancerQuery,
    SnapshotQuery,
    VmwareQuery,
    CloudQuery,
    BaremetalQuery,
):
    pass


@strawberry.type(description="Change the platform; every mutation is authorized and audited.")
class Mutation(
    IdentityMutation,
    ProviderMutation,
    QuotaMutation,
    ComputeMutation,
    DiskMutation,
    MigrationMutation,
    SchedulerMutation,
    ImageMutation,
    LoadbalancerMutation,
    SnapshotMutation,
    VmwareMutation,
    CloudMutation,
    BaremetalMutation,
):
    pass


@strawberry.type(description="Follow the platform live.")
class Subscription(AuditSubscription, TaskSubscription):
    pass


def build_schema(
    *, max_depth: int = 15, max_aliases: int = 30, max_tokens: int = 2000, max_cost: int = 10_000
) -> strawberry.Schema:
    rules = static_limit_rules(max_depth=max_depth, max_aliases=max_aliases)
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        *limit_extensions(max_tokens=max_tokens, max_cost=max_cost),
        ErrorCodes,
        # Clients send the same documents over and over: parse and validate each once.
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map={ByteCount: BYTE_COUNT}),
    )
