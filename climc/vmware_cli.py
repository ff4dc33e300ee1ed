"""The `vmware-account-*` commands, and the `server-*` verbs only VMware servers have."""

from __future__ import annotations

from typing import Annotated

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
    _task_note,
    _wait,
    command,
)
from climc.client import JSON, NimbusClient
from climc.output import OutputFormat
from climc.vmware_client import VmwareApi

ACCOUNT_COLUMNS = ("id", "name", "endpoint", "status", "hosts", "vms", "lastSyncAt", "lastError")
ServerArgument = Annotated[str, typer.Argument(help="The server's ID.")]


def _started(client: NimbusClient, what: str, payload: JSON, wait: bool) -> None:
    task = payload.get("task")
    typer.echo(f"{what}{_task_note(task)}")
    if wait and task:
        _wait(client, task)


@command("vmware-account-list")
def vmware_account_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List VMware accounts with their sync status."""
    with _session(url) as client:
        rows = _rows(VmwareApi(client).accounts, limit, all_pages)

    def view(account: JSON) -> JSON:
        counts = account.get("inventory") or {}
        return {**account, "hosts": counts.get("hosts"), "vms": counts.get("vms")}

    _show(rows, output, ACCOUNT_COLUMNS, view)


@command("vmware-account-create")
def vmware_account_create(
    name: Annotated[str, typer.Argument(help="Unique name.")],
    endpoint: Annotated[str, typer.Option(help="https://vcenter[:port] (http:// for a lab).")],
    username: Annotated[str, typer.Option(help="The user to sign in as.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="Stored encrypted.")],
    project_id: Annotated[str | None, typer.Option(help="Project the VMs belong to; default: your token's.")] = None,
    datacenter: Annotated[list[str] | None, typer.Option(help="Sync only this datacenter (repeatable).")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Register a vCenter/ESXi endpoint and start its first sync (run `nimbus agent esxi --account ID`)."""
    with _session(url) as client:
        payload = VmwareApi(client).create(
            name=name,
            endpoint=endpoint,
            username=username,
            password=password,
            projectId=project_id,
            datacenters=datacenter or [],
        )
        account = payload["vmwareAccount"]
        _started(client, f"Created VMware account {account['name']} ({account['id']})", payload, wait)


@command("vmware-account-sync")
def vmware_account_sync(
    account_id: Annotated[str, typer.Argument(help="The account's ID.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """List the account's inventory afresh."""
    with _session(url) as client:
        payload = VmwareApi(client).sync(account_id)
        _started(client, f"Syncing VMware account {payload['vmwareAccount']['name']}", payload, wait)


@command("server-reconfigure")
def server_reconfigure(
    server_id: ServerArgument,
    vcpus: Annotated[int, typer.Option(help="Virtual CPUs.")],
    memory_mb: Annotated[int, typer.Option(help="Memory in MiB.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Change a VMware server's CPUs and memory."""
    with _session(url) as client:
        payload = VmwareApi(client).reconfigure(server_id, vcpus, memory_mb)
        _started(client, f"Reconfiguring server {payload['server']['name']}", payload, wait)


@command("server-snapshot")
def server_snapshot(
    verb: Annotated[str, typer.Argument(help="create, revert or delete.")],
    server_id: ServerArgument,
    name: Annotated[str, typer.Argument(help="The snapshot's name.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Create, revert to or delete a named snapshot of a VMware server."""
    if verb not in ("create", "revert", "delete"):
        raise typer.BadParameter("use create, revert or delete", param_hint="VERB")
    with _session(url) as client:
        payload = VmwareApi(client).snapshot(verb, server_id, name)
        _started(client, f"Snapshot {verb} {name} on server {payload['server']['name']}", payload, wait)


@command("server-clone")
def server_clone(
    source_id: ServerArgument,
    name: Annotated[str, typer.Argument(help="The new server's name.")],
    project_id: Annotated[str | None, typer.Option(help="Its project; default: the source's.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Create a server as a clone of a VMware server's VM."""
    with _session(url) as client:
        payload = VmwareApi(client).clone(source_id, name, project_id)
        server = payload["server"]
        _started(client, f"Cloning into server {server['name']} ({server['id']})", payload, wait)
