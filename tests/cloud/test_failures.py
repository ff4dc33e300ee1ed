"""Bad credentials, an API that starts failing mid-sync and a deleted account: clear errors, carrying
AWS's code, and no half-imported state."""

from __future__ import annotations

from typing import Any

from nimbus.settings import Settings
from resolvers.ids import parse_global_id
from tests.cloud.conftest import (
    ACCOUNT_DELETE,
    ACCOUNT_SYNC,
    ACCOUNTS,
    ACTION,
    CREATE,
    Moto,
    create_account,
    servers,
    sync,
)
from tests.compute.conftest import Cloud, wait_task
from tests.conftest import GraphQLClient

COUNTS = """query { vpcs: cloudResources(filter: {kind: VPC}) { totalCount }
  skus { totalCount } regions { totalCount } zones { totalCount } servers { totalCount } }"""


async def _account(admin: GraphQLClient) -> dict[str, Any]:
    node: dict[str, Any] = (await admin.ok(ACCOUNTS))["cloudAccounts"]["edges"][0]["node"]
    return node


async def test_bad_credentials_fail_the_sync_with_aws_code(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    before = await admin.ok(COUNTS)
    account = await create_account(admin, moto)
    moto.require_auth_after(0)  # from now on only keys IAM knows are accepted, and it knows none
    task = await sync(admin, account["id"])
    assert task["status"] == "FAILED"
    assert "aws refused: AuthFailure" in task["error"]
    state = await _account(admin)
    assert state["status"] == "ERROR"
    assert "AuthFailure" in state["lastSyncError"]
    assert await admin.ok(COUNTS) == before  # not even the region was imported


async def test_api_failing_mid_sync_leaves_each_kind_whole(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    account = await create_account(admin, moto)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"
    synced = await admin.ok(COUNTS)

    ec2 = moto.ec2()
    ec2.create_vpc(CidrBlock="10.9.0.0/16")
    ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [moto.config()["image_name"]]}])
    ec2.run_instances(ImageId=ami["Images"][0]["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1)
    # Regions (2 calls), instance types (1) and images (1) still answer; VPCs on, everything fails.
    moto.require_auth_after(4)
    task = await sync(admin, account["id"])
    assert task["status"] == "FAILED"
    assert "AuthFailure" in task["error"]
    assert await admin.ok(COUNTS) == synced  # neither the new VPC nor the new instance is half there

    moto.require_auth_after(None)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"
    after = await admin.ok(COUNTS)
    assert after["vpcs"]["totalCount"] == synced["vpcs"]["totalCount"] + 1
    assert after["servers"]["totalCount"] == synced["servers"]["totalCount"] + 1
    assert (await _account(admin))["status"] == "READY"


async def test_failing_create_reports_aws_error(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    account = await create_account(admin, moto)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"
    moto.require_auth_after(0)
    made = (await admin.ok(CREATE, {"in": {"name": "w", "vcpus": 1, "memoryMb": 512, "hypervisor": "AWS"}}))[
        "serverCreate"
    ]
    task = await wait_task(admin, made["task"]["id"], timeout=40)
    assert task["status"] == "FAILED"
    assert "AuthFailure" in task["error"]
    server = next(s for s in await servers(admin) if s["id"] == made["servers"][0]["id"])
    assert server["status"] == "ERROR"

    # Had the provider made the instance before the create failed (a deadline, a lost worker),
    # the next sync gives it back to its server rather than importing a second one.
    moto.require_auth_after(None)
    ec2 = moto.ec2()
    ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [moto.config()["image_name"]]}])
    tag = {"Key": "nimbus:server-id", "Value": str(parse_global_id(server["id"])[1])}
    orphan = ec2.run_instances(
        ImageId=ami["Images"][0]["ImageId"],
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [tag]}],
    )["Instances"][0]["InstanceId"]
    task = await sync(admin, account["id"])
    assert task["result"]["instances"]["added"] == 0
    adopted = [s for s in await servers(admin) if s["cloud"]]
    assert [(s["id"], s["status"], s["cloud"]["instanceId"]) for s in adopted] == [(server["id"], "RUNNING", orphan)]


async def test_deleted_account(admin: GraphQLClient, moto: Moto, settings: Settings, tmp_path: Any) -> None:
    before = await admin.ok(COUNTS)
    account = await create_account(admin, moto)
    queued = (await admin.ok(ACCOUNT_SYNC, {"id": account["id"]}))["cloudAccountSync"]["task"]["id"]
    deleted = (await admin.ok(ACCOUNT_DELETE, {"id": account["id"]}))["cloudAccountDelete"]
    assert deleted == {"deletedId": account["id"], "errors": []}

    worker = Cloud(settings, tmp_path)
    await worker.start_worker()
    try:
        task = await wait_task(admin, queued)
    finally:
        await worker.stop()
    assert task["status"] == "FAILED"
    assert task["error"] == "the cloud account was deleted"
    assert await admin.ok(COUNTS) == before
    again = (await admin.ok(ACCOUNT_SYNC, {"id": account["id"]}))["cloudAccountSync"]
    assert again["errors"][0]["code"] == "NOT_FOUND"


async def test_deleting_an_account_forgets_its_servers(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    ec2 = moto.ec2()
    ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [moto.config()["image_name"]]}])
    ec2.run_instances(ImageId=ami["Images"][0]["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1)
    account = await create_account(admin, moto)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"
    imported = [s for s in await servers(admin) if s["cloud"]]
    assert len(imported) == 1

    await admin.ok(ACCOUNT_DELETE, {"id": account["id"]})
    assert [s for s in await servers(admin) if s["cloud"]] == []
    refused = (await admin.ok(ACTION % "Stop", {"id": imported[0]["id"]}))["serverStop"]
    assert refused["errors"][0]["code"] == "INVALID_STATE"
    # Nimbus forgot the instance; AWS still runs it.
    assert len(ec2.describe_instances()["Reservations"]) == 1
