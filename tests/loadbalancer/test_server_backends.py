"""A Nimbus server as a backend: its address comes from its NIC; another tenant's server is out of reach."""

from __future__ import annotations

from tests.compute.conftest import Cloud, wait_task
from tests.compute.conftest import cloud as cloud  # the compute cloud fixture, for servers with addresses
from tests.compute.test_compute_isolation import tenant
from tests.compute.test_servers import create
from tests.conftest import GraphQLClient
from tests.loadbalancer.conftest import BACKEND_CREATE, GROUP_CREATE, LB_CREATE, LbCloud, mutate

NETWORK = """mutation($n: String!, $c: String!) { networkCreate(input: {name: $n, cidr: $c}) { network { id } } }"""
NICS = "query($id: ID!) { node(id: $id) { ... on Server { nics { ipAddress } } } }"


async def test_servers_are_backends_of_their_own_project_only(
    admin: GraphQLClient, gql: GraphQLClient, cloud: Cloud, lbcloud: LbCloud
) -> None:
    blue, red = await tenant(admin, gql, "blue", "bob"), await tenant(admin, gql, "red", "rita")
    network = (await admin.ok(NETWORK, {"n": "shared", "c": "10.60.0.0/24"}))["networkCreate"]["network"]["id"]
    servers = {}
    for name, client in (("blue", blue), ("red", red)):
        created = await create(client, name=f"{name}-web", networkId=network)
        assert (await wait_task(client, created["task"]["id"]))["status"] == "SUCCEEDED"
        servers[name] = created["servers"][0]["id"]

    lb = (await mutate(blue, LB_CREATE, {"name": "front", "vip": "127.0.0.1"}))["loadbalancer"]["id"]
    group = (await mutate(blue, GROUP_CREATE, {"loadbalancerId": lb, "name": "web"}))["backendGroup"]["id"]
    added = await mutate(blue, BACKEND_CREATE, {"backendGroupId": group, "serverId": servers["blue"], "port": 8080})
    ip = (await blue.ok(NICS, {"id": servers["blue"]}))["node"]["nics"][0]["ipAddress"]
    assert added["backend"]["address"] == ip
    shown = await blue.ok(
        "query($id: ID!) { node(id: $id) { ... on Loadbalancer { backendGroups { backends { server { id } } } } } }",
        {"id": lb},
    )
    assert shown["node"]["backendGroups"][0]["backends"][0]["server"] == {"id": servers["blue"]}

    refused = (
        await blue.ok(BACKEND_CREATE, {"in": {"backendGroupId": group, "serverId": servers["red"], "port": 8080}})
    )["loadbalancerBackendCreate"]
    assert refused["errors"] == [{"field": "serverId", "message": "Server not found", "code": "NOT_FOUND"}]
