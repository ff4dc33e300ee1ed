"""The climc commands as a user runs them: output, stored credentials, exit codes."""

import json
import stat
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner, Result
from websockets.sync.server import ServerConnection

from climc import cli, config

runner = CliRunner()
NOT_LOGGED_IN = "error: not logged in or token expired — run climc login"
PROJECT = {
    "id": "UHJvamVjdDox",
    "name": "demo",
    "description": None,
    "enabled": True,
    "createdAt": "2025-01-01T00:00:00+00:00",
    "domain": {"id": "RG9tYWluOjE=", "name": "default"},
}
EVENT = {
    "id": "QXVkaXQ6MQ==",
    "time": "2025-01-01T00:00:00+00:00",
    "actorId": "VXNlcjox",
    "actorName": "admin",
    "projectId": "UHJvamVjdDox",
    "operation": "projectCreate",
    "targetType": "project",
    "targetId": "UHJvamVjdDoy",
    "outcome": "SUCCESS",
    "errorCode": None,
    "requestId": "r1",
    "clientIp": "127.0.0.1",
}


def climc(*args: str, **env: str) -> Result:
    return runner.invoke(cli.app, list(args), env=env or None)


def assert_one_error_line(result: Result, exit_code: int, line: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.splitlines() == [line]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def refuse(status: int, body: dict[str, Any]) -> Callable[[Any], httpx.Response]:
    return lambda variables: httpx.Response(status, json=body)


# --- login and logout ---------------------------------------------------------

TOKEN = {
    "token": "fresh-token",
    "expiresAt": "2030-01-01T00:00:00Z",
    "user": {"id": "VXNlcjox", "name": "alice"},
    "errors": [],
}


def test_login_stores_a_private_token(api: Any) -> None:
    api.on("tokenCreate", TOKEN)

    result = climc("login", "-u", "alice", "-p", "pw", "--url", "http://nimbus.test")

    assert result.exit_code == 0, result.output
    assert result.stdout == ("Logged in as alice (project admin) at http://nimbus.test\n")
    assert api.last("tokenCreate")["variables"]["input"] == {
        "username": "alice",
        "password": "pw",
        "project": "admin",
        "domain": "default",
    }
    assert "Authorization" not in api.last("tokenCreate")["headers"]
    stored = config.load()
    assert stored == config.Credentials(
        url="http://nimbus.test",
        token="fresh-token",
        expires_at="2030-01-01T00:00:00Z",
        user="alice",
        project="admin",
    )
    mode = config.credentials_path().stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_login_reads_the_password_from_the_environment(api: Any) -> None:
    api.on("tokenCreate", TOKEN)

    result = climc("login", "-u", "alice", "--project", "demo", NIMBUS_PASSWORD="from-env")

    assert result.exit_code == 0, result.output
    assert api.last("tokenCreate")["variables"]["input"]["password"] == "from-env"
    assert "at http://127.0.0.1:8000" in result.stdout


def test_login_prompts_for_a_hidden_password(api: Any) -> None:
    api.on("tokenCreate", TOKEN)

    result = runner.invoke(cli.app, ["login", "-u", "alice"], input="typed\n")

    assert result.exit_code == 0, result.output
    assert "typed" not in result.output
    assert api.last("tokenCreate")["variables"]["input"]["password"] == "typed"


def test_login_refused_is_one_line_with_the_field(api: Any) -> None:
    problem = {"field": "password", "message": "wrong password", "code": "INVALID"}
    api.on("tokenCreate", {"token": None, "errors": [problem]})

    result = climc("login", "-u", "alice", "-p", "bad")

    assert_one_error_line(result, 1, "error: password: wrong password (INVALID)")
    assert config.load() is None


def test_logout_revokes_and_forgets(api: Any, logged_in: Any) -> None:
    api.on("tokenRevoke", {"revoked": True, "errors": []})

    result = climc("logout")

    assert result.exit_code == 0, result.output
    request = api.last("tokenRevoke")
    assert request["variables"] == {"input": {}}
    assert request["headers"]["Authorization"] == "Bearer stored-token"
    assert config.load() == config.Credentials(url=logged_in.url)


def test_logout_when_the_server_is_gone(closed_port: int) -> None:
    config.save(config.Credentials(url=f"http://127.0.0.1:{closed_port}", token="t"))

    result = climc("logout")

    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: token not revoked on the server")
    assert config.load() == config.Credentials(url=f"http://127.0.0.1:{closed_port}")


def test_logout_when_not_logged_in() -> None:
    result = climc("logout")

    assert result.exit_code == 0
    assert result.stdout == "Not logged in.\n"


# --- error mapping --------------------------------------------------------------


def test_not_logged_in_is_exit_4_without_a_request(api: Any) -> None:
    assert_one_error_line(climc("project-list"), 4, NOT_LOGGED_IN)
    assert api.requests == []


def test_token_of_another_server_is_not_sent(api: Any, logged_in: Any) -> None:
    result = climc("project-list", "--url", "http://elsewhere.test")

    assert_one_error_line(result, 4, NOT_LOGGED_IN)
    assert api.requests == []


def test_http_401_is_exit_4(api: Any, logged_in: Any) -> None:
    api.on("projects", refuse(401, {"errors": [{"message": "token expired"}]}))

    assert_one_error_line(climc("project-list"), 4, NOT_LOGGED_IN)


def test_unauthenticated_error_is_exit_4(api: Any, logged_in: Any) -> None:
    error = {"message": "expired", "extensions": {"code": "UNAUTHENTICATED"}}
    api.on("me", refuse(200, {"data": None, "errors": [error]}))

    assert_one_error_line(climc("whoami"), 4, NOT_LOGGED_IN)


def test_forbidden_is_exit_1(api: Any, logged_in: Any) -> None:
    error = {
        "message": "missing permission identity.user.list",
        "extensions": {"code": "FORBIDDEN"},
    }
    api.on("users", refuse(200, {"data": None, "errors": [error]}))

    result = climc("user-list")

    assert_one_error_line(result, 1, "error: missing permission identity.user.list")


def test_payload_errors_are_exit_1_with_field_message_code(api: Any, logged_in: Any) -> None:
    problem = {"field": "name", "message": "already exists", "code": "CONFLICT"}
    api.on("projectCreate", {"project": None, "errors": [problem]})

    result = climc("project-create", "demo")

    assert_one_error_line(result, 1, "error: name: already exists (CONFLICT)")


def test_connection_refused_is_exit_3(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    config.save(config.Credentials(url=url, token="t"))

    result = climc("project-list")

    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: cannot connect to Nimbus at {url}")
    assert "Traceback" not in result.output


def test_multi_line_server_messages_stay_on_one_line(api: Any, logged_in: Any) -> None:
    error = {"message": "boom\n  at resolver\n", "extensions": {}}
    api.on("roles", refuse(500, {"data": None, "errors": [error]}))

    assert_one_error_line(climc("role-list"), 1, "error: boom at resolver")


@pytest.mark.parametrize(
    "args",
    [
        ["project-list", "--limit", "101"],
        ["project-list", "--limit", "0"],
        ["project-list", "-o", "xml"],
        ["role-assign", "member", "--project-id", "p"],
        ["role-assign", "member", "--user-id", "u", "--group-id", "g", "--system"],
        ["role-assign", "member", "--user-id", "u"],
        ["role-assign", "member", "--user-id", "u", "--system", "--domain-id", "d"],
        ["audit-list", "--since", "yesterday"],
        ["audit-list", "--outcome", "MAYBE"],
    ],
)
def test_usage_errors_are_exit_2(api: Any, logged_in: Any, args: list[str]) -> None:
    result = climc(*args)

    assert result.exit_code == 2, result.output
    assert api.requests == []


def test_main_exits_with_the_code(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["climc", "whoami"])

    with pytest.raises(SystemExit) as exited:
        cli.main()

    assert exited.value.code == 4
    assert capsys.readouterr().err == NOT_LOGGED_IN + "\n"


# --- lists and objects ------------------------------------------------------------


def test_project_list_table(api: Any, logged_in: Any) -> None:
    api.on("projects", api.page([PROJECT]))

    result = climc("project-list")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "id",
        "name",
        "domain",
        "enabled",
        "description",
        "createdAt",
    ]
    assert lines[2].split() == [
        "UHJvamVjdDox",
        "demo",
        "default",
        "true",
        "2025-01-01T00:00:00+00:00",
    ]
    request = api.last("projects")
    assert request["variables"] == {"first": 50, "after": None}
    assert request["headers"]["Authorization"] == "Bearer stored-token"


def test_project_list_json_and_yaml(api: Any, logged_in: Any) -> None:
    api.on("projects", api.page([PROJECT]))

    assert json.loads(climc("project-list", "-o", "json").stdout) == [PROJECT]
    assert yaml.safe_load(climc("project-list", "-o", "yaml").stdout) == [PROJECT]


def test_empty_list(api: Any, logged_in: Any) -> None:
    api.on("users", api.page([]))

    result = climc("user-list")

    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No results.\n"


def test_limit_is_first_and_all_follows_pages(api: Any, logged_in: Any) -> None:
    pages = [api.page([PROJECT], end="c0"), api.page([PROJECT])]
    api.on(
        "projects",
        lambda variables: httpx.Response(200, json={"data": {"projects": pages.pop(0)}}),
    )

    result = climc("project-list", "--limit", "1", "--all", "-o", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [PROJECT, PROJECT]
    sent = [request["variables"] for request in api.requests]
    assert sent == [{"first": 1, "after": None}, {"first": 1, "after": "c0"}]


def test_without_all_only_the_first_page(api: Any, logged_in: Any) -> None:
    api.on("projects", api.page([PROJECT], end="c0"))

    result = climc("project-list", "-o", "json")

    assert json.loads(result.stdout) == [PROJECT]
    assert len(api.requests) == 1


def test_whoami(api: Any, logged_in: Any) -> None:
    me = {
        "user": {"id": "VXNlcjox", "name": "admin"},
        "project": {"id": "UHJvamVjdDox", "name": "admin"},
        "roles": ["admin"],
        "permissions": ["identity.project.create", "identity.user.create"],
    }
    api.on("me", me)

    assert json.loads(climc("whoami", "-o", "json").stdout) == me
    table = climc("whoami").stdout
    assert "identity.project.create, identity.user.create" in table


# --- mutations --------------------------------------------------------------------


def test_project_create_and_delete(api: Any, logged_in: Any) -> None:
    api.on("projectCreate", {"project": PROJECT, "errors": []})
    api.on("projectDelete", {"deletedId": PROJECT["id"], "errors": []})

    created = climc("project-create", "demo", "--description", "team")
    deleted = climc("project-delete", "UHJvamVjdDox")

    assert created.stdout == "Created project demo (UHJvamVjdDox)\n"
    assert api.last("projectCreate")["variables"]["input"] == {
        "name": "demo",
        "description": "team",
    }
    assert deleted.stdout == "Deleted project UHJvamVjdDox\n"
    assert api.last("projectDelete")["variables"]["input"] == {"id": "UHJvamVjdDox"}


def test_user_create_and_delete(api: Any, logged_in: Any) -> None:
    user = {"id": "VXNlcjoy", "name": "bob", "email": "bob@example.org"}
    api.on("userCreate", {"user": user, "errors": []})
    api.on("userDelete", {"deletedId": "VXNlcjoy", "errors": []})

    created = climc("user-create", "bob", "--password", "pw", "--email", "bob@example.org")
    deleted = climc("user-delete", "VXNlcjoy")

    assert created.stdout == "Created user bob (VXNlcjoy)\n"
    assert api.last("userCreate")["variables"]["input"] == {
        "name": "bob",
        "password": "pw",
        "email": "bob@example.org",
    }
    assert deleted.stdout == "Deleted user VXNlcjoy\n"


def test_role_assign(api: Any, logged_in: Any) -> None:
    assignment = {
        "id": "UkE6MQ==",
        "role": {"id": "Um9sZTox", "name": "member"},
        "user": {"id": "VXNlcjoy", "name": "bob"},
        "group": None,
        "project": {"id": "UHJvamVjdDox", "name": "demo"},
        "domain": None,
        "system": False,
    }
    api.on("roleAssignmentCreate", {"roleAssignment": assignment, "errors": []})

    result = climc("role-assign", "member", "--user-id", "VXNlcjoy", "--project-id", "UHJvamVjdDox")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Assigned role member to user bob on project demo\n"
    assert api.last("roleAssignmentCreate")["variables"]["input"] == {
        "role": "member",
        "userId": "VXNlcjoy",
        "projectId": "UHJvamVjdDox",
        "system": False,
    }


# --- audit ------------------------------------------------------------------------


def test_audit_list_filters(api: Any, logged_in: Any) -> None:
    api.on("auditEvents", api.page([EVENT]))

    result = climc(
        "audit-list",
        "--since",
        "2025-01-01T00:00:00Z",
        "--operation",
        "projectCreate",
        "--outcome",
        "failure",
        "--project-id",
        "UHJvamVjdDox",
        "--limit",
        "10",
    )

    assert result.exit_code == 0, result.output
    assert api.last("auditEvents")["variables"] == {
        "first": 10,
        "after": None,
        "filter": {
            "since": "2025-01-01T00:00:00Z",
            "projectId": "UHJvamVjdDox",
            "operation": "projectCreate",
            "outcome": "FAILURE",
        },
    }
    header = result.stdout.splitlines()[0].split()
    assert header == list(cli.AUDIT_COLUMNS)


def _logged_in_at(url: str) -> None:
    config.save(config.Credentials(url=url, token="stored-token"))


def test_audit_follow_prints_existing_then_new_events(api: Any, ws_server: Callable[..., Any]) -> None:
    denied = {**EVENT, "id": "QXVkaXQ6Mg==", "outcome": "DENIED"}
    newer = {**EVENT, "id": "QXVkaXQ6Mw=="}

    def script(server: Any, ws: ServerConnection) -> None:
        server.stream(ws, [denied, newer])

    server = ws_server(script)
    _logged_in_at(server.url)
    later = {**EVENT, "id": "QXVkaXQ6MA==", "time": "2025-01-02T00:00:00+00:00"}
    api.on("auditEvents", api.page([later, EVENT]))  # newest first, as listed

    result = climc("audit-list", "--follow", "--outcome", "SUCCESS", "-o", "json")

    assert result.exit_code == 0, result.output
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert printed == [EVENT, later, newer]
    assert server.received[0]["payload"] == {"authorization": "Bearer stored-token"}


def test_audit_follow_table_lines(api: Any, ws_server: Callable[..., Any]) -> None:
    server = ws_server(lambda server, ws: server.stream(ws, [EVENT]))
    _logged_in_at(server.url)
    api.on("auditEvents", api.page([]))

    result = climc("audit-list", "-f")

    assert result.exit_code == 0, result.output
    header, line = result.stdout.splitlines()
    assert header.split("\t") == list(cli.AUDIT_COLUMNS)
    assert line.split("\t")[:3] == [
        "2025-01-01T00:00:00+00:00",
        "admin",
        "projectCreate",
    ]


def test_audit_follow_ends_quietly_on_ctrl_c(api: Any, logged_in: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_stream", interrupted)
    api.on("auditEvents", api.page([EVENT]))

    result = climc("audit-list", "--follow", "-o", "json")

    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [EVENT]
    assert result.stderr == ""


def test_audit_follow_refused_subscription_is_exit_4(api: Any, ws_server: Callable[..., Any]) -> None:
    def script(server: Any, ws: ServerConnection) -> None:
        server.receive(ws)
        ws.close(4403, "Forbidden")

    server = ws_server(script)
    _logged_in_at(server.url)
    api.on("auditEvents", api.page([]))

    result = climc("audit-list", "--follow", "-o", "json")

    assert result.exit_code == 4
    assert result.stderr.splitlines() == [NOT_LOGGED_IN]
