"""Tenants see and touch only their own load balancers, certificates, ACLs and the tasks changing them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.compute.test_compute_isolation import tenant
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

MUTATIONS: dict[str, tuple[str, str]] = {
    # mutation -> (input type, the field naming the other tenant's object)
    "loadbalancerDelete": ("LoadbalancerDeleteInput", "id"),
    "loadbalancerListenerUpdate": ("LoadbalancerListenerUpdateInput", "id"),
    "loadbalancerListenerDelete": ("LoadbalancerListenerDeleteInput", "id"),
    "loadbalancerListenerRuleDelete": ("LoadbalancerListenerRuleDeleteInput", "id"),
    "loadbalancerBackendGroupUpdate": ("LoadbalancerBackendGroupUpdateInput", "id"),
    "loadbalancerBackendGroupDelete": ("LoadbalancerBackendGroupDeleteInput", "id"),
    "loadbalancerBackendUpdate": ("LoadbalancerBackendUpdateInput", "id"),
    "loadbalancerBackendDelete": ("LoadbalancerBackendDeleteInput", "id"),
    "loadbalancerCertificateDelete": ("LoadbalancerCertificateDeleteInput", "id"),
    "loadbalancerAclDelete": ("LoadbalancerAclDeleteInput", "id"),
    "loadbalancerListenerCreate": ("LoadbalancerListenerCreateInput", "loadbalancerId"),
    "loadbalancerBackendGroupCreate": ("LoadbalancerBackendGroupCreateInput", "loadbalancerId"),
    "loadbalancerBackendCreate": ("LoadbalancerBackendCreateInput", "backendGroupId"),
    "loadbalancerListenerRuleCreate": ("LoadbalancerListenerRuleCreateInput", "listenerId"),
}


async def _blue_objects(blue: GraphQLClient) -> dict[str, str]:
    lb = (await mutate(blue, LB_CREATE, {"name": "shop", "vip": "127.0.0.1"}))["loadbalancer"]["id"]
    group = (await mutate(blue, GROUP_CREATE, {"loadbalancerId": lb, "name": "web"}))["backendGroup"]["id"]
    backend = (await mutate(blue, BACKEND_CREATE, {"backendGroupId": group, "address": "127.0.0.1", "port": 9}))[
        "backend"
    ]["id"]
    cert_pem, key_pem = make_certificate()
    cert = (await mutate(blue, CERT_CREATE, {"name": "c", "certificate": cert_pem, "privateKey": key_pem}))[
        "certificate"
    ]["id"]
    acl = (await mutate(blue, ACL_CREATE, {"name": "office", "cidrs": ["10.0.0.0/8"]}))["acl"]["id"]
    listener = (
        await mutate(
            blue,
            LISTENER_CREATE,
            {"loadbalancerId": lb, "name": "h", "protocol": "HTTP", "port": free_port(), "backendGroupId": group},
        )
    )["listener"]["id"]
    rule = (await mutate(blue, RULE_CREATE, {"listenerId": listener, "path": "/a", "backendGroupId": group}))["rule"][
        "id"
    ]
    return {"lb": lb, "group": group, "backend": backend, "cert": cert, "acl": acl, "listener": listener, "rule": rule}


def _input(mutation: str, field: str, objects: dict[str, str], value: str) -> dict[str, Any]:
    base: dict[str, Any] = {field: value}
    if mutation == "loadbalancerListenerCreate":
        base |= {"name": "x", "protocol": "HTTP", "port": 8080}
    elif mutation == "loadbalancerBackendGroupCreate":
        base |= {"name": "x"}
    elif mutation == "loadbalancerBackendCreate":
        base |= {"address": "127.0.0.1", "port": 80}
    elif mutation == "loadbalancerListenerRuleCreate":
        base |= {"path": "/", "backendGroupId": objects["group"]}
    elif mutation == "loadbalancerBackendGroupUpdate":
        base |= {"healthCheck": {"rise": 3}}
    return base


def _target(mutation: str, field: str, objects: dict[str, str]) -> str:
    if field != "id":
        return {"loadbalancerId": objects["lb"], "backendGroupId": objects["group"], "listenerId": objects["listener"]}[
            field
        ]
    for key, word in (
        ("rule", "Rule"),
        ("listener", "Listener"),
        ("group", "Group"),
        ("backend", "Backend"),
        ("cert", "Certificate"),
        ("acl", "Acl"),
    ):
        if word in mutation:
            return objects[key]
    return objects["lb"]


@pytest.fixture
async def tenants(admin: GraphQLClient, gql: GraphQLClient, lbcloud: LbCloud) -> tuple[GraphQLClient, GraphQLClient]:
    return await tenant(admin, gql, "blue", "bob"), await tenant(admin, gql, "red", "rita")


async def test_lists_and_nodes_are_private_to_their_project(tenants: tuple[GraphQLClient, GraphQLClient]) -> None:
    blue, red = tenants
    objects = await _blue_objects(blue)
    counts = "{ loadbalancers { totalCount } loadbalancerCertificates { totalCount } loadbalancerAcls { totalCount } tasks { totalCount } }"
    assert await red.ok(counts) == {
        "loadbalancers": {"totalCount": 0},
        "loadbalancerCertificates": {"totalCount": 0},
        "loadbalancerAcls": {"totalCount": 0},
        "tasks": {"totalCount": 0},
    }
    mine = await blue.ok(counts)
    assert mine["loadbalancers"]["totalCount"] == 1
    assert mine["tasks"]["totalCount"] == 5
    for name, obj_id in objects.items():
        assert (await red.ok("query($id: ID!) { node(id: $id) { id } }", {"id": obj_id}))["node"] is None, name
        assert (await blue.ok("query($id: ID!) { node(id: $id) { id } }", {"id": obj_id}))["node"] == {"id": obj_id}
    # Clusters are shared infrastructure: every tenant may choose one.
    clusters = await red.ok("{ loadbalancerClusters { edges { node { name agents { name } } } } }")
    assert clusters["loadbalancerClusters"]["edges"][0]["node"]["name"] == "c1"


async def test_every_mutation_refuses_another_tenants_objects(
    admin: GraphQLClient, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    blue, red = tenants
    objects = await _blue_objects(blue)
    for mutation, (input_type, field) in sorted(MUTATIONS.items()):
        document = f"mutation($in: {input_type}!) {{ {mutation}(input: $in) {{ errors {{ field code }} }} }}"
        values = _input(mutation, field, objects, _target(mutation, field, objects))
        refused = (await red.ok(document, {"in": values}))[mutation]
        assert refused["errors"] == [{"field": field, "code": "NOT_FOUND"}], (mutation, refused)
        audit = await admin.ok(
            "query($op: String!) { auditEvents(first: 1, filter: {operation: $op}) "
            "{ edges { node { outcome actorName errorCode } } } }",
            {"op": mutation},
        )
        assert audit["auditEvents"]["edges"][0]["node"] == {
            "outcome": "FAILURE",
            "actorName": "rita",
            "errorCode": "NOT_FOUND",
        }, mutation
    # Nothing of blue's changed: the load balancer is idle and whole.
    whole = await blue.ok(
        "query($id: ID!) { node(id: $id) { ... on Loadbalancer { status listeners { id } backendGroups { id } } } }",
        {"id": objects["lb"]},
    )
    assert whole["node"] == {
        "status": "ACTIVE",
        "listeners": [{"id": objects["listener"]}],
        "backendGroups": [{"id": objects["group"]}],
    }


async def test_another_tenants_certificate_acl_and_group_cannot_be_attached(
    tenants: tuple[GraphQLClient, GraphQLClient],
) -> None:
    blue, red = tenants
    objects = await _blue_objects(blue)
    own = (await mutate(red, LB_CREATE, {"name": "mine", "vip": "127.0.0.2"}))["loadbalancer"]["id"]
    base = {"loadbalancerId": own, "name": "l", "port": free_port()}
    for extra, field in (
        ({"protocol": "HTTPS", "certificateId": objects["cert"]}, "certificateId"),
        ({"protocol": "HTTP", "aclId": objects["acl"], "aclType": "DENY"}, "aclId"),
        ({"protocol": "HTTP", "backendGroupId": objects["group"]}, "backendGroupId"),
    ):
        refused = (await red.ok(LISTENER_CREATE, {"in": {**base, **extra}}))["loadbalancerListenerCreate"]
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [(field, "NOT_FOUND")]


async def test_readers_look_and_cannot_change(admin: GraphQLClient, gql: GraphQLClient, lbcloud: LbCloud) -> None:
    owner = await tenant(admin, gql, "green", "gina")
    objects = await _blue_objects(owner)
    reader = await tenant(admin, gql, "green-readers", "rudi", role="reader")
    pid = (await admin.ok('{ projects(filter: {name: "green"}) { edges { node { id } } } }'))["projects"]["edges"][0][
        "node"
    ]["id"]
    uid = (await admin.ok('{ users(filter: {name: "rudi"}) { edges { node { id } } } }'))["users"]["edges"][0]["node"][
        "id"
    ]
    await admin.ok(
        'mutation($u: ID!, $p: ID!) { roleAssignmentCreate(input: {role: "reader", userId: $u, projectId: $p}) '
        "{ errors { code } } }",
        {"u": uid, "p": pid},
    )
    reader = gql.as_(await gql.login("rudi", "Tenant-Passw0rd!", "green"))
    assert (await reader.ok("{ loadbalancers { totalCount } }"))["loadbalancers"]["totalCount"] == 1
    response = await reader.raw(
        "mutation($id: ID!) { loadbalancerDelete(input: {id: $id}) { errors { code } } }", {"id": objects["lb"]}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_private_keys_never_leave_through_the_api(admin: GraphQLClient, lbcloud: LbCloud) -> None:
    fields = await admin.ok('{ __type(name: "LoadbalancerCertificate") { fields { name } } }')
    names = {f["name"] for f in fields["__type"]["fields"]}
    assert not {n for n in names if "key" in n.lower()}
    cert_pem, key_pem = make_certificate()
    await mutate(admin, CERT_CREATE, {"name": "k", "certificate": cert_pem, "privateKey": key_pem})
    listing = await admin.raw("{ loadbalancerCertificates { edges { node { certificate fingerprintSha256 } } } }")
    assert "PRIVATE KEY" not in listing.text


async def test_creating_in_another_tenants_project_is_refused(
    admin: GraphQLClient, tenants: tuple[GraphQLClient, GraphQLClient]
) -> None:
    _, red = tenants
    blue_project = (await admin.ok('{ projects(filter: {name: "blue"}) { edges { node { id } } } }'))["projects"][
        "edges"
    ][0]["node"]["id"]
    cert_pem, key_pem = make_certificate()
    for document, values in (
        (LB_CREATE, {"name": "intruder", "projectId": blue_project}),
        (CERT_CREATE, {"name": "intruder", "projectId": blue_project, "certificate": cert_pem, "privateKey": key_pem}),
        (ACL_CREATE, {"name": "intruder", "projectId": blue_project, "cidrs": ["10.0.0.0/8"]}),
    ):
        payload = next(iter((await red.ok(document, {"in": values})).values()))
        assert payload["errors"] == [{"field": "projectId", "message": "Project not found", "code": "NOT_FOUND"}]
    counts = await admin.ok(
        "{ loadbalancers { totalCount } loadbalancerCertificates { totalCount } loadbalancerAcls { totalCount } }"
    )
    assert counts == {
        "loadbalancers": {"totalCount": 0},
        "loadbalancerCertificates": {"totalCount": 0},
        "loadbalancerAcls": {"totalCount": 0},
    }
