"""An account's resources are visible only to the project it maps to (and to admins)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.cloud.conftest import ACCOUNT_SYNC, ACCOUNTS, ZONES, Moto, create_account, servers, sync
from tests.compute.conftest import Cloud
from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient

SEEN = """{ cloudAccounts { totalCount } skus { totalCount } cloudResources { totalCount }
  servers { totalCount } }"""


async def test_account_resources_stay_in_their_project(
    admin: GraphQLClient, gql: GraphQLClient, moto: Moto, worker: Cloud
) -> None:
    blue, red = await tenant(admin, gql, "blue", "bob"), await tenant(admin, gql, "red", "rita")
    blue_id = (await blue.ok("{ me { project { id } } }"))["me"]["project"]["id"]
    ec2 = moto.ec2()
    ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [moto.config()["image_name"]]}])
    ec2.run_instances(ImageId=ami["Images"][0]["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1)
    account = await create_account(admin, moto, project_id=blue_id)
    assert account["project"]["name"] == "blue"
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"

    seen_by_blue = await blue.ok(SEEN)
    assert seen_by_blue["cloudAccounts"]["totalCount"] == 1
    assert seen_by_blue["skus"]["totalCount"] == 4
    assert seen_by_blue["cloudResources"]["totalCount"] > 0
    assert [s["hypervisor"] for s in await servers(blue)] == ["AWS"]
    assert await red.ok(SEEN) == {
        "cloudAccounts": {"totalCount": 0},
        "skus": {"totalCount": 0},
        "cloudResources": {"totalCount": 0},
        "servers": {"totalCount": 0},
    }
    red_zones = await red.ok(ZONES)
    assert not any(e["node"]["name"].startswith("us-east-1") for e in red_zones["zones"]["edges"])
    assert not any(e["node"]["name"].startswith("aws1-") for e in red_zones["regions"]["edges"])
    admin_seen = await admin.ok(SEEN)
    assert admin_seen["cloudAccounts"]["totalCount"] == 1
    assert admin_seen["servers"]["totalCount"] >= 1

    # Members see the account, never its credentials (the type has no such field), and cannot sync it.
    assert "credentials" not in str(await blue.ok(ACCOUNTS))
    refused = await blue(ACCOUNT_SYNC, {"id": account["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    hidden = (await red.ok(ACCOUNT_SYNC, {"id": account["id"]}))["cloudAccountSync"]
    assert hidden["errors"][0]["code"] == "NOT_FOUND"
    node = "query($id: ID!) { node(id: $id) { id ... on CloudAccount { name } } }"
    assert (await blue.ok(node, {"id": account["id"]}))["node"] == {"id": account["id"], "name": "aws1"}
    assert (await red.ok(node, {"id": account["id"]}))["node"] is None


async def test_credentials_are_sealed_at_rest(admin: GraphQLClient, moto: Moto, engine: AsyncEngine) -> None:
    await create_account(admin, moto)
    async with engine.connect() as conn:
        sealed = (await conn.execute(text("SELECT credentials_sealed FROM cloud_account"))).scalar_one()
    assert "AKIDNIMBUSTEST" not in sealed
    assert "secret" not in sealed
