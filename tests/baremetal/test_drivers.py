"""The agent's drivers against real BMC emulators fronting real libvirt domains."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest

from agents.baremetal.agent import BaremetalAgent
from agents.baremetal.protocol import BmcAccess, Inventory
from tests.baremetal.peers import Bmc, Machine, machine, sushy_emulator, virtualbmc
from tests.conftest import free_port

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def machines() -> Iterator[list[Machine]]:
    with machine("ipmi") as a, machine("redfish", memory_mb=1024) as b:
        yield [a, b]


@pytest.fixture(scope="module")
def ipmi(machines: list[Machine], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Machine, Bmc]]:
    with virtualbmc(tmp_path_factory.mktemp("vbmc"), machines[:1]) as bmcs:
        yield machines[0], bmcs[machines[0].name]


@pytest.fixture(scope="module")
def redfish(machines: list[Machine], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Machine, Bmc]]:
    with sushy_emulator(tmp_path_factory.mktemp("sushy"), machines[1:]) as bmc:
        yield machines[1], bmc


def access(protocol: str, bmc: Bmc, **changes: object) -> BmcAccess:
    values = {
        "host_id": str(uuid.uuid4()),
        "protocol": protocol,
        "address": bmc.address,
        "port": bmc.port,
        "username": bmc.username,
        "password": bmc.password,
        "timeout_s": 3.0,
        **changes,
    }
    return BmcAccess(**values)  # type: ignore[arg-type]


async def lifecycle(protocol: str, m: Machine, bmc: Bmc) -> Inventory:
    agent = BaremetalAgent()
    a = access(protocol, bmc)
    assert (await agent.power(a, "off")) == {"power_state": "off"}
    assert m.state() == "off"
    answer = await agent.inspect(a)
    inventory = Inventory.from_dict(answer["inventory"])
    assert inventory.power_state == "off"
    assert (await agent.power(a, "on")) == {"power_state": "on"}
    assert m.state() == "on"
    assert (await agent.power(a, "reset")) == {"power_state": "on"}
    assert m.state() == "on"
    assert (await agent.set_boot_device(a, "disk")) == {"boot_device": "disk"}
    assert m.boot_order()[0] == "hd"
    assert (await agent.set_boot_device(a, "pxe")) == {"boot_device": "pxe"}
    assert m.boot_order()[0] == "network"
    assert (await agent.power(a, "off")) == {"power_state": "off"}
    assert m.state() == "off"
    return inventory


async def test_ipmi_power_boot_and_inventory(ipmi: tuple[Machine, Bmc]) -> None:
    m, bmc = ipmi
    inventory = await lifecycle("IPMI", m, bmc)
    assert inventory.vendor  # from Get Device ID; vbmc answers no FRU, which the notes say
    assert any("FRU" in note for note in inventory.notes)


async def test_redfish_power_boot_and_inventory(redfish: tuple[Machine, Bmc]) -> None:
    m, bmc = redfish
    inventory = await lifecycle("REDFISH", m, bmc)
    assert inventory.cpus == 1
    assert inventory.memory_mb == 1024
    assert [n.mac for n in inventory.nics] == [m.mac]
    assert inventory.vendor == "Sushy Emulator"
    assert inventory.disks_gb == [20]


@pytest.mark.parametrize("protocol", ["IPMI", "REDFISH"])
async def test_wrong_credentials_are_a_clear_error(
    protocol: str, ipmi: tuple[Machine, Bmc], redfish: tuple[Machine, Bmc]
) -> None:
    bmc = ipmi[1] if protocol == "IPMI" else redfish[1]
    answer = await BaremetalAgent().power(access(protocol, bmc, password="wrong"), "on")
    assert answer["code"] == "BMC_AUTH_FAILED"
    assert "credentials" in answer["error"]
    assert (ipmi[0] if protocol == "IPMI" else redfish[0]).state() == "off"


@pytest.mark.parametrize("protocol", ["IPMI", "REDFISH"])
async def test_unreachable_bmc_fails_in_bounded_time(protocol: str) -> None:
    nobody = Bmc("127.0.0.1", free_port(), "admin", "x")
    started = time.monotonic()
    answer = await BaremetalAgent().inspect(access(protocol, nobody))
    assert answer["code"] == "BMC_UNREACHABLE", answer
    assert time.monotonic() - started < 15


async def test_unsupported_boot_device_is_refused(ipmi: tuple[Machine, Bmc]) -> None:
    answer = await BaremetalAgent().set_boot_device(access("IPMI", ipmi[1]), "floppy")
    assert answer["code"] == "BMC_UNSUPPORTED"


@pytest.mark.parametrize("protocol", ["IPMI", "REDFISH"])
async def test_power_storm_is_serialized(
    protocol: str, ipmi: tuple[Machine, Bmc], redfish: tuple[Machine, Bmc]
) -> None:
    m, bmc = ipmi if protocol == "IPMI" else redfish
    agent = BaremetalAgent()
    a = access(protocol, bmc)
    actions = ["on", "off", "reset", "on"] * 5  # 20 requests at once, the last one sent is "on"
    answers = await asyncio.gather(*(agent.power(a, action) for action in actions))
    assert all("error" not in answer for answer in answers), answers
    assert agent.max_active[a.host_id] == 1
    # asyncio.Lock is fair: the requests ran in the order they came, so the last word was "on".
    assert answers[-1] == {"power_state": "on"}
    assert m.state() == "on"
    assert (await agent.power(a, "off")) == {"power_state": "off"}
