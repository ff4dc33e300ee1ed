"""climc commands of volumes, device hotplug and resize: disk-*, server-disk-*, server-nic-*, server-resize."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from climc.cli import (
    AllOption,
    LimitOption,
    OutputOption,
    UrlOption,
    WaitOption,
    _rows,
    _session,
    _show,
    _wait,
    command,
)
from climc.client import JSON, NimbusClient, _compact
from climc.output import OutputFormat

DISK_COLUMNS = ("id", "name", "sizeGb", "status", "server", "device", "host", "createdAt")
PAYLOAD = "task { id kind status } errors { field message code }"
DISK_FIELDS = "id name sizeGb status device volume error createdAt server { id name } host { name }"

DISKS = f"""query($first: Int, $after: String, $filter: DiskFilter) {{
  disks(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {DISK_FIELDS} }} }} }} }}"""
MUTATIONS = {
    key: f"mutation($input: {name[0].upper()}{name[1:]}Input!) {{ {name}(input: $input) {{ {fields} {PAYLOAD} }} }}"
    for key, name, fields in (
        ("create", "diskCreate", "disk { id name sizeGb status }"),
        ("delete", "diskDelete", "disk { id name status }"),
        ("resize", "diskResize", "disk { id name sizeGb status }"),
        ("disk_attach", "serverDiskAttach", "server { id name } disk { id name }"),
        ("disk_detach", "serverDiskDetach", "server { id name } disk { id name }"),
        ("nic_attach", "serverNicAttach", "server { id name } nic { id mac ipAddress }"),
        ("nic_detach", "serverNicDetach", "server { id name } nic { id mac }"),
        ("resize_server", "serverResize", "server { id name status }"),
    )
}
NAMES = {
    "create": "diskCreate",
    "delete": "diskDelete",
    "resize": "diskResize",
    "disk_attach": "serverDiskAttach",
    "disk_detach": "serverDiskDetach",
    "nic_attach": "serverNicAttach",
    "nic_detach": "serverNicDetach",
    "resize_server": "serverResize",
}

ServerArgument = Annotated[str, typer.Argument(help="The server's id.")]
DiskArgument = Annotated[str, typer.Argument(help="The disk's id.")]


def _change(client: NimbusClient, key: str, fields: dict[str, Any]) -> JSON:
    return client.mutate(MUTATIONS[key], {"input": _compact(fields)}, NAMES[key])


def _run(url: str | None, wait: bool, key: str, fields: dict[str, Any], describe: Any) -> None:
    with _session(url) as client:
        payload = _change(client, key, fields)
        task = payload.get("task")
        typer.echo(describe(payload) + (f", task {task.get('id')}" if task else ""))
        if wait and task:
            _wait(client, task)


def _disk_view(disk: JSON) -> JSON:
    return {
        **disk,
        "server": (disk.get("server") or {}).get("name"),
        "host": (disk.get("host") or {}).get("name"),
    }


@command("disk-list")
def disk_list(
    server_id: Annotated[str | None, typer.Option(help="Only disks attached to this server.")] = None,
    project_id: Annotated[str | None, typer.Option(help="Only this project's.")] = None,
    attached: Annotated[bool | None, typer.Option("--attached/--free", help="Only attached (or free) disks.")] = None,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List disks: volumes and servers' boot disks."""
    wanted = {"serverId": server_id, "projectId": project_id, "attached": attached}
    with _session(url) as client:
        rows = _rows(
            lambda first, after=None: client._connection(DISKS, "disks", first, after, wanted), limit, all_pages
        )
    _show(rows, output, DISK_COLUMNS, _disk_view)


@command("disk-create")
def disk_create(
    name: Annotated[str, typer.Argument(help="Name.")],
    size: Annotated[int, typer.Option("--size", help="Size in GiB.")],
    server_id: Annotated[str | None, typer.Option(help="Make it on this server's host, ready to attach.")] = None,
    host_id: Annotated[str | None, typer.Option(help="Make it on this host (administrators).")] = None,
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Make a blank volume on a host's storage."""
    fields = {"name": name, "sizeGb": size, "serverId": server_id, "hostId": host_id, "projectId": project_id}
    _run(url, wait, "create", fields, lambda p: f"Creating disk {p['disk']['name']} ({p['disk']['id']})")


@command("disk-delete")
def disk_delete(disk_id: DiskArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Delete a detached volume."""
    _run(url, wait, "delete", {"id": disk_id}, lambda p: f"Deleting disk {p['disk']['name']} ({p['disk']['id']})")


@command("disk-resize")
def disk_resize(
    disk_id: DiskArgument,
    size: Annotated[int, typer.Option("--size", help="New size in GiB; disks only grow.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Grow a volume (through the guest when it is attached to a running server)."""
    fields = {"id": disk_id, "sizeGb": size}
    _run(url, wait, "resize", fields, lambda p: f"Resizing disk {p['disk']['name']} to {size} GiB")


@command("server-disk-attach")
def server_disk_attach(
    server_id: ServerArgument, disk_id: DiskArgument, wait: WaitOption = False, url: UrlOption = None
) -> None:
    """Plug a volume into a server on its host (hot while it runs)."""
    fields = {"id": server_id, "diskId": disk_id}
    _run(url, wait, "disk_attach", fields, lambda p: f"Attaching disk {p['disk']['name']} to {p['server']['name']}")


@command("server-disk-detach")
def server_disk_detach(
    server_id: ServerArgument, disk_id: DiskArgument, wait: WaitOption = False, url: UrlOption = None
) -> None:
    """Unplug a volume from a server (hot while it runs; needs a guest that answers ACPI)."""
    fields = {"id": server_id, "diskId": disk_id}
    _run(url, wait, "disk_detach", fields, lambda p: f"Detaching disk {p['disk']['name']} from {p['server']['name']}")


@command("server-nic-attach")
def server_nic_attach(
    server_id: ServerArgument,
    network_id: Annotated[str, typer.Option(help="The network; the address comes from its IPAM.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Add a network interface to a server (hot while it runs)."""
    fields = {"id": server_id, "networkId": network_id}
    _run(
        url,
        wait,
        "nic_attach",
        fields,
        lambda p: f"Attaching {p['nic']['mac']} ({p['nic']['ipAddress']}) to {p['server']['name']}",
    )


@command("server-nic-detach")
def server_nic_detach(
    server_id: ServerArgument,
    nic_id: Annotated[str, typer.Argument(help="The interface's id.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Remove a network interface from a server and give its address back."""
    fields = {"id": server_id, "nicId": nic_id}
    _run(url, wait, "nic_detach", fields, lambda p: f"Detaching {p['nic']['mac']} from {p['server']['name']}")


@command("server-resize")
def server_resize(
    server_id: ServerArgument,
    vcpus: Annotated[int | None, typer.Option(help="New virtual CPUs.")] = None,
    memory: Annotated[int | None, typer.Option(help="New memory in MB.")] = None,
    disk: Annotated[int | None, typer.Option(help="New boot disk size in GB (only grows).")] = None,
    live: Annotated[
        bool | None, typer.Option("--live/--cold", help="Only live, or stop-redefine-start; default: live if possible.")
    ] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Change a server's vCPUs, memory or boot disk size."""
    fields = {"id": server_id, "vcpus": vcpus, "memoryMb": memory, "diskGb": disk, "live": live}
    _run(url, wait, "resize_server", fields, lambda p: f"Resizing server {p['server']['name']} ({p['server']['id']})")
