"""Every feature the renderer knows produces configuration haproxy itself accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.lb.haproxy import Haproxy, HaproxyError
from agents.lb.protocol import ClusterConfig, ListenerConf, PoolConf
from agents.lb.render import render
from tests.loadbalancer.conftest import make_certificate


def _pool(name: str, check: str) -> PoolConf:
    return {
        "name": name,
        "group_id": "g",
        "check": {
            "type": check,
            "path": "/health",
            "expected_codes": [200, 204],
            "interval_ms": 500,
            "rise": 2,
            "fall": 3,
        },
        "servers": [
            {
                "id": "11111111-0000-0000-0000-000000000001",
                "address": "127.0.0.1",
                "port": 8081,
                "weight": 3,
                "backup": False,
            },
            {
                "id": "11111111-0000-0000-0000-000000000002",
                "address": "127.0.0.1",
                "port": 8082,
                "weight": 1,
                "backup": True,
            },
        ],
    }


def _listener(n: int, protocol: str, scheduler: str, **extra: object) -> ListenerConf:
    base: ListenerConf = {
        "id": f"l{n}",
        "loadbalancer_id": "lb",
        "protocol": protocol,
        "address": "127.0.0.1",
        "port": 20000 + n,
        "scheduler": scheduler,
        "certificate_id": None,
        "sticky_cookie": None,
        "connect_timeout_ms": 1000,
        "client_timeout_ms": 2000,
        "server_timeout_ms": 3000,
        "x_forwarded_for": False,
        "redirect_https": False,
        "acl_id": None,
        "acl_type": None,
        "default_pool": f"p-{n}-a",
        "rules": [],
        "pools": [_pool(f"p-{n}-a", "HTTP" if protocol != "TCP" else "TCP")],
    }
    return {**base, **extra}  # type: ignore[typeddict-item]


def _config() -> ClusterConfig:
    cert, key = make_certificate()
    return {
        "cluster": "c",
        "generation": 7,
        "certificates": {"cert1": cert + key},
        "acls": {"acl1": ["10.0.0.0/8", "192.168.1.1/32"]},
        "listeners": [
            _listener(1, "TCP", "LEAST_CONN", acl_id="acl1", acl_type="ALLOW"),
            _listener(
                2, "HTTP", "WEIGHTED_ROUND_ROBIN", sticky_cookie="SRV", x_forwarded_for=True, redirect_https=True
            ),
            _listener(
                3,
                "HTTPS",
                "SOURCE_HASH",
                certificate_id="cert1",
                acl_id="acl1",
                acl_type="DENY",
                rules=[{"id": "r", "host": "api.example", "path": "/v1", "pool": "p-3-b"}],
                pools=[_pool("p-3-a", "NONE"), _pool("p-3-b", "HTTP")],
                default_pool="p-3-a",
            ),
        ],
    }


def test_rendered_configuration_passes_haproxy_check(tmp_path: Path) -> None:
    rendered = render(_config(), tmp_path / "gen", tmp_path)
    for rel, content in rendered.files.items():
        (tmp_path / "gen" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "gen" / rel).write_text(content)
    (tmp_path / "gen" / "haproxy.cfg").write_text(rendered.config)
    Haproxy(tmp_path).validate(tmp_path / "gen" / "haproxy.cfg")
    assert "balance leastconn" in rendered.config
    assert "tcp-request connection reject if !{ src -f" in rendered.config
    assert "cookie SRV insert indirect nocache" in rendered.config
    assert "http-check expect rstatus ^(200|204)$" in rendered.config
    assert "use_backend p-3-b if { hdr(host),field(1,:) -i api.example } { path_beg /v1 }" in rendered.config


def test_haproxys_reason_is_kept(tmp_path: Path) -> None:
    conf = _config()
    conf["listeners"][0]["pools"][0]["servers"][0]["address"] = "nope.invalid"
    rendered = render(conf, tmp_path, tmp_path)
    for rel, content in rendered.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content)
    (tmp_path / "haproxy.cfg").write_text(rendered.config)
    with pytest.raises(HaproxyError, match=r"could not resolve address 'nope\.invalid'"):
        Haproxy(tmp_path).validate(tmp_path / "haproxy.cfg")
