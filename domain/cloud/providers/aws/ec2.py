"""The AWS provider: EC2 regions, zones, instance types, images, networks and instances.

`config` may name an `endpoint_url` (an EC2-compatible endpoint), `image_owners` (whose AMIs to
import; default the account's own), `image_name` (a name pattern, `amzn2-*`), `instance_types`
(only these sizes; default all), `wait_delay_s` and `wait_attempts` (how waits for a state poll:
every 5 s, 18 times by default, to stay within a worker job)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from domain.cloud.providers.contract import (
    Instance,
    InstanceSpec,
    InstanceState,
    InstanceType,
    ProviderError,
    Resource,
    ZoneInfo,
)

T = TypeVar("T")

_STATES = {
    "pending": InstanceState.PENDING,
    "running": InstanceState.RUNNING,
    "stopping": InstanceState.STOPPING,
    "stopped": InstanceState.STOPPED,
    "shutting-down": InstanceState.DELETING,
    "terminated": InstanceState.DELETED,
}


def _tag(tags: list[Any] | None, key: str = "Name") -> str:
    return next((str(t["Value"]) for t in tags or [] if t.get("Key") == key), "")


def _call(fn: Callable[[], T]) -> T:
    """Run one EC2 call; AWS's error code and message travel in the `ProviderError`."""
    try:
        return fn()
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise ProviderError(str(err.get("Code", "Unknown")), str(err.get("Message", exc))) from None
    except WaiterError as exc:
        raise ProviderError("WaitFailed", str(exc)) from None
    except BotoCoreError as exc:
        raise ProviderError(type(exc).__name__, str(exc)) from None


class Ec2Provider:
    def __init__(self, config: dict[str, Any], credentials: dict[str, str]) -> None:
        self._config = config
        self._session = boto3.session.Session(
            aws_access_key_id=credentials.get("access_key_id"),
            aws_secret_access_key=credentials.get("secret_access_key"),
        )
        self._clients: dict[str, Any] = {}

    def _ec2(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = self._session.client(
                "ec2",
                region_name=region,
                endpoint_url=self._config.get("endpoint_url") or None,
                config=Config(
                    retries={"max_attempts": int(self._config.get("max_attempts", 3)), "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                ),
            )
        return self._clients[region]

    def _pages(self, region: str, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        paginator = self._ec2(region).get_paginator(operation)
        for page in _call(lambda: list(paginator.paginate(**kwargs))):
            yield from page.get(key, [])

    def list_regions(self) -> list[str]:
        home = self._config.get("home_region", "us-east-1")
        regions = _call(lambda: self._ec2(home).describe_regions()["Regions"])
        return sorted(r["RegionName"] for r in regions)

    def list_zones(self, region: str) -> list[ZoneInfo]:
        zones = _call(lambda: self._ec2(region).describe_availability_zones()["AvailabilityZones"])
        return [ZoneInfo(z["ZoneName"], region) for z in zones]

    def list_instance_types(self, region: str) -> list[InstanceType]:
        wanted = list(self._config.get("instance_types") or [])
        kwargs = {"InstanceTypes": wanted} if wanted else {}
        return [
            InstanceType(t["InstanceType"], int(t["VCpuInfo"]["DefaultVCpus"]), int(t["MemoryInfo"]["SizeInMiB"]))
            for t in self._pages(region, "describe_instance_types", "InstanceTypes", **kwargs)
        ]

    def list_images(self, region: str) -> list[Resource]:
        kwargs: dict[str, Any] = {"Owners": list(self._config.get("image_owners") or ["self"])}
        if self._config.get("image_name"):
            kwargs["Filters"] = [{"Name": "name", "Values": [str(self._config["image_name"])]}]
        images = _call(lambda: self._ec2(region).describe_images(**kwargs)["Images"])
        return [
            Resource(
                i["ImageId"],
                i.get("Name", ""),
                region,
                data={"state": i.get("State", ""), "architecture": i.get("Architecture", "")},
            )
            for i in images
        ]

    def list_vpcs(self, region: str) -> list[Resource]:
        return [
            Resource(v["VpcId"], _tag(v.get("Tags")), region, data={"cidr": v["CidrBlock"]})
            for v in self._pages(region, "describe_vpcs", "Vpcs")
        ]

    def list_subnets(self, region: str) -> list[Resource]:
        return [
            Resource(
                s["SubnetId"],
                _tag(s.get("Tags")),
                region,
                s.get("AvailabilityZone"),
                {"cidr": s["CidrBlock"], "vpc_id": s["VpcId"]},
            )
            for s in self._pages(region, "describe_subnets", "Subnets")
        ]

    def list_security_groups(self, region: str) -> list[Resource]:
        return [
            Resource(g["GroupId"], g.get("GroupName", ""), region, data={"vpc_id": g.get("VpcId", "")})
            for g in self._pages(region, "describe_security_groups", "SecurityGroups")
        ]

    def list_eips(self, region: str) -> list[Resource]:
        addresses = _call(lambda: self._ec2(region).describe_addresses()["Addresses"])
        return [
            Resource(
                a.get("AllocationId") or a["PublicIp"],
                a["PublicIp"],
                region,
                data={"public_ip": a["PublicIp"], "instance_id": a.get("InstanceId", "")},
            )
            for a in addresses
        ]

    def list_instances(self, region: str) -> list[Instance]:
        return [
            _instance(i, region)
            for r in self._pages(region, "describe_instances", "Reservations")
            for i in r.get("Instances", [])
        ]

    def create_instance(self, spec: InstanceSpec) -> Instance:
        kwargs: dict[str, Any] = {
            "ImageId": spec.image_id,
            "InstanceType": spec.instance_type,
            "MinCount": 1,
            "MaxCount": 1,
            "Placement": {"AvailabilityZone": spec.zone},
            "TagSpecifications": [{"ResourceType": "instance", "Tags": _tags(spec)}],
        }
        if spec.client_token:
            kwargs["ClientToken"] = spec.client_token
        if spec.subnet_id:
            kwargs["SubnetId"] = spec.subnet_id
        created = _call(lambda: self._ec2(spec.region).run_instances(**kwargs)["Instances"][0])
        return self._wait(spec.region, created["InstanceId"], "instance_running")

    def start_instance(self, region: str, instance_id: str) -> Instance:
        _call(lambda: self._ec2(region).start_instances(InstanceIds=[instance_id]))
        return self._wait(region, instance_id, "instance_running")

    def stop_instance(self, region: str, instance_id: str) -> Instance:
        _call(lambda: self._ec2(region).stop_instances(InstanceIds=[instance_id]))
        return self._wait(region, instance_id, "instance_stopped")

    def reboot_instance(self, region: str, instance_id: str) -> Instance:
        _call(lambda: self._ec2(region).reboot_instances(InstanceIds=[instance_id]))
        return self._wait(region, instance_id, "instance_running")

    def delete_instance(self, region: str, instance_id: str) -> Instance:
        _call(lambda: self._ec2(region).terminate_instances(InstanceIds=[instance_id]))
        return self._wait(region, instance_id, "instance_terminated")

    def _wait(self, region: str, instance_id: str, waiter: str) -> Instance:
        ec2 = self._ec2(region)
        delay = float(self._config.get("wait_delay_s", 5))
        attempts = int(self._config.get("wait_attempts", 18))
        _call(
            lambda: ec2.get_waiter(waiter).wait(
                InstanceIds=[instance_id], WaiterConfig={"Delay": delay, "MaxAttempts": attempts}
            )
        )
        found = _call(lambda: ec2.describe_instances(InstanceIds=[instance_id])["Reservations"])
        return _instance(found[0]["Instances"][0], region)


SERVER_TAG = "nimbus:server-id"


def _tags(spec: InstanceSpec) -> list[dict[str, str]]:
    tags = [{"Key": "Name", "Value": spec.name}]
    if spec.server_id:
        tags.append({"Key": SERVER_TAG, "Value": spec.server_id})
    return tags


def _instance(i: dict[str, Any], region: str) -> Instance:
    return Instance(
        id=i["InstanceId"],
        name=_tag(i.get("Tags")) or i["InstanceId"],
        region=region,
        zone=i.get("Placement", {}).get("AvailabilityZone", ""),
        instance_type=i.get("InstanceType", ""),
        state=_STATES.get(i.get("State", {}).get("Name", ""), InstanceState.PENDING),
        image_id=i.get("ImageId", ""),
        private_ip=i.get("PrivateIpAddress", ""),
        server_id=_tag(i.get("Tags"), SERVER_TAG),
    )
