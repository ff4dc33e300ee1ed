"""A sync imports an AWS account's resources; changes made behind Nimbus' back show after the next."""

from __future__ import annotations

from tests.cloud.conftest import (
    REGION,
    SIZES,
    ZONES,
    Moto,
    create_account,
    instance_states,
    servers,
    sync,
)
from tests.compute.conftest import Cloud
from tests.conftest import GraphQLClient

RESOURCES = """query($k: CloudResourceKind!) { cloudResources(filter: {kind: $k}, first: 100) {
  totalCount edges { node { externalId name region zone data } } } }"""
SKUS = """{ skus(first: 100, filter: {region: "us-east-1"}) { totalCount edges { node { name vcpus memoryMb } } } }"""


async def test_sync_imports_every_kind(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    ec2 = moto.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    eip = ec2.allocate_address(Domain="vpc")
    image = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [moto.config()["image_name"]]}])
    ami = image["Images"][0]["ImageId"]
    running = ec2.run_instances(ImageId=ami, InstanceType="t3.small", MinCount=1, MaxCount=1)["Instances"][0]

    account = await create_account(admin, moto)
    task = await sync(admin, account["id"])
    assert task["status"] == "SUCCEEDED", task
    assert task["progress"] == 100

    zones = await admin.ok(ZONES)
    assert f"aws1-{REGION}" in [e["node"]["name"] for e in zones["regions"]["edges"]]
    assert {"us-east-1a", "us-east-1b"} <= {e["node"]["name"] for e in zones["zones"]["edges"]}

    skus = (await admin.ok(SKUS))["skus"]
    assert sorted(e["node"]["name"] for e in skus["edges"]) == sorted(SIZES)
    assert {"name": "t3.small", "vcpus": 2, "memoryMb": 2048} in [e["node"] for e in skus["edges"]]

    async def ids(kind: str) -> set[str]:
        data = await admin.ok(RESOURCES, {"k": kind})
        return {e["node"]["externalId"] for e in data["cloudResources"]["edges"]}

    assert ami in await ids("IMAGE")
    assert vpc in await ids("VPC")
    assert subnet["SubnetId"] in await ids("SUBNET")
    assert group in await ids("SECURITY_GROUP")
    assert eip["AllocationId"] in await ids("EIP")

    imported = [s for s in await servers(admin) if s["cloud"] and s["cloud"]["instanceId"] == running["InstanceId"]]
    assert len(imported) == 1
    assert imported[0]["hypervisor"] == "AWS"
    assert imported[0]["status"] == "RUNNING"
    assert (imported[0]["vcpus"], imported[0]["memoryMb"], imported[0]["cloud"]["sku"]) == (2, 2048, "t3.small")


async def test_changes_behind_nimbus_back_show_after_next_sync(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    ec2 = moto.ec2()
    ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [moto.config()["image_name"]]}])[
        "Images"
    ][0]["ImageId"]
    made = ec2.run_instances(ImageId=ami, InstanceType="t3.micro", MinCount=2, MaxCount=2)["Instances"]
    first, second = made[0]["InstanceId"], made[1]["InstanceId"]
    account = await create_account(admin, moto)
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"

    def status_of(listing: list[dict[str, object]], instance: str) -> object:
        # Deleted servers drop out of the list, like deleted KVM servers do.
        return next((s["status"] for s in listing if s["cloud"] and s["cloud"]["instanceId"] == instance), None)  # type: ignore[index]

    listing = await servers(admin)
    assert (status_of(listing, first), status_of(listing, second)) == ("RUNNING", "RUNNING")

    ec2.stop_instances(InstanceIds=[first])
    ec2.terminate_instances(InstanceIds=[second])
    third = ec2.run_instances(ImageId=ami, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]
    assert instance_states(moto)[first] == "stopped"

    task = await sync(admin, account["id"])
    assert task["result"]["instances"] == {"added": 1, "updated": 2, "removed": 0}
    listing = await servers(admin)
    assert status_of(listing, first) == "STOPPED"
    assert status_of(listing, second) is None
    assert status_of(listing, third["InstanceId"]) == "RUNNING"

    # Nothing changed since: the next sync changes nothing.
    again = await sync(admin, account["id"])
    assert again["result"]["instances"] == {"added": 0, "updated": 0, "removed": 0}
    assert again["result"]["skus"] == {"added": 0, "updated": 0, "removed": 0}
