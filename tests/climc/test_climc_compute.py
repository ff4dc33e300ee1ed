"""The compute commands: lists, servers, networks, tasks, and following a task with --wait."""

import io
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result
from websockets.sync.server import ServerConnection

from climc import cli, config

runner = CliRunner()
SERVER_ID = "U2VydmVyOjE="
TASK_ID = "VGFzazox"
SERVER = {
    "id": SERVER_ID,
    "name": "web",
    "status": "RUNNING",
    "vcpus": 2,
    "memoryMb": 2048,
    "diskGb": 10,
    "vncPort": 5900,
    "error": None,
    "createdAt": "2025-01-01T00:00:00+00:00",
    "project": {"id": "UHJvamVjdDox", "name": "demo"},
    "host": {"id": "SG9zdDox", "name": "kvm-1"},
    "nics": [
        {
            "id": "TmljOjE=",
            "mac": "52:54:00:aa:bb:cc",
            "ipAddress": "10.0.0.5",
            "index": 0,
            "network": {"id": "TmV0d29yazox", "name": "net1"},
        }
    ],
    "disks": [{"id": "RGlzazox", "sizeGb": 10, "bootIndex": 0, "status": "READY"}],
    "task": None,
}
HOST = {
    "id": "SG9zdDox",
    "name": "kvm-1",
    "status": "ONLINE",
    "enabled": True,
    "hypervisor": "kvm",
    "arch": "x86_64",
    "cpus": 8,
    "memoryMb": 16384,
    "storageGb": 500,
    "cpuRatio": 4.0,
    "memoryRatio": 1.0,
    "storageRatio": 1.0,
    "vcpusUsed": 6,
    "memoryUsedMb": 4096,
    "storageUsedGb": 30,
    "serversCount": 3,
    "tags": ["ssd"],
    "lastHeartbeat": "2025-01-01T00:00:00+00:00",
    "createdAt": "2025-01-01T00:00:00+00:00",
    "zone": None,
}
NETWORK = {
    "id": "TmV0d29yazox",
    "name": "net1",
    "cidr": "10.0.0.0/24",
    "gateway": "10.0.0.1",
    "bridge": None,
    "vlanId": None,
    "shared": False,
    "createdAt": "2025-01-01T00:00:00+00:00",
    "project": {"id": "UHJvamVjdDox", "name": "demo"},
}
TASK = {
    "id": TASK_ID,
    "kind": "server.create",
    "status": "QUEUED",
    "progress": 0,
    "stage": "schedule",
    "error": None,
    "result": None,
    "actorName": "admin",
    "cancelRequested": False,
    "createdAt": "2025-01-01T00:00:00+00:00",
    "startedAt": None,
    "finishedAt": None,
    "target": {"id": SERVER_ID, "type": "Server"},
    "parent": None,
}
RUNNING = {**TASK, "status": "RUNNING", "progress": 40, "stage": "boot"}
SUCCEEDED = {**TASK, "status": "SUCCEEDED", "progress": 100, "stage": "done"}
FAILED = {**TASK, "status": "FAILED", "progress": 40, "stage": "boot", "error": "No host has room\nfor 64 vCPUs"}
CREATED = {"servers": [{**SERVER, "status": "PENDING", "host": None, "nics": []}], "task": TASK, "errors": []}
STOP = {**TASK, "kind": "server.stop", "stage": "shutdown"}


def climc(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def assert_one_error_line(result: Result, exit_code: int, line: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.splitlines() == [line]
    assert "Traceback" not in result.output


def answer(field: str, *data: Any) -> Callable[[dict[str, Any]], httpx.Response]:
    """Answer `field` with each of `data` in turn, then with the last one again and again."""
    remaining = list(data)

    def reply(variables: dict[str, Any]) -> httpx.Response:
        value = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return httpx.Response(200, json={"data": {field: value}})

    return reply


def typed(typename: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": typename, **obj}


def _logged_in_at(url: str) -> None:
    config.save(config.Credentials(url=url, token="stored-token"))


@pytest.fixture
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "POLL_INTERVAL", 0)


# --- lists ------------------------------------------------------------------------


def test_server_list_table(api: Any, logged_in: Any) -> None:
    api.on("servers", api.page([SERVER]))

    result = climc("server-list")

    assert result.exit_code == 0, result.output
    header, _rule, row = result.stdout.splitlines()
    assert header.split() == ["id", "name", "status", "vcpus", "memory", "host", "IPs"]
    assert row.split() == [SERVER_ID, "web", "RUNNING", "2", "2048", "MB", "kvm-1", "10.0.0.5"]
    assert api.last("servers")["variables"] == {"first": 50, "after": None}


def test_server_list_json_is_the_api_objects(api: Any, logged_in: Any) -> None:
    api.on("servers", api.page([SERVER]))

    result = climc("server-list", "-o", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [SERVER]


def test_server_list_filters(api: Any, logged_in: Any) -> None:
    api.on("servers", api.page([]))

    result = climc(
        "server-list", "--status", "stopped", "--project-id", "UHJvamVjdDox", "--host-id", "SG9zdDox", "--limit", "5"
    )

    assert result.exit_code == 0, result.output
    assert api.last("servers")["variables"] == {
        "first": 5,
        "after": None,
        "filter": {"status": "STOPPED", "projectId": "UHJvamVjdDox", "hostId": "SG9zdDox"},
    }
    assert result.stderr == "No results.\n"


def test_server_list_all_follows_pages(api: Any, logged_in: Any) -> None:
    api.on("servers", answer("servers", api.page([SERVER], end="c0"), api.page([SERVER])))

    result = climc("server-list", "--all", "-o", "json")

    assert json.loads(result.stdout) == [SERVER, SERVER]
    assert [request["variables"]["after"] for request in api.requests] == [None, "c0"]


def test_host_list_table(api: Any, logged_in: Any) -> None:
    api.on("hosts", api.page([HOST]))

    result = climc("host-list")

    assert result.exit_code == 0, result.output
    header, _rule, row = result.stdout.splitlines()
    assert header.split() == ["name", "status", "enabled", "cpus", "vcpus", "memory", "servers"]
    # vcpus and memory: used / (physical size * overcommit ratio)
    assert row.split() == ["kvm-1", "ONLINE", "true", "8", "6/32", "4096/16384", "MB", "3"]


def test_host_list_json(api: Any, logged_in: Any) -> None:
    api.on("hosts", api.page([HOST]))

    assert json.loads(climc("host-list", "-o", "json").stdout) == [HOST]


def test_host_list_forbidden_for_tenants(api: Any, logged_in: Any) -> None:
    error = {"message": "missing permission compute.host.list", "extensions": {"code": "FORBIDDEN"}}
    api.on("hosts", lambda variables: httpx.Response(200, json={"data": None, "errors": [error]}))

    assert_one_error_line(climc("host-list"), 1, "error: missing permission compute.host.list")


def test_network_list_and_create(api: Any, logged_in: Any) -> None:
    api.on("networks", api.page([NETWORK]))
    api.on("networkCreate", {"network": NETWORK, "errors": []})

    listed = climc("network-list")
    created = climc("network-create", "net1", "--cidr", "10.0.0.0/24", "--gateway", "10.0.0.1")

    header, _rule, row = listed.stdout.splitlines()
    assert header.split() == ["id", "name", "cidr", "gateway", "shared", "project"]
    assert row.split() == ["TmV0d29yazox", "net1", "10.0.0.0/24", "10.0.0.1", "false", "demo"]
    assert created.exit_code == 0, created.output
    assert created.stdout == "Created network net1 10.0.0.0/24 (TmV0d29yazox)\n"
    assert api.last("networkCreate")["variables"]["input"] == {
        "name": "net1",
        "cidr": "10.0.0.0/24",
        "gateway": "10.0.0.1",
    }


def test_task_list_table_and_filters(api: Any, logged_in: Any) -> None:
    api.on("tasks", api.page([RUNNING]))

    result = climc("task-list", "--status", "running", "--kind", "server.create", "--top-level")

    assert result.exit_code == 0, result.output
    header, _rule, row = result.stdout.splitlines()
    assert header.split() == ["id", "kind", "status", "progress", "stage", "error"]
    assert row.split() == [TASK_ID, "server.create", "RUNNING", "40%", "boot"]
    assert api.last("tasks")["variables"]["filter"] == {
        "status": "RUNNING",
        "kind": "server.create",
        "topLevel": True,
    }


# --- servers ----------------------------------------------------------------------


def test_server_show_table(api: Any, logged_in: Any) -> None:
    api.on("node", typed("Server", {**SERVER, "task": RUNNING}))

    result = climc("server-show", SERVER_ID)

    assert result.exit_code == 0, result.output
    fields = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[2:]}
    assert fields["IPs"] == ["10.0.0.5", "(net1)"]
    assert fields["memory"] == ["2048", "MB"]
    assert fields["host"] == ["kvm-1"]
    assert fields["task"] == ["server.create", "RUNNING", "40%", f"({TASK_ID})"]
    assert api.last("node")["variables"] == {"id": SERVER_ID}


def test_server_show_json_drops_the_typename(api: Any, logged_in: Any) -> None:
    api.on("node", typed("Server", SERVER))

    assert json.loads(climc("server-show", SERVER_ID, "-o", "json").stdout) == SERVER


@pytest.mark.parametrize("node", [None, typed("Task", TASK)])
def test_server_show_not_found(api: Any, logged_in: Any, node: Any) -> None:
    api.on("node", node)

    assert_one_error_line(climc("server-show", SERVER_ID), 1, f"error: server {SERVER_ID} not found")


def test_server_create_sends_the_input(api: Any, logged_in: Any) -> None:
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--network-id", "TmV0d29yazox")

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Creating server web ({SERVER_ID}), task {TASK_ID}\n"
    assert api.last("serverCreate")["variables"]["input"] == {
        "name": "web",
        "vcpus": 2,
        "memoryMb": 2048,
        "diskGb": 10,
        "networkId": "TmV0d29yazox",
        "count": 1,
    }
    assert [request["field"] for request in api.requests] == ["serverCreate"]


def test_server_create_batch(api: Any, logged_in: Any) -> None:
    servers = [{**SERVER, "id": f"s{i}", "name": f"web-{i}"} for i in (1, 2, 3)]
    batch = {**TASK, "kind": "server.batch_create", "stage": "on_children_done"}
    api.on("serverCreate", {"servers": servers, "task": batch, "errors": []})

    result = climc("server-create", "web", "--vcpus", "1", "--memory", "512", "--count", "3", "--disk", "20")

    assert result.stdout == f"Creating 3 servers: web-1, web-2, web-3, task {TASK_ID}\n"
    sent = api.last("serverCreate")["variables"]["input"]
    assert (sent["count"], sent["diskGb"]) == (3, 20)


def test_server_create_payload_errors(api: Any, logged_in: Any) -> None:
    problems = [
        {"field": "vcpus", "message": "Between 1 and 128", "code": "OUT_OF_RANGE"},
        {"field": None, "message": "No host has room", "code": "NO_CAPACITY"},
    ]
    api.on("serverCreate", {"servers": [], "task": None, "errors": problems})

    result = climc("server-create", "web", "--vcpus", "500", "--memory", "512", "--wait")

    assert_one_error_line(result, 1, "error: vcpus: Between 1 and 128 (OUT_OF_RANGE); No host has room (NO_CAPACITY)")
    assert result.stdout == ""


def test_server_stop_force(api: Any, logged_in: Any) -> None:
    api.on("serverStop", {"server": SERVER, "task": STOP, "errors": []})

    result = climc("server-stop", SERVER_ID, "--force")

    assert result.exit_code == 0, result.output
    assert api.last("serverStop")["variables"] == {"input": {"id": SERVER_ID, "force": True}}


def test_server_action_refused(api: Any, logged_in: Any) -> None:
    problem = {"field": "id", "message": "Cannot start a server that is running", "code": "INVALID_STATE"}
    api.on("serverStart", {"server": None, "task": None, "errors": [problem]})

    result = climc("server-start", SERVER_ID)

    assert_one_error_line(result, 1, "error: id: Cannot start a server that is running (INVALID_STATE)")


@pytest.mark.parametrize(
    ("command", "field", "doing"),
    [
        ("server-start", "serverStart", "Starting"),
        ("server-stop", "serverStop", "Stopping"),
        ("server-reboot", "serverReboot", "Rebooting"),
        ("server-delete", "serverDelete", "Deleting"),
    ],
)
def test_server_actions(api: Any, logged_in: Any, command: str, field: str, doing: str) -> None:
    api.on(field, {"server": SERVER, "task": STOP, "errors": []})

    result = climc(command, SERVER_ID)

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{doing} server web ({SERVER_ID}), task {TASK_ID}\n"
    assert api.last(field)["variables"] == {"input": {"id": SERVER_ID}}


@pytest.mark.parametrize(
    "args",
    [
        ["server-create", "web", "--memory", "512"],
        ["server-create", "web", "--vcpus", "one", "--memory", "512"],
        ["server-list", "--status", "asleep"],
        ["task-list", "--status", "done"],
        ["network-create", "net1"],
        ["server-stop"],
    ],
)
def test_usage_errors_are_exit_2(api: Any, logged_in: Any, args: list[str]) -> None:
    result = climc(*args)

    assert result.exit_code == 2, result.output
    assert api.requests == []


# --- tasks ------------------------------------------------------------------------


def test_task_show_with_subtasks(api: Any, logged_in: Any) -> None:
    children = [
        {**SUCCEEDED, "id": "VGFzazoy", "parent": {"id": TASK_ID, "kind": "server.batch_create"}},
        {**FAILED, "id": "VGFzazoz", "error": "disk full"},
    ]
    batch = {
        **TASK,
        "kind": "server.batch_create",
        "status": "FAILED",
        "stage": "on_children_done",
        "error": "1 of 2 servers failed",
        "target": {"id": "UHJvamVjdDox", "type": "Project"},
        "result": {"failed": 1},
        "subtasks": children,
    }
    api.on("node", typed("Task", batch))

    result = climc("task-show", TASK_ID)

    assert result.exit_code == 0, result.output
    detail, subtasks = result.stdout.split("\n\n")
    fields = {line.split()[0]: line.split()[1:] for line in detail.splitlines()[2:]}
    assert fields["kind"] == ["server.batch_create"]
    assert fields["target"] == ["Project", "UHJvamVjdDox"]
    assert fields["result"] == ['{"failed":', "1}"]
    assert "subtasks" not in fields
    title, header, _rule, *rows = subtasks.splitlines()
    assert title == "Subtasks (2):"
    assert header.split() == list(cli.TASK_COLUMNS)
    assert rows[0].split() == ["VGFzazoy", "server.create", "SUCCEEDED", "100%", "done"]
    assert rows[1].split() == ["VGFzazoz", "server.create", "FAILED", "40%", "boot", "disk", "full"]

    as_json = json.loads(climc("task-show", TASK_ID, "-o", "json").stdout)
    assert as_json["subtasks"] == children


def test_task_show_without_subtasks(api: Any, logged_in: Any) -> None:
    api.on("node", typed("Task", {**SUCCEEDED, "subtasks": []}))

    result = climc("task-show", TASK_ID)

    assert result.exit_code == 0, result.output
    assert "Subtasks" not in result.stdout


def test_task_show_not_found(api: Any, logged_in: Any) -> None:
    api.on("node", None)

    assert_one_error_line(climc("task-show", "nope"), 1, "error: task nope not found")


def test_task_cancel(api: Any, logged_in: Any) -> None:
    api.on("taskCancel", {"task": {**RUNNING, "cancelRequested": True}, "errors": []})

    result = climc("task-cancel", TASK_ID)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Cancelling task {TASK_ID} (server.create)")
    assert api.last("taskCancel")["variables"] == {"input": {"id": TASK_ID}}


def test_task_cancel_refused(api: Any, logged_in: Any) -> None:
    problem = {"field": "id", "message": "The task has ended", "code": "INVALID_STATE"}
    api.on("taskCancel", {"task": None, "errors": [problem]})

    assert_one_error_line(climc("task-cancel", TASK_ID), 1, "error: id: The task has ended (INVALID_STATE)")


# --- --wait through the subscription ---------------------------------------------------


def _streaming(*states: dict[str, Any]) -> Callable[[Any, ServerConnection], None]:
    return lambda server, ws: server.stream(ws, list(states), field="taskUpdated")


def test_wait_follows_the_subscription_to_success(api: Any, ws_server: Callable[..., Any]) -> None:
    server = ws_server(_streaming(TASK, RUNNING, SUCCEEDED))
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Creating server web ({SERVER_ID}), task {TASK_ID}",
        "server.create SUCCEEDED",
    ]
    assert result.stderr == ""
    subscribe = server.received[1]["payload"]
    assert "taskUpdated(id: $id)" in subscribe["query"]
    assert subscribe["variables"] == {"id": TASK_ID}
    assert [request["field"] for request in api.requests] == ["serverCreate"]  # no polling


def test_wait_failure_is_exit_1_with_the_task_error(api: Any, ws_server: Callable[..., Any]) -> None:
    failed = {**STOP, "status": "FAILED", "error": "libvirt: domain is not running"}
    server = ws_server(_streaming(STOP, failed))
    _logged_in_at(server.url)
    api.on("serverStop", {"server": SERVER, "task": STOP, "errors": []})

    result = climc("server-stop", SERVER_ID, "--wait")

    assert_one_error_line(result, 1, "error: libvirt: domain is not running")
    assert result.stdout.splitlines()[-1] == "server.stop FAILED"


def test_wait_cancelled_without_error(api: Any, ws_server: Callable[..., Any]) -> None:
    cancelled = {**TASK, "status": "CANCELLED", "stage": "undo"}
    server = ws_server(_streaming(TASK, cancelled))
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert_one_error_line(result, 1, f"error: task {TASK_ID} ended CANCELLED")


def test_wait_multi_line_task_error_stays_one_line(api: Any, ws_server: Callable[..., Any]) -> None:
    server = ws_server(_streaming(TASK, FAILED))
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "64", "--memory", "2048", "--wait")

    assert_one_error_line(result, 1, "error: No host has room for 64 vCPUs")


def test_wait_shows_kind_and_stage_on_a_terminal(
    api: Any, ws_server: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(cli, "_progress_console", lambda: terminal)
    server = ws_server(_streaming(TASK, RUNNING, SUCCEEDED))
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert result.exit_code == 0, result.output
    drawn = screen.getvalue()
    assert "server.create: schedule" in drawn
    assert "server.create: boot" in drawn
    assert "40%" in drawn


def test_wait_error_frame_is_reported(api: Any, ws_server: Callable[..., Any]) -> None:
    def script(server: Any, ws: ServerConnection) -> None:
        operation = server.accept(ws)
        errors = [{"message": "'x' is not a valid Task id", "extensions": {"code": "BAD_USER_INPUT"}}]
        server.send(ws, {"id": operation, "type": "error", "payload": errors})

    server = ws_server(script)
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert_one_error_line(result, 1, "error: 'x' is not a valid Task id")


# --- --wait by polling ------------------------------------------------------------


def test_wait_polls_when_there_is_no_websocket(api: Any, closed_port: int, no_delay: None) -> None:
    _logged_in_at(f"http://127.0.0.1:{closed_port}")  # HTTP is faked; the websocket is refused
    api.on("serverReboot", {"server": SERVER, "task": STOP, "errors": []})
    rebooted = {**STOP, "kind": "server.reboot", "status": "SUCCEEDED", "progress": 100}
    api.on("node", answer("node", typed("Task", STOP), typed("Task", STOP), typed("Task", rebooted)))

    result = climc("server-reboot", SERVER_ID, "--wait")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "server.reboot SUCCEEDED"
    polls = [request for request in api.requests if request["field"] == "node"]
    assert len(polls) == 3
    assert all(request["variables"] == {"id": TASK_ID} for request in polls)


def test_wait_polls_to_a_failure(api: Any, closed_port: int, no_delay: None) -> None:
    _logged_in_at(f"http://127.0.0.1:{closed_port}")
    api.on("serverCreate", CREATED)
    api.on("node", answer("node", typed("Task", RUNNING), typed("Task", {**FAILED, "error": "disk full"})))

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert_one_error_line(result, 1, "error: disk full")


def test_wait_polls_when_the_subscription_breaks(api: Any, ws_server: Callable[..., Any], no_delay: None) -> None:
    def script(server: Any, ws: ServerConnection) -> None:
        operation = server.accept(ws)
        server.send(ws, {"id": operation, "type": "next", "payload": {"data": {"taskUpdated": RUNNING}}})
        ws.close(1011, "going away")

    server = ws_server(script)
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)
    api.on("node", typed("Task", SUCCEEDED))

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "server.create SUCCEEDED"
    assert api.last("node")["variables"] == {"id": TASK_ID}


def test_subscription_completing_before_the_end_is_finished_by_polling(
    api: Any, ws_server: Callable[..., Any], no_delay: None
) -> None:
    # taskUpdated also completes early when the task stops being visible to the caller.
    server = ws_server(_streaming(TASK, RUNNING))
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)
    api.on("node", answer("node", typed("Task", RUNNING), typed("Task", SUCCEEDED)))

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "server.create SUCCEEDED"
    assert len([request for request in api.requests if request["field"] == "node"]) == 2


def test_subscription_ending_early_is_checked_by_polling(
    api: Any, ws_server: Callable[..., Any], no_delay: None
) -> None:
    # taskUpdated completes without a result for a task the caller cannot see.
    server = ws_server(_streaming())
    _logged_in_at(server.url)
    api.on("serverCreate", CREATED)
    api.on("node", None)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert_one_error_line(result, 1, f"error: task {TASK_ID} not found")


# --- Ctrl-C and task-show --wait ----------------------------------------------------


def test_ctrl_c_stops_waiting_without_cancelling(api: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_subscribe_task", interrupted)
    api.on("serverCreate", CREATED)

    result = climc("server-create", "web", "--vcpus", "2", "--memory", "2048", "--wait")

    assert result.exit_code == 130, result.output
    [line] = result.stderr.splitlines()
    assert f"climc task-show {TASK_ID}" in line
    assert "Traceback" not in result.output
    assert [request["field"] for request in api.requests] == ["serverCreate"]  # no taskCancel


def test_ctrl_c_while_polling(api: Any, closed_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    _logged_in_at(f"http://127.0.0.1:{closed_port}")

    def sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("climc.client.time.sleep", sleep)
    api.on("serverStop", {"server": SERVER, "task": STOP, "errors": []})
    api.on("node", typed("Task", STOP))

    result = climc("server-stop", SERVER_ID, "--wait")

    assert result.exit_code == 130, result.output
    assert f"climc task-show {TASK_ID}" in result.stderr


def test_task_show_wait_follows_then_shows(api: Any, ws_server: Callable[..., Any]) -> None:
    server = ws_server(_streaming(RUNNING, SUCCEEDED))
    _logged_in_at(server.url)
    api.on(
        "node", answer("node", typed("Task", {**RUNNING, "subtasks": []}), typed("Task", {**SUCCEEDED, "subtasks": []}))
    )

    result = climc("task-show", TASK_ID, "--wait", "-o", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "SUCCEEDED"


def test_task_show_wait_of_a_failed_task_is_exit_1(api: Any, logged_in: Any) -> None:
    api.on("node", typed("Task", {**FAILED, "subtasks": []}))

    result = climc("task-show", TASK_ID, "--wait", "-o", "json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == "FAILED"
    assert result.stderr.splitlines() == ["error: No host has room for 64 vCPUs"]


def test_server_console_prints_an_absolute_one_time_url(api: Any, logged_in: Any) -> None:
    ticket = {
        "url": "/console/vnc?token=abc&ws=ws%3A%2F%2Fproxy%3A6080%2F%3Ftoken%3Dabc",
        "websocketUrl": "ws://proxy:6080/?token=abc",
        "token": "abc",
        "expiresAt": "2025-01-01T00:01:00+00:00",
        "errors": [],
    }
    api.on("serverConsoleCreate", ticket)

    result = climc("server-console", SERVER_ID)

    assert result.exit_code == 0, result.output
    assert (
        result.output.strip()
        == f"{logged_in.url.rstrip('/')}/console/vnc?token=abc&ws=ws%3A%2F%2Fproxy%3A6080%2F%3Ftoken%3Dabc"
    )
    assert api.last("serverConsoleCreate")["variables"] == {"input": {"id": SERVER_ID, "protocol": "VNC", "port": 22}}


def test_server_console_ssh_and_refusals(api: Any, logged_in: Any) -> None:
    problem = {"field": "id", "message": "The server is STOPPED; a console needs it RUNNING", "code": "INVALID_STATE"}
    api.on(
        "serverConsoleCreate",
        {"url": None, "websocketUrl": None, "token": None, "expiresAt": None, "errors": [problem]},
    )

    result = climc("server-console", SERVER_ID, "--protocol", "ssh", "--port", "2222")

    assert_one_error_line(result, 1, "error: id: The server is STOPPED; a console needs it RUNNING (INVALID_STATE)")
    assert api.last("serverConsoleCreate")["variables"]["input"] == {"id": SERVER_ID, "protocol": "SSH", "port": 2222}
    assert climc("server-console", SERVER_ID, "--protocol", "rdp").exit_code == 2
