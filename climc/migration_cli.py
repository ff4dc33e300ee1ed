"""climc commands that move servers between hosts: server-migrate, server-live-migrate,
host-maintenance-enter and host-maintenance-exit (administrators)."""

from typing import Annotated

import typer

from climc.cli import ServerIdArgument, UrlOption, WaitOption, _session, _task_note, _wait, command
from climc.client import JSON

SERVER_MIGRATE = """
mutation ServerMigrate($input: ServerMigrateInput!) {
  serverMigrate(input: $input) { server { id name status } task { id kind status } errors { field message code } }
}"""
SERVER_LIVE_MIGRATE = """
mutation ServerLiveMigrate($input: ServerLiveMigrateInput!) {
  serverLiveMigrate(input: $input) {
    server { id name status } task { id kind status } errors { field message code }
  }
}"""
HOST_MAINTENANCE_ENTER = """
mutation HostMaintenanceEnter($input: HostMaintenanceEnterInput!) {
  hostMaintenanceEnter(input: $input) { host { id name status } task { id kind status } errors { field message code } }
}"""
HOST_MAINTENANCE_EXIT = """
mutation HostMaintenanceExit($input: HostMaintenanceExitInput!) {
  hostMaintenanceExit(input: $input) { host { id name status } errors { field message code } }
}"""

HostIdArgument = Annotated[str, typer.Argument(metavar="ID", help="Host id.")]
TargetOption = Annotated[
    str | None, typer.Option("--host", help="The target host's id; the scheduler chooses when omitted.")
]


def _migrate(document: str, key: str, server_id: str, host: str | None, wait: bool, url: str | None) -> None:
    fields: JSON = {"id": server_id, "hostId": host} if host else {"id": server_id}
    with _session(url) as client:
        payload = client.mutate(document, {"input": fields}, key)
        server = payload.get("server") or {"id": server_id}
        task = payload.get("task")
        typer.echo(f"Migrating server {server.get('name') or server_id} ({server.get('id')}){_task_note(task)}")
        if wait and task:
            _wait(client, task)


@command("server-migrate")
def server_migrate(
    server_id: ServerIdArgument, host: TargetOption = None, wait: WaitOption = False, url: UrlOption = None
) -> None:
    """Move a server to another host: stopped, disks copied, started there if it ran."""
    _migrate(SERVER_MIGRATE, "serverMigrate", server_id, host, wait, url)


@command("server-live-migrate")
def server_live_migrate(
    server_id: ServerIdArgument, host: TargetOption = None, wait: WaitOption = False, url: UrlOption = None
) -> None:
    """Move a running server to another host without stopping it."""
    _migrate(SERVER_LIVE_MIGRATE, "serverLiveMigrate", server_id, host, wait, url)


@command("host-maintenance-enter")
def host_maintenance_enter(
    host_id: HostIdArgument,
    live: Annotated[bool, typer.Option("--live", help="Migrate running servers live.")] = False,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Stop placing servers on a host and migrate its servers away."""
    with _session(url) as client:
        payload = client.mutate(
            HOST_MAINTENANCE_ENTER, {"input": {"id": host_id, "live": live}}, "hostMaintenanceEnter"
        )
        host = payload.get("host") or {"id": host_id}
        task = payload.get("task")
        typer.echo(f"Host {host.get('name') or host_id} is in maintenance; draining{_task_note(task)}")
        if wait and task:
            _wait(client, task)


@command("host-maintenance-exit")
def host_maintenance_exit(host_id: HostIdArgument, url: UrlOption = None) -> None:
    """Put a host in maintenance back into service."""
    with _session(url) as client:
        payload = client.mutate(HOST_MAINTENANCE_EXIT, {"input": {"id": host_id}}, "hostMaintenanceExit")
    host = payload.get("host") or {"id": host_id}
    typer.echo(f"Host {host.get('name') or host_id} is {str(host.get('status')).lower()}")
