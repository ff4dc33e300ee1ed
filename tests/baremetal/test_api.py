"""Baremetal hosts through GraphQL, the worker and the baremetal agent, against real BMC emulators
fronting real libvirt domains."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.baremetal.conftest import (
    BOOT,
    HOSTS,
    INSPECT,
    MAINTENANCE,
    POWER_OFF,
    POWER_ON,
    REGISTER,
    RESET,
    host,
    run,
)
from tests.baremetal.peers import Bmc, Machine, machine, sushy_emulator, virtualbmc
from tests.compute.conftest import Cloud, wait_task
from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient, free_port

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def machines() -> Iterator[dict[str, Machine]]:
    with machine("api-ipmi") as a, machine("api-redfish", memory_mb=1024) as b:
        yield {"IPMI": a, "REDFISH": b}


@pytest.fixture(scope="module")
def bmcs(machines: dict[str, Machine], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Bmc]]:
    with (
        virtualbmc(tmp_path_factory.mktemp("vbmc"), [machines["IPMI"]]) as ipmi,
        sushy_emulator(tmp_path_factory.mktemp("sushy"), [machines["REDFISH"]]) as redfish,
    ):
        yield {"IPMI": ipmi[machines["IPMI"].name], "REDFISH": redfish}


def registration(protocol: str, bmc: Bmc, **changes: Any) -> dict[str, Any]:
    return {
        "name": f"{protocol.lower()}-1",
        "protocol": protocol,
        "address": bmc.address,
        "port": bmc.port,
        "username": bmc.username,
        "password": bmc.password,
        **changes,
    }


@pytest.mark.parametrize("protocol", ["IPMI", "REDFISH"])
async def test_register_inspect_power_and_boot(
    protocol: str,
    bmcloud: Cloud,
    admin: GraphQLClient,
    machines: dict[str, Machine],
    bmcs: dict[str, Bmc],
    engine: AsyncEngine,
) -> None:
    m, bmc = machines[protocol], bmcs[protocol]
    macs = [m.mac] if protocol == "IPMI" else []  # IPMI reports no NICs: the admin names them
    data = await admin.ok(REGISTER, {"in": registration(protocol, bmc, macs=macs)})
    payload = data["baremetalHostRegister"]
    assert payload["errors"] == []
    assert payload["host"]["status"] == "INSPECTING"
    host_id = payload["host"]["id"]
    assert (await wait_task(admin, payload["task"]["id"], timeout=60))["status"] == "SUCCEEDED"
    inspected = await host(admin, host_id)
    assert inspected["status"] == "READY"
    assert inspected["inventory"]["vendor"]
    assert inspected["macs"] == [m.mac]
    if protocol == "REDFISH":
        assert (inspected["cpus"], inspected["memoryMb"]) == (1, 1024)
        assert [n["mac"] for n in inspected["inventory"]["nics"]] == [m.mac]

    for document, expected in ((POWER_ON, "on"), (RESET, "on"), (POWER_OFF, "off"), (POWER_ON, "on")):
        task = await run(admin, document, {"id": host_id})
        assert task["status"] == "SUCCEEDED", task
        assert (await host(admin, host_id))["powerState"] == expected
        assert m.state() == expected
    for device, libvirt_name in (("DISK", "hd"), ("PXE", "network")):
        task = await run(admin, BOOT, {"id": host_id, "device": device})
        assert task["status"] == "SUCCEEDED", task
        assert (await host(admin, host_id))["bootDevice"] == device
        assert m.boot_order()[0] == libvirt_name
    assert (await run(admin, POWER_OFF, {"id": host_id}))["status"] == "SUCCEEDED"
    assert m.state() == "off"

    # The password is stored sealed, and no field returns it.
    async with engine.connect() as conn:
        sealed = (await conn.execute(text("select bmc_password_sealed from baremetal_host"))).scalar_one()
    assert bmc.password not in sealed
    fields = await admin.ok('{ __type(name: "BaremetalHost") { fields { name } } }')
    assert not any("password" in f["name"].lower() for f in fields["__type"]["fields"])


async def test_wrong_credentials_and_unreachable_bmc_fail_clearly(
    bmcloud: Cloud, admin: GraphQLClient, bmcs: dict[str, Bmc]
) -> None:
    wrong = await admin.ok(REGISTER, {"in": registration("IPMI", bmcs["IPMI"], password="wrong")})
    task = await wait_task(admin, wrong["baremetalHostRegister"]["task"]["id"], timeout=60)
    assert task["status"] == "FAILED"
    assert "refused the credentials" in task["error"]
    assert "BMC_AUTH_FAILED" in task["error"]
    failed = await host(admin, wrong["baremetalHostRegister"]["host"]["id"])
    assert failed["status"] == "ERROR"
    assert "credentials" in failed["error"]

    nobody = Bmc("127.0.0.1", free_port(), "admin", "x")
    started = time.monotonic()
    gone = await admin.ok(REGISTER, {"in": registration("REDFISH", nobody, name="gone")})
    task = await wait_task(admin, gone["baremetalHostRegister"]["task"]["id"], timeout=60)
    assert task["status"] == "FAILED"
    assert "BMC_UNREACHABLE" in task["error"]
    assert time.monotonic() - started < 30


async def test_power_storm_runs_one_operation_at_a_time(
    bmcloud: Cloud, admin: GraphQLClient, machines: dict[str, Machine], bmcs: dict[str, Bmc]
) -> None:
    data = await admin.ok(REGISTER, {"in": registration("IPMI", bmcs["IPMI"], macs=[machines["IPMI"].mac])})
    host_id = data["baremetalHostRegister"]["host"]["id"]
    await wait_task(admin, data["baremetalHostRegister"]["task"]["id"], timeout=60)
    documents = [POWER_ON, POWER_OFF] * 10
    answers = await asyncio.gather(*(admin.ok(d, {"in": {"id": host_id}}) for d in documents))
    payloads = [next(iter(a.values())) for a in answers]
    accepted = [(d, p) for d, p in zip(documents, payloads, strict=True) if not p["errors"]]
    refused = [p for p in payloads if p["errors"]]
    assert len(accepted) == 1, payloads
    assert {p["errors"][0]["code"] for p in refused} == {"BUSY"}
    document, winner = accepted[0]
    task = await wait_task(admin, winner["task"]["id"], timeout=60)
    assert task["status"] == "SUCCEEDED"
    expected = "on" if document == POWER_ON else "off"
    assert (await host(admin, host_id))["powerState"] == expected
    assert machines["IPMI"].state() == expected
    assert (await run(admin, POWER_OFF, {"id": host_id}))["status"] == "SUCCEEDED"


async def test_maintenance_and_reinspection(
    bmcloud: Cloud, admin: GraphQLClient, machines: dict[str, Machine], bmcs: dict[str, Bmc]
) -> None:
    data = await admin.ok(REGISTER, {"in": registration("REDFISH", bmcs["REDFISH"])})
    host_id = data["baremetalHostRegister"]["host"]["id"]
    await wait_task(admin, data["baremetalHostRegister"]["task"]["id"], timeout=60)
    entered = await admin.ok(MAINTENANCE, {"in": {"id": host_id, "enabled": True, "reason": "new DIMMs"}})
    assert entered["baremetalHostMaintenance"]["host"] == {
        "id": host_id,
        "status": "MAINTENANCE",
        "maintenanceReason": "new DIMMs",
    }
    assert (await run(admin, INSPECT, {"id": host_id}))["status"] == "SUCCEEDED"
    assert (await host(admin, host_id))["status"] == "MAINTENANCE"
    left = await admin.ok(MAINTENANCE, {"in": {"id": host_id, "enabled": False}})
    assert left["baremetalHostMaintenance"]["host"]["status"] == "READY"


async def test_only_system_admins_register_and_projects_see_nothing_unallocated(
    bmcloud: Cloud, admin: GraphQLClient, gql: GraphQLClient, bmcs: dict[str, Bmc], tmp_path: Path
) -> None:
    data = await admin.ok(REGISTER, {"in": registration("REDFISH", bmcs["REDFISH"])})
    host_id = data["baremetalHostRegister"]["host"]["id"]
    await wait_task(admin, data["baremetalHostRegister"]["task"]["id"], timeout=60)
    blue_admin = await tenant(admin, gql, "blue", "bea", role="admin")  # admin of a project, not of the system
    blue_member = await tenant(admin, gql, "green", "gus")
    for client in (blue_admin, blue_member):
        refused = await client(REGISTER, {"in": registration("IPMI", bmcs["IPMI"], name="mine")})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await client.ok(HOSTS))["baremetalHosts"]["totalCount"] == 0
        assert (await client.ok("query($id: ID!) { node(id: $id) { id } }", {"id": host_id}))["node"] is None
        denied = await client.ok(POWER_ON, {"in": {"id": host_id}})
        assert denied["baremetalHostPowerOn"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await admin.ok(HOSTS))["baremetalHosts"]["totalCount"] == 1
