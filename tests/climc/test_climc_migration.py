"""server-migrate, server-live-migrate and host-maintenance-enter/exit: what they send and print."""

from typing import Any

from typer.testing import CliRunner, Result

from climc import cli

runner = CliRunner()
SERVER = {"id": "U2VydmVyOjE=", "name": "web", "status": "MIGRATING"}
TASK = {"id": "VGFzazox", "kind": "server.migrate", "status": "QUEUED"}
HOST = {"id": "SG9zdDox", "name": "kvm-1", "status": "MAINTENANCE"}


def climc(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def test_server_migrate_to_a_named_host(api: Any, logged_in: Any) -> None:
    api.on("serverMigrate", {"server": SERVER, "task": TASK, "errors": []})
    result = climc("server-migrate", SERVER["id"], "--host", "SG9zdDoy")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Migrating server web ({SERVER['id']}), task {TASK['id']}\n"
    assert api.last("serverMigrate")["variables"]["input"] == {"id": SERVER["id"], "hostId": "SG9zdDoy"}


def test_server_live_migrate_lets_the_scheduler_choose(api: Any, logged_in: Any) -> None:
    api.on("serverLiveMigrate", {"server": SERVER, "task": TASK, "errors": []})
    assert climc("server-live-migrate", SERVER["id"]).exit_code == 0
    assert api.last("serverLiveMigrate")["variables"]["input"] == {"id": SERVER["id"]}


def test_a_host_without_room_is_one_line_on_stderr(api: Any, logged_in: Any) -> None:
    refused = {"message": "No host has room for 2 vCPU", "field": None, "code": "NO_CAPACITY"}
    api.on("serverMigrate", {"server": None, "task": None, "errors": [refused]})
    result = climc("server-migrate", SERVER["id"], "--host", "SG9zdDoy")
    assert result.exit_code == 1
    assert "No host has room for 2 vCPU" in result.stderr


def test_host_maintenance_enter_and_exit(api: Any, logged_in: Any) -> None:
    drain = {**TASK, "kind": "host.drain"}
    api.on("hostMaintenanceEnter", {"host": HOST, "task": drain, "errors": []})
    entered = climc("host-maintenance-enter", HOST["id"], "--live")
    assert entered.stdout == f"Host kvm-1 is in maintenance; draining, task {TASK['id']}\n"
    assert api.last("hostMaintenanceEnter")["variables"]["input"] == {"id": HOST["id"], "live": True}
    api.on("hostMaintenanceExit", {"host": {**HOST, "status": "ONLINE"}, "errors": []})
    assert climc("host-maintenance-exit", HOST["id"]).stdout == "Host kvm-1 is online\n"
