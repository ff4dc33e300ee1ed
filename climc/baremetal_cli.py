"""The `baremetal-*` commands: register, inspect, power and boot physical machines."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from climc.baremetal_client import BaremetalApi
from climc.cli import (
    AllOption,
    LimitOption,
    OutputOption,
    UrlOption,
    WaitOption,
    _rows,
    _session,
    _show,
    _task_note,
    _wait,
    command,
)
from climc.client import JSON, NimbusClient
from climc.output import OutputFormat

COLUMNS = ("id", "name", "protocol", "bmc", "status", "powerState", "bootDevice", "cpus", "memoryMb", "error")


class Protocol(StrEnum):
    IPMI = "IPMI"
    REDFISH = "REDFISH"


class Device(StrEnum):
    PXE = "PXE"
    DISK = "DISK"
    CDROM = "CDROM"
    BIOS = "BIOS"


HostArgument = Annotated[str, typer.Argument(help="The baremetal host's ID.")]


def _started(client: NimbusClient, what: str, payload: JSON, wait: bool) -> None:
    task = payload.get("task")
    host = payload["host"]
    typer.echo(f"{what} {host['name']} ({host['id']}){_task_note(task)}")
    if wait and task:
        _wait(client, task)


@command("baremetal-list")
def baremetal_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List baremetal hosts."""
    with _session(url) as client:
        rows = _rows(BaremetalApi(client).hosts, limit, all_pages)
    _show(rows, output, COLUMNS, lambda h: {**h, "bmc": f"{h['bmcAddress']}:{h['bmcPort']}"})


@command("baremetal-register")
def baremetal_register(
    name: Annotated[str, typer.Argument(help="Name, unique on the platform.")],
    protocol: Annotated[Protocol, typer.Option(help="How to talk to the BMC.", case_sensitive=False)],
    address: Annotated[str, typer.Option(help="The BMC's address (or Redfish base URL).")],
    username: Annotated[str, typer.Option(help="BMC user.")],
    password: Annotated[str, typer.Option(help="BMC password (stored encrypted).", prompt=True, hide_input=True)],
    port: Annotated[int | None, typer.Option(help="BMC port (623 IPMI, 443 Redfish by default).")] = None,
    system_id: Annotated[str | None, typer.Option(help="Redfish system id when the BMC has several.")] = None,
    agent: Annotated[str | None, typer.Option(help="The baremetal agent reaching the BMC.")] = None,
    mac: Annotated[list[str] | None, typer.Option(help="A MAC it PXE-boots from; repeatable.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Register a physical machine by its BMC (system admins); inspection starts at once."""
    with _session(url) as client:
        payload = BaremetalApi(client).register(
            name=name,
            protocol=protocol.value,
            address=address,
            username=username,
            password=password,
            port=port,
            systemId=system_id,
            agent=agent,
            macs=mac or None,
        )
        _started(client, "Registered", payload, wait)


@command("baremetal-inspect")
def baremetal_inspect(host_id: HostArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Read the host's inventory from its BMC again."""
    with _session(url) as client:
        _started(client, "Inspecting", BaremetalApi(client).inspect(host_id), wait)


@command("baremetal-power-on")
def baremetal_power_on(host_id: HostArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Power the host on."""
    with _session(url) as client:
        _started(client, "Powering on", BaremetalApi(client).power(host_id, "on"), wait)


@command("baremetal-power-off")
def baremetal_power_off(host_id: HostArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Power the host off (hard)."""
    with _session(url) as client:
        _started(client, "Powering off", BaremetalApi(client).power(host_id, "off"), wait)


@command("baremetal-reset")
def baremetal_reset(host_id: HostArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Reset the host (powers it on when it is off)."""
    with _session(url) as client:
        _started(client, "Resetting", BaremetalApi(client).power(host_id, "reset"), wait)


@command("baremetal-boot-device")
def baremetal_boot_device(
    host_id: HostArgument,
    device: Annotated[Device, typer.Argument(help="What to boot from next.", case_sensitive=False)],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Set the device the host boots from next."""
    with _session(url) as client:
        _started(
            client, f"Boot device {device.value} for", BaremetalApi(client).set_boot_device(host_id, device.value), wait
        )


@command("baremetal-maintenance")
def baremetal_maintenance(
    host_id: HostArgument,
    off: Annotated[bool, typer.Option("--off", help="Leave maintenance instead of entering it.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why, for other admins.")] = None,
    url: UrlOption = None,
) -> None:
    """Put the host into maintenance (out of scheduling), or take it out with --off."""
    with _session(url) as client:
        host = BaremetalApi(client).maintenance(host_id, not off, reason)["host"]
    typer.echo(f"{host['name']} is {host['status']}")
