"""A cluster's configuration as haproxy.cfg text, with the certificate and ACL files it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agents.lb.protocol import CheckConf, ClusterConfig, ListenerConf, PoolConf, ServerConf

BALANCE = {
    "ROUND_ROBIN": "roundrobin",
    "WEIGHTED_ROUND_ROBIN": "roundrobin",
    "LEAST_CONN": "leastconn",
    "SOURCE_HASH": "source",
}
# Every haproxy process needs a listener to start; this one also answers the agent's liveness probe.
MONITOR_URI = "/nimbus-lb-health"


@dataclass(frozen=True)
class Rendered:
    config: str
    files: dict[str, str] = field(default_factory=dict)  # path relative to the generation dir -> content


def render(conf: ClusterConfig, generation_dir: Path, state_dir: Path, *, nonlocal_bind: bool = False) -> Rendered:
    """`nonlocal_bind`: VIPs move between nodes (VRRP), so bind them whether held here or not."""
    files: dict[str, str] = {}
    for cert_id, pem in conf["certificates"].items():
        files[f"certs/{cert_id}.pem"] = pem
    for acl_id, cidrs in conf["acls"].items():
        files[f"acls/{acl_id}.lst"] = "".join(f"{c}\n" for c in cidrs)
    lines = _global(conf, state_dir)
    for listener in conf["listeners"]:
        lines += _frontend(listener, generation_dir, nonlocal_bind)
        for pool in listener["pools"]:
            lines += _backend(listener, pool)
    return Rendered("\n".join(lines) + "\n", files)


def _ms(value: int) -> str:
    return f"{value}ms"


def _global(conf: ClusterConfig, state_dir: Path) -> list[str]:
    return [
        f"# Nimbus lb cluster {conf['cluster']}, generation {conf['generation']}: written by the lb agent.",
        "global",
        f"    stats socket {state_dir / 'stats.sock'} mode 600 level admin expose-fd listeners",
        "    maxconn 4096",
        # Old workers finish their connections after a reload, but not for ever.
        "    hard-stop-after 5m",
        "    ssl-default-bind-options ssl-min-ver TLSv1.2",
        "",
        "defaults",
        "    timeout connect 5s",
        "    timeout client 50s",
        "    timeout server 50s",
        "    option redispatch",
        "    retries 3",
        "",
        "frontend nimbus-monitor",
        "    mode http",
        f"    bind unix@{state_dir / 'monitor.sock'} mode 600",
        f"    monitor-uri {MONITOR_URI}",
        "",
    ]


def _mode(listener: ListenerConf) -> str:
    return "tcp" if listener["protocol"] == "TCP" else "http"


def _frontend(listener: ListenerConf, base: Path, nonlocal_bind: bool) -> list[str]:
    bind = f"    bind {listener['address']}:{listener['port']}"
    if nonlocal_bind:
        bind += " transparent"
    if listener["protocol"] == "HTTPS" and listener["certificate_id"]:
        bind += f" ssl crt {base / 'certs' / (listener['certificate_id'] + '.pem')} alpn http/1.1"
    lines = [
        f"frontend l-{listener['id']}",
        f"    mode {_mode(listener)}",
        bind,
        f"    timeout client {_ms(listener['client_timeout_ms'])}",
    ]
    if listener["acl_id"]:
        source = f"src -f {base / 'acls' / (listener['acl_id'] + '.lst')}"
        condition = f"{{ {source} }}" if listener["acl_type"] == "DENY" else f"!{{ {source} }}"
        lines.append(f"    tcp-request connection reject if {condition}")
    if _mode(listener) == "http":
        if listener["x_forwarded_for"]:
            lines.append("    option forwardfor")
        if listener["redirect_https"]:
            lines.append("    http-request redirect scheme https code 301 if !{ ssl_fc }")
        for rule in listener["rules"]:
            conditions = []
            if rule["host"]:
                conditions.append(f"{{ hdr(host),field(1,:) -i {rule['host']} }}")
            if rule["path"]:
                conditions.append(f"{{ path_beg {rule['path']} }}")
            lines.append(f"    use_backend {rule['pool']} if {' '.join(conditions)}")
    if listener["default_pool"]:
        lines.append(f"    default_backend {listener['default_pool']}")
    return [*lines, ""]


def _backend(listener: ListenerConf, pool: PoolConf) -> list[str]:
    lines = [
        f"backend {pool['name']}",
        f"    mode {_mode(listener)}",
        f"    balance {BALANCE[listener['scheduler']]}",
        f"    timeout connect {_ms(listener['connect_timeout_ms'])}",
        f"    timeout server {_ms(listener['server_timeout_ms'])}",
    ]
    sticky = listener["sticky_cookie"] if _mode(listener) == "http" else None
    if sticky:
        lines.append(f"    cookie {sticky} insert indirect nocache")
    lines += _check(pool["check"])
    for server in pool["servers"]:
        lines.append(_server(listener, pool["check"], server, sticky is not None))
    return [*lines, ""]


def _check(check: CheckConf) -> list[str]:
    if check["type"] != "HTTP":
        return []
    lines = [
        "    option httpchk",
        f"    http-check send meth GET uri {check['path']} ver HTTP/1.1 hdr Host nimbus-lb-check",
    ]
    if check["expected_codes"]:
        codes = "|".join(str(c) for c in check["expected_codes"])
        lines.append(f"    http-check expect rstatus ^({codes})$")
    return lines


def _server(listener: ListenerConf, check: CheckConf, server: ServerConf, sticky: bool) -> str:
    weighted = listener["scheduler"] != "ROUND_ROBIN"
    parts = [f"    server {server['id']} {server['address']}:{server['port']}"]
    parts.append(f"weight {server['weight'] if weighted else min(server['weight'], 1)}")
    if server["backup"]:
        parts.append("backup")
    if check["type"] != "NONE":
        parts.append(f"check inter {_ms(check['interval_ms'])} rise {check['rise']} fall {check['fall']}")
    if sticky:
        parts.append(f"cookie {server['id'].replace('-', '')[:12]}")
    return " ".join(parts)
