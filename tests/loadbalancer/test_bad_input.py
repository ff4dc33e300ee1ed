"""Bad input is a typed payload error naming the field, and writes nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient, free_port
from tests.loadbalancer.conftest import (
    ACL_CREATE,
    BACKEND_CREATE,
    CERT_CREATE,
    GROUP_CREATE,
    LB_CREATE,
    LISTENER_CREATE,
    RULE_CREATE,
    LbCloud,
    make_certificate,
    mutate,
)


async def _refused(client: GraphQLClient, document: str, values: dict[str, Any]) -> tuple[str, str]:
    payload = next(iter((await client.ok(document, {"in": values})).values()))
    assert payload.get("task") is None, payload
    assert len(payload["errors"]) == 1, payload
    return payload["errors"][0]["field"], payload["errors"][0]["code"]


async def test_refusals_name_the_field_and_leave_nothing_behind(admin: GraphQLClient, lbcloud: LbCloud) -> None:
    assert await _refused(admin, LB_CREATE, {"name": "x", "vip": "999.1.1.1"}) == ("vip", "INVALID")
    assert await _refused(admin, LB_CREATE, {"name": "bad name!"}) == ("name", "INVALID")
    lb = (await mutate(admin, LB_CREATE, {"name": "edge", "vip": "127.0.0.1"}))["loadbalancer"]["id"]
    assert await _refused(admin, LB_CREATE, {"name": "edge"}) == ("name", "DUPLICATE")

    cert_pem, key_pem = make_certificate()
    _, other_key = make_certificate()
    expired_pem, expired_key = make_certificate(days=0)
    for values, expected in (
        ({"certificate": "not a pem", "privateKey": key_pem}, ("certificate", "BAD_CERTIFICATE")),
        ({"certificate": cert_pem, "privateKey": "nope"}, ("privateKey", "BAD_CERTIFICATE")),
        ({"certificate": cert_pem, "privateKey": other_key}, ("privateKey", "BAD_CERTIFICATE")),
        ({"certificate": expired_pem, "privateKey": expired_key}, ("certificate", "BAD_CERTIFICATE")),
    ):
        assert await _refused(admin, CERT_CREATE, {"name": "c", **values}) == expected
    assert await _refused(admin, ACL_CREATE, {"name": "a", "cidrs": ["10.0.0.0/8", "nonsense"]}) == ("cidrs", "INVALID")

    group = {"loadbalancerId": lb, "name": "g"}
    assert await _refused(admin, GROUP_CREATE, {**group, "healthCheck": {"type": "HTTP", "path": "health"}}) == (
        "checkPath",
        "INVALID",
    )
    assert await _refused(admin, GROUP_CREATE, {**group, "healthCheck": {"expectedCodes": [700]}}) == (
        "checkExpectedCodes",
        "OUT_OF_RANGE",
    )
    gid = (await mutate(admin, GROUP_CREATE, group))["backendGroup"]["id"]
    backend = {"backendGroupId": gid, "port": 80}
    assert await _refused(admin, BACKEND_CREATE, backend) == ("serverId", "REQUIRED")
    assert await _refused(admin, BACKEND_CREATE, {**backend, "address": "-bad-"}) == ("address", "INVALID")
    assert await _refused(admin, BACKEND_CREATE, {**backend, "address": "10.0.0.1", "weight": 300}) == (
        "weight",
        "OUT_OF_RANGE",
    )

    port = free_port()
    listener = {"loadbalancerId": lb, "name": "l", "port": port}
    for values, expected in (
        ({"protocol": "HTTPS"}, ("certificateId", "REQUIRED")),
        ({"protocol": "TCP", "port": 0}, ("port", "OUT_OF_RANGE")),
        ({"protocol": "TCP", "stickyCookie": "S"}, ("stickyCookie", "NOT_ALLOWED")),
        ({"protocol": "HTTP", "stickyCookie": "bad cookie"}, ("stickyCookie", "INVALID")),
        ({"protocol": "TCP", "redirectHttps": True}, ("redirectHttps", "NOT_ALLOWED")),
        ({"protocol": "HTTP", "clientTimeoutMs": 5}, ("clientTimeoutMs", "OUT_OF_RANGE")),
        ({"protocol": "HTTP", "aclType": "DENY"}, ("aclType", "REQUIRED")),
    ):
        assert await _refused(admin, LISTENER_CREATE, {**listener, **values}) == expected, values
    tcp = (await mutate(admin, LISTENER_CREATE, {**listener, "protocol": "TCP", "backendGroupId": gid}))["listener"]
    assert await _refused(admin, LISTENER_CREATE, {**listener, "protocol": "HTTP", "name": "again"}) == (
        "port",
        "DUPLICATE",
    )
    assert await _refused(admin, RULE_CREATE, {"listenerId": tcp["id"], "path": "/", "backendGroupId": gid}) == (
        "listenerId",
        "NOT_ALLOWED",
    )

    # One change at a time per load balancer: a second one while the first deploys is BUSY.
    await mutate(admin, BACKEND_CREATE, {**backend, "address": "127.0.0.1", "port": free_port()}, wait=False)
    assert await _refused(admin, BACKEND_CREATE, {**backend, "address": "127.0.0.1"}) == ("backendGroupId", "BUSY")

    whole = await admin.ok(
        "query($id: ID!) { node(id: $id) { ... on Loadbalancer { listeners { port } "
        "backendGroups { name backends { address } } } } }",
        {"id": lb},
    )
    assert whole["node"]["listeners"] == [{"port": port}]
    assert whole["node"]["backendGroups"] == [{"name": "g", "backends": [{"address": "127.0.0.1"}]}]
    listing = await admin.ok("{ loadbalancerCertificates { totalCount } loadbalancerAcls { totalCount } }")
    assert listing == {"loadbalancerCertificates": {"totalCount": 0}, "loadbalancerAcls": {"totalCount": 0}}
