"""The provider contract is all a provider needs: one registered in the test (the smallest in-memory
provider that honours the contract; no second emulator runs here) is synced and gets servers with no
change anywhere else."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from domain.cloud.providers import PROVIDERS, register
from domain.cloud.providers.contract import (
    Instance,
    InstanceSpec,
    InstanceState,
    InstanceType,
    ProviderPlugin,
    Resource,
    ZoneInfo,
)
from tests.cloud.conftest import ACCOUNT_CREATE, ACTION, CREATE, servers, sync
from tests.compute.conftest import Cloud, wait_task
from tests.conftest import GraphQLClient

INSTANCES: dict[str, Instance] = {}
_ids = itertools.count(1)


class MemoryCloud:
    def __init__(self, config: dict[str, Any], credentials: dict[str, str]) -> None:
        self.config = config

    def list_regions(self) -> list[str]:
        return ["mem-1"]

    def list_zones(self, region: str) -> list[ZoneInfo]:
        return [ZoneInfo("mem-1a", region)]

    def list_instance_types(self, region: str) -> list[InstanceType]:
        return [InstanceType("small", 1, 1024), InstanceType("large", 4, 8192)]

    def list_images(self, region: str) -> list[Resource]:
        return [Resource("img-1", "base", region)]

    def list_vpcs(self, region: str) -> list[Resource]:
        return []

    def list_subnets(self, region: str) -> list[Resource]:
        return []

    def list_security_groups(self, region: str) -> list[Resource]:
        return []

    def list_eips(self, region: str) -> list[Resource]:
        return []

    def list_instances(self, region: str) -> list[Instance]:
        return [i for i in INSTANCES.values() if i.region == region]

    def create_instance(self, spec: InstanceSpec) -> Instance:
        made = Instance(f"m-{next(_ids)}", spec.name, spec.region, spec.zone, spec.instance_type, InstanceState.RUNNING)
        INSTANCES[made.id] = made
        return made

    def _set(self, instance_id: str, state: str) -> Instance:
        old = INSTANCES[instance_id]
        INSTANCES[instance_id] = Instance(old.id, old.name, old.region, old.zone, old.instance_type, state)
        return INSTANCES[instance_id]

    def start_instance(self, region: str, instance_id: str) -> Instance:
        return self._set(instance_id, InstanceState.RUNNING)

    def stop_instance(self, region: str, instance_id: str) -> Instance:
        return self._set(instance_id, InstanceState.STOPPED)

    def reboot_instance(self, region: str, instance_id: str) -> Instance:
        return self._set(instance_id, InstanceState.RUNNING)

    def delete_instance(self, region: str, instance_id: str) -> Instance:
        return self._set(instance_id, InstanceState.DELETED)


@pytest.fixture
def memory_provider() -> Iterator[None]:
    register(ProviderPlugin(name="memory", hypervisor="MEMORY", credential_fields=("token",), build=MemoryCloud))
    INSTANCES.clear()
    yield
    PROVIDERS.pop("memory", None)


async def test_a_registered_provider_is_synced_and_runs_servers(
    admin: GraphQLClient, worker: Cloud, memory_provider: None
) -> None:
    spec = {"name": "mem", "provider": "memory", "regions": ["mem-1"], "credentials": [{"key": "token", "value": "t"}]}
    account = (await admin.ok(ACCOUNT_CREATE, {"in": spec}))["cloudAccountCreate"]["cloudAccount"]
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"

    made = (await admin.ok(CREATE, {"in": {"name": "m1", "vcpus": 2, "memoryMb": 2048, "hypervisor": "memory"}}))[
        "serverCreate"
    ]
    assert made["errors"] == [], made
    task = await wait_task(admin, made["task"]["id"])
    assert task["result"]["chosen"] == {"account": "mem", "region": "mem-1", "zone": "mem-1a", "sku": "large"}
    server = (await servers(admin))[0]
    assert (server["hypervisor"], server["cloud"]["provider"], server["status"]) == ("MEMORY", "memory", "RUNNING")

    stop = (await admin.ok(ACTION % "Stop", {"id": server["id"]}))["serverStop"]
    assert (await wait_task(admin, stop["task"]["id"]))["status"] == "SUCCEEDED"
    assert INSTANCES[server["cloud"]["instanceId"]].state == InstanceState.STOPPED
