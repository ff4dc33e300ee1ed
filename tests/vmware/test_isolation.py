"""VMware servers belong to the account's project: its members see and run them, others see nothing."""

from __future__ import annotations

from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient
from tests.vmware.conftest import ACCOUNT_CREATE, ACCOUNTS, VmwareCloud, servers, synced_account
from tests.vmware.test_operations import ACTION, _action
from tests.vmware.vcsim import Vcsim


async def test_vmware_servers_are_private_to_the_accounts_project(
    admin: GraphQLClient, gql: GraphQLClient, platform: VmwareCloud, vcsim: Vcsim
) -> None:
    blue = await tenant(admin, gql, "blue", "bob")
    red = await tenant(admin, gql, "red", "rita")
    projects = await admin.ok('{ projects(filter: {name: "blue"}) { edges { node { id } } } }')
    blue_id = projects["projects"]["edges"][0]["node"]["id"]
    await synced_account(admin, platform, vcsim, projectId=blue_id)

    seen_by_blue = await servers(blue)
    assert len(seen_by_blue) == len(await servers(admin)) > 0
    assert await servers(red) == {}
    name, server = next((n, s) for n, s in sorted(seen_by_blue.items()) if s["status"] == "RUNNING")

    refused = (await red.ok(ACTION.format(name="serverStop"), {"id": server["id"]}))["serverStop"]
    assert refused["errors"][0]["code"] == "NOT_FOUND"
    await _action(blue, "serverStop", server["id"])
    assert (await servers(blue))[name]["status"] == "STOPPED"

    # Accounts themselves are for system administrators only.
    assert (await blue.ok(ACCOUNTS))["vmwareAccounts"]["totalCount"] == 0
    body = await blue(ACCOUNT_CREATE, {"in": {"name": "mine", "endpoint": vcsim.url, "username": "u", "password": "p"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
