"""BMC round trips through the baremetal agent's drivers, against virtualbmc (IPMI) and sushy-tools
(Redfish) fronting real libvirt domains: a power-state read, a power cycle, and a storm of 20
power requests to one machine (serialized by the agent)."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from agents.baremetal.agent import BaremetalAgent
from agents.baremetal.drivers import driver_for
from agents.baremetal.protocol import BmcAccess
from tests.baremetal.peers import Bmc, machine, sushy_emulator, virtualbmc

READS = 20


def _access(protocol: str, bmc: Bmc) -> BmcAccess:
    return BmcAccess(str(uuid.uuid4()), protocol, bmc.address, bmc.port, bmc.username, bmc.password)


def _read_ms(access: BmcAccess) -> float:
    samples = []
    for _ in range(READS):
        started = time.perf_counter()
        driver = driver_for(access)
        driver.power_state()
        driver.close()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def _cycle_and_storm(access: BmcAccess) -> tuple[float, float]:
    agent = BaremetalAgent()
    started = time.perf_counter()
    await agent.power(access, "on")
    await agent.power(access, "off")
    cycle = time.perf_counter() - started
    started = time.perf_counter()
    await asyncio.gather(*(agent.power(access, a) for a in ["on", "off"] * 10))
    storm = time.perf_counter() - started
    await agent.power(access, "off")
    return cycle, storm


def run() -> list[tuple[str, str]]:
    figures: list[tuple[str, str]] = []
    with (
        tempfile.TemporaryDirectory(prefix="nimbus-bench-bm-") as tmp,
        machine("bench-ipmi") as a,
        machine("bench-redfish", memory_mb=1024) as b,
        virtualbmc(Path(tmp), [a]) as ipmi,
        sushy_emulator(Path(tmp), [b]) as redfish,
    ):
        for protocol, bmc in (("IPMI", ipmi[a.name]), ("REDFISH", redfish)):
            access = _access(protocol, bmc)
            read = _read_ms(access)
            cycle, storm = asyncio.run(_cycle_and_storm(access))
            name = protocol.lower()
            figures += [
                (f"baremetal {name}: power-state read, login included (median of {READS})", f"{read:.1f} ms"),
                (f"baremetal {name}: power on + off of a libvirt domain", f"{cycle:.2f} s"),
                (f"baremetal {name}: 20 concurrent power requests, serialized", f"{storm:.2f} s"),
            ]
    return figures


if __name__ == "__main__":
    for label, value in run():
        print(f"{label}: {value}")
