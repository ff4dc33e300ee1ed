"""Job payloads between the controller (workers/) and lb agents, shared by both sides.

The configuration travels as plain dicts (TypedDicts), so arq pickles builtins only and an
agent of another version can still read what it understands.
"""

from __future__ import annotations

from typing import TypedDict


def queue_name(prefix: str, cluster: str, agent: str) -> str:
    """The arq queue one lb agent listens on (`nimbus:agent:lb:<cluster>.<agent>` by default)."""
    return f"{prefix}:{agent_queue_suffix(cluster, agent)}"


def agent_queue_suffix(cluster: str, agent: str) -> str:
    return f"agent:lb:{cluster}.{agent}"


def controller_queue(prefix: str) -> str:
    return f"{prefix}:worker"


# Functions an agent calls on the controller's queue.
RUN_STAGE = "run_stage"
LB_AGENT_REPORT = "lb_agent_report"
# The function the controller calls on an agent's queue.
APPLY_CONFIG = "apply_config"
# The reply stage of a configuration pushed without a task (an agent catching up).
NO_REPLY = "cleanup"


class CheckConf(TypedDict):
    type: str  # NONE, TCP or HTTP
    path: str
    expected_codes: list[int]
    interval_ms: int
    rise: int
    fall: int


class ServerConf(TypedDict):
    id: str  # the backend's uuid: the haproxy server name, and the key health is reported by
    address: str
    port: int
    weight: int
    backup: bool


class PoolConf(TypedDict):
    """A backend group as one listener uses it (the scheduler and stickiness are the listener's)."""

    name: str
    group_id: str
    check: CheckConf
    servers: list[ServerConf]


class RuleConf(TypedDict):
    id: str
    host: str | None
    path: str | None
    pool: str


class ListenerConf(TypedDict):
    id: str
    loadbalancer_id: str
    protocol: str  # TCP, HTTP or HTTPS
    address: str
    port: int
    scheduler: str
    certificate_id: str | None
    sticky_cookie: str | None
    connect_timeout_ms: int
    client_timeout_ms: int
    server_timeout_ms: int
    x_forwarded_for: bool
    redirect_https: bool
    acl_id: str | None
    acl_type: str | None  # ALLOW or DENY
    default_pool: str | None
    rules: list[RuleConf]
    pools: list[PoolConf]


class ClusterConfig(TypedDict):
    cluster: str
    generation: int
    listeners: list[ListenerConf]
    certificates: dict[str, str]  # id -> PEM chain followed by the key
    acls: dict[str, list[str]]  # id -> CIDRs


class BackendHealthReport(TypedDict):
    id: str
    status: str  # UP, DOWN, NO_CHECK, MAINTENANCE, UNKNOWN


class AgentReport(TypedDict):
    cluster: str
    agent: str
    generation: int
    haproxy_version: str
    backends: list[BackendHealthReport]


def empty_config(cluster: str) -> ClusterConfig:
    return {"cluster": cluster, "generation": 0, "listeners": [], "certificates": {}, "acls": {}}
