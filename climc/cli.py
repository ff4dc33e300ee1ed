"""The `climc` command line: each command is one GraphQL operation through climc.client."""

import asyncio
import functools
import json
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import aclosing, contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ParamSpec

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from climc import config
from climc.client import (
    JSON,
    AuthError,
    NimbusClient,
    NimbusError,
    TransportError,
    iterate,
    nodes,
    task_finished,
)
from climc.output import OutputFormat, render, render_line, render_object

app = typer.Typer(
    name="climc",
    help="Command-line client for the Nimbus GraphQL API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

NOT_LOGGED_IN = "not logged in or token expired — run climc login"
PROJECT_COLUMNS = ("id", "name", "domain", "enabled", "description", "createdAt")
USER_COLUMNS = ("id", "name", "email", "domain", "enabled", "createdAt")
ROLE_COLUMNS = ("id", "name", "builtIn", "description", "permissions")
AUDIT_COLUMNS = (
    "time",
    "actorName",
    "operation",
    "targetType",
    "targetId",
    "outcome",
    "errorCode",
)

SERVER_COLUMNS = ("id", "name", "status", "vcpus", "memory", "host", "IPs")
HOST_COLUMNS = ("name", "status", "enabled", "cpus", "vcpus", "memory", "servers")
NETWORK_COLUMNS = ("id", "name", "cidr", "gateway", "shared", "project")
TASK_COLUMNS = ("id", "kind", "status", "progress", "stage", "error")
# How often --wait reads the task when no websocket can be used.
POLL_INTERVAL = 0.5
# The exit code of a command stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130

P = ParamSpec("P")


class Outcome(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DENIED = "DENIED"


class ServerStatus(StrEnum):
    PENDING = "PENDING"
    SCHEDULING = "SCHEDULING"
    CREATING = "CREATING"
    RUNNING = "RUNNING"
    STARTING = "STARTING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    REBOOTING = "REBOOTING"
    MIGRATING = "MIGRATING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    ERROR = "ERROR"


class TaskStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


# --- errors -----------------------------------------------------------------


def exit_code(exc: NimbusError) -> int:
    """3 when the server cannot be reached, 4 for authentication, else 1."""
    if isinstance(exc, TransportError):
        return 3
    if isinstance(exc, AuthError):
        return 4
    return 1


def report(exc: NimbusError) -> int:
    """Print the error as one `error: ...` line on stderr; return the exit code."""
    message = NOT_LOGGED_IN if isinstance(exc, AuthError) else str(exc)
    typer.echo(f"error: {_one_line(message)}", err=True)
    return exit_code(exc)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "request failed"


def command(name: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Register a command whose NimbusErrors end as one stderr line and exit code."""

    def register(func: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                func(*args, **kwargs)
            except NimbusError as exc:
                raise typer.Exit(report(exc)) from None

        app.command(name)(run)
        return func

    return register


# --- shared options and helpers ----------------------------------------------

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Nimbus URL; else NIMBUS_URL, the stored URL, http://127.0.0.1:8000.",
        show_default=False,
    ),
]
OutputOption = Annotated[
    OutputFormat,
    typer.Option("--output", "-o", help="Output format.", case_sensitive=False),
]
LimitOption = Annotated[int, typer.Option("--limit", min=1, max=100, help="Rows per page (at most 100).")]
AllOption = Annotated[bool, typer.Option("--all", help="Fetch every page, not only the first.")]


@contextmanager
def _session(url: str | None) -> Iterator[NimbusClient]:
    """A client for the resolved URL, carrying the token stored for that URL."""
    stored = config.load()
    resolved = config.resolve_url(url, stored)
    token = config.token_for(resolved, stored)
    if token is None:
        raise AuthError(f"no stored token for {resolved}")
    with NimbusClient(resolved, token) as client:
        yield client


def _rows(page: Callable[..., JSON], limit: int, all_pages: bool) -> list[JSON]:
    if all_pages:
        return list(iterate(page, first=limit))
    return nodes(page(first=limit))


def _width() -> int | None:
    # A terminal gets tables that fit it; a pipe gets unwrapped lines.
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _show(
    rows: Sequence[JSON],
    output: OutputFormat,
    columns: Sequence[str],
    view: Callable[[JSON], JSON] | None = None,
) -> None:
    # `view` adds a table's derived columns; JSON and YAML show the API's objects as they are.
    if view is not None and output is OutputFormat.TABLE:
        rows = [view(row) for row in rows]
    text = render(rows, output, columns, width=_width())
    if text:
        typer.echo(text)
    else:
        typer.echo("No results.", err=True)


# --- session ------------------------------------------------------------------


@command("login")
def login(
    username: Annotated[str, typer.Option("--username", "-u", prompt=True, help="User name.")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            "-p",
            prompt=True,
            hide_input=True,
            envvar="NIMBUS_PASSWORD",
            help="Password; prompted for when absent.",
        ),
    ],
    project: Annotated[str, typer.Option(help="Project to scope the token to.")] = "admin",
    domain: Annotated[str, typer.Option(help="Domain of the user.")] = "default",
    url: UrlOption = None,
) -> None:
    """Log in and store a token for the next commands."""
    resolved = config.resolve_url(url, config.load())
    with NimbusClient(resolved) as client:
        payload = client.login(username, password, project, domain)
    user = str((payload.get("user") or {}).get("name") or username)
    stored = config.Credentials(
        url=resolved,
        token=str(payload["token"]),
        expires_at=payload.get("expiresAt"),
        user=user,
        project=project,
    )
    config.save(stored)
    typer.echo(f"Logged in as {user} (project {project}) at {resolved}")


@command("logout")
def logout() -> None:
    """Revoke the stored token and forget it (only forget it if the server is gone)."""
    stored = config.load()
    if stored is None or not stored.token:
        typer.echo("Not logged in.")
        return
    _revoke(stored.url, stored.token)
    config.forget_token(stored)
    typer.echo(f"Logged out of {stored.url}")


def _revoke(url: str, token: str) -> None:
    try:
        with NimbusClient(url, token, timeout=10) as client:
            client.logout()
    except AuthError:
        return  # already expired or revoked: nothing left to revoke
    except NimbusError as exc:
        warning = f"warning: token not revoked on the server: {_one_line(str(exc))}"
        typer.echo(warning, err=True)


@command("whoami")
def whoami(output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """Show the user, project, roles and permissions of the stored token."""
    with _session(url) as client:
        me = client.me()
    typer.echo(render_object(me, output, width=_width()))


# --- projects -----------------------------------------------------------------


@command("project-list")
def project_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List projects."""
    with _session(url) as client:
        rows = _rows(client.projects, limit, all_pages)
    _show(rows, output, PROJECT_COLUMNS)


@command("project-create")
def project_create(
    name: Annotated[str, typer.Argument(help="Project name.")],
    domain_id: Annotated[str | None, typer.Option(help="Domain id; default: your domain.")] = None,
    description: Annotated[str | None, typer.Option(help="Free text.")] = None,
    url: UrlOption = None,
) -> None:
    """Create a project."""
    with _session(url) as client:
        project = client.project_create(name, domain_id, description)
    typer.echo(f"Created project {project.get('name')} ({project.get('id')})")


@command("project-delete")
def project_delete(
    project_id: Annotated[str, typer.Argument(metavar="ID", help="Project id.")],
    url: UrlOption = None,
) -> None:
    """Delete a project."""
    with _session(url) as client:
        deleted = client.project_delete(project_id)
    typer.echo(f"Deleted project {deleted}")


# --- users --------------------------------------------------------------------


@command("user-list")
def user_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List users."""
    with _session(url) as client:
        rows = _rows(client.users, limit, all_pages)
    _show(rows, output, USER_COLUMNS)


@command("user-create")
def user_create(
    name: Annotated[str, typer.Argument(help="User name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Password; prompted for when absent.",
        ),
    ],
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    domain_id: Annotated[str | None, typer.Option(help="Domain id; default: your domain.")] = None,
    url: UrlOption = None,
) -> None:
    """Create a user."""
    with _session(url) as client:
        user = client.user_create(name, password, email, domain_id)
    typer.echo(f"Created user {user.get('name')} ({user.get('id')})")


@command("user-delete")
def user_delete(
    user_id: Annotated[str, typer.Argument(metavar="ID", help="User id.")],
    url: UrlOption = None,
) -> None:
    """Delete a user."""
    with _session(url) as client:
        deleted = client.user_delete(user_id)
    typer.echo(f"Deleted user {deleted}")


# --- roles --------------------------------------------------------------------


@command("role-list")
def role_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List roles."""
    with _session(url) as client:
        rows = _rows(client.roles, limit, all_pages)
    _show(rows, output, ROLE_COLUMNS)


@command("role-assign")
def role_assign(
    role: Annotated[str, typer.Argument(help="Role name, e.g. member.")],
    user_id: Annotated[str | None, typer.Option(help="Grant to this user.")] = None,
    group_id: Annotated[str | None, typer.Option(help="Grant to this group.")] = None,
    project_id: Annotated[str | None, typer.Option(help="On this project.")] = None,
    domain_id: Annotated[str | None, typer.Option(help="On this domain.")] = None,
    system: Annotated[bool, typer.Option("--system", help="System-wide.")] = False,
    url: UrlOption = None,
) -> None:
    """Assign a role to a user or group on a project, a domain or the system."""
    _exactly_one("--user-id or --group-id", user_id, group_id)
    _exactly_one("--project-id, --domain-id or --system", project_id, domain_id, system)
    with _session(url) as client:
        assignment = client.role_assignment_create(
            role,
            user_id=user_id,
            group_id=group_id,
            project_id=project_id,
            domain_id=domain_id,
            system=system,
        )
    typer.echo(f"Assigned role {role} to {_describe_assignment(assignment)}")


def _exactly_one(names: str, *values: object) -> None:
    if sum(1 for value in values if value) != 1:
        raise typer.BadParameter(f"give exactly one of {names}")


def _describe_assignment(assignment: JSON) -> str:
    subject = _named(assignment, "user") or _named(assignment, "group")
    scope = _named(assignment, "project") or _named(assignment, "domain")
    return f"{subject} on {scope or 'the system'}"


def _named(assignment: JSON, kind: str) -> str | None:
    related = assignment.get(kind)
    if not isinstance(related, dict):
        return None
    return f"{kind} {related.get('name') or related.get('id')}"


# --- audit --------------------------------------------------------------------


def _iso_time(value: str | None) -> str | None:
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            example = "2025-01-31T12:00:00Z"
            raise typer.BadParameter(f"expected an ISO 8601 time like {example}") from None
    return value


@command("audit-list")
def audit_list(
    since: Annotated[
        str | None,
        typer.Option(help="Only events at or after this ISO time.", callback=_iso_time),
    ] = None,
    operation: Annotated[str | None, typer.Option(help="Only this operation, e.g. projectCreate.")] = None,
    outcome: Annotated[Outcome | None, typer.Option(help="Only this outcome.", case_sensitive=False)] = None,
    project_id: Annotated[str | None, typer.Option(help="Only events of this project.")] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new events.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List audit events; with --follow, stream new ones until Ctrl-C."""
    wanted = {"operation": operation, "outcome": outcome and outcome.value}
    filters = {"since": since, "projectId": project_id, **wanted}
    with _session(url) as client:
        page = functools.partial(client.audit_events, filter=filters)
        rows = _rows(page, limit, all_pages)
        if follow:
            _follow(client, rows, output, project_id, wanted)
        else:
            _show(rows, output, AUDIT_COLUMNS)


def _follow(
    client: NimbusClient,
    rows: Sequence[JSON],
    output: OutputFormat,
    project_id: str | None,
    wanted: dict[str, Any],
) -> None:
    # One line per event from the start, so existing and new rows look alike,
    # oldest first like `tail -f` (the list itself comes newest first).
    if output is OutputFormat.TABLE:
        typer.echo("\t".join(AUDIT_COLUMNS))
    for row in sorted(rows, key=lambda event: str(event.get("time") or "")):
        typer.echo(render_line(row, output, AUDIT_COLUMNS))
    try:
        asyncio.run(_stream(client, output, project_id, wanted))
    except KeyboardInterrupt:
        return  # Ctrl-C is how a follow is meant to end


async def _stream(
    client: NimbusClient,
    output: OutputFormat,
    project_id: str | None,
    wanted: dict[str, Any],
) -> None:
    async with aclosing(client.audit_event_stream(project_id)) as events:
        async for event in events:
            # The subscription filters by project only; apply the rest here.
            if all(event.get(key) == value for key, value in wanted.items() if value):
                typer.echo(render_line(event, output, AUDIT_COLUMNS))


# --- compute ------------------------------------------------------------------

ServerIdArgument = Annotated[str, typer.Argument(metavar="ID", help="Server id.")]
TaskIdArgument = Annotated[str, typer.Argument(metavar="ID", help="Task id.")]
WaitOption = Annotated[
    bool,
    typer.Option("--wait", help="Follow the task until it ends; exit 1 unless it succeeds."),
]


def _server_view(server: JSON) -> JSON:
    nics = server.get("nics") or []
    return {
        **server,
        "memory": f"{server.get('memoryMb')} MB",
        "IPs": [nic["ipAddress"] for nic in nics if nic.get("ipAddress")],
    }


def _host_view(host: JSON) -> JSON:
    vcpus = _capacity(host, "cpus", "cpuRatio")
    memory = _capacity(host, "memoryMb", "memoryRatio")
    return {
        **host,
        "vcpus": f"{host.get('vcpusUsed')}/{vcpus}",
        "memory": f"{host.get('memoryUsedMb')}/{memory} MB",
        "servers": host.get("serversCount"),
    }


def _capacity(host: JSON, size: str, ratio: str) -> int:
    # What placement allocates from: the physical size times the overcommit ratio.
    return int((host.get(size) or 0) * (host.get(ratio) or 1))


def _task_view(task: JSON) -> JSON:
    return {**task, "progress": f"{task.get('progress') or 0}%"}


@command("host-list")
def host_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List hosts (administrators); vcpus and memory read used/allocatable."""
    with _session(url) as client:
        rows = _rows(client.hosts, limit, all_pages)
    _show(rows, output, HOST_COLUMNS, _host_view)


@command("network-list")
def network_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List the networks you may use."""
    with _session(url) as client:
        rows = _rows(client.networks, limit, all_pages)
    _show(rows, output, NETWORK_COLUMNS)


@command("network-create")
def network_create(
    name: Annotated[str, typer.Argument(help="Network name.")],
    cidr: Annotated[str, typer.Option(help="IPv4 range, e.g. 10.1.0.0/24.")],
    gateway: Annotated[str | None, typer.Option(help="Gateway address inside the range.")] = None,
    project_id: Annotated[
        str | None,
        typer.Option(help="Owning project; without it the network is shared (administrators only)."),
    ] = None,
    url: UrlOption = None,
) -> None:
    """Create a network."""
    with _session(url) as client:
        network = client.network_create(name, cidr, gateway, project_id)
    typer.echo(f"Created network {network.get('name')} {network.get('cidr')} ({network.get('id')})")


@command("server-list")
def server_list(
    status: Annotated[ServerStatus | None, typer.Option(help="Only this status.", case_sensitive=False)] = None,
    project_id: Annotated[str | None, typer.Option(help="Only servers of this project.")] = None,
    host_id: Annotated[str | None, typer.Option(help="Only servers on this host.")] = None,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List servers (DELETED ones only with --status deleted)."""
    filters = {"status": status and status.value, "projectId": project_id, "hostId": host_id}
    with _session(url) as client:
        page = functools.partial(client.servers, filter=filters)
        rows = _rows(page, limit, all_pages)
    _show(rows, output, SERVER_COLUMNS, _server_view)


@command("server-show")
def server_show(
    server_id: ServerIdArgument,
    output: OutputOption = OutputFormat.TABLE,
    url: UrlOption = None,
) -> None:
    """Show a server: size, addresses, host and the task working on it."""
    with _session(url) as client:
        server = client.server(server_id)
    shown = _server_detail(server) if output is OutputFormat.TABLE else server
    typer.echo(render_object(shown, output, width=_width()))


def _server_detail(server: JSON) -> JSON:
    task = server.get("task")
    return {
        "id": server.get("id"),
        "name": server.get("name"),
        "status": server.get("status"),
        "project": server.get("project"),
        "host": server.get("host"),
        "vcpus": server.get("vcpus"),
        "memory": f"{server.get('memoryMb')} MB",
        "disk": f"{server.get('diskGb')} GB",
        "IPs": [_address(nic) for nic in server.get("nics") or []],
        "vncPort": server.get("vncPort"),
        "task": task and f"{task.get('kind')} {task.get('status')} {task.get('progress')}% ({task.get('id')})",
        "error": server.get("error"),
        "createdAt": server.get("createdAt"),
    }


def _address(nic: JSON) -> str:
    address = str(nic.get("ipAddress") or "no address")
    network = nic.get("network") or {}
    return f"{address} ({network['name']})" if network.get("name") else address


@command("server-create")
def server_create(
    name: Annotated[str, typer.Argument(help="Server name; a batch appends -1, -2, …")],
    vcpus: Annotated[int, typer.Option(help="Virtual CPUs.")],
    memory: Annotated[int, typer.Option(help="Memory in MB.")],
    disk: Annotated[int, typer.Option(help="Boot disk in GB.")] = 10,
    network_id: Annotated[str | None, typer.Option(help="Network of the first NIC.")] = None,
    count: Annotated[int, typer.Option(help="How many servers, built by one batch task.")] = 1,
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    host_id: Annotated[str | None, typer.Option(help="Pin to this host (administrators).")] = None,
    zone_id: Annotated[str | None, typer.Option(help="Only hosts of this zone.")] = None,
    require_tag: Annotated[list[str] | None, typer.Option("--require-tag", help="Hosts must have this tag.")] = None,
    prefer_tag: Annotated[list[str] | None, typer.Option("--prefer-tag", help="Prefer hosts with this tag.")] = None,
    server_group_id: Annotated[str | None, typer.Option(help="Join this server group.")] = None,
    strategy: Annotated[str | None, typer.Option(help="SPREAD or PACK.")] = None,
    allow_partial: Annotated[bool, typer.Option("--allow-partial", help="Create what fits of a batch.")] = False,
    image_id: Annotated[str | None, typer.Option(help="Boot from this image (an overlay of it).")] = None,
    region_id: Annotated[str | None, typer.Option(help="Only hosts (or cloud zones) of this region.")] = None,
    hypervisor: Annotated[str | None, typer.Option(help="Only this hypervisor; AWS places on a cloud account.")] = None,
    sku: Annotated[str | None, typer.Option(help="Public clouds: the instance type (see sku-list).")] = None,
    cloud_image: Annotated[str | None, typer.Option(help="Public clouds: the provider's image id (AMI).")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Create servers; returns at once, or with --wait follows the task that builds them."""
    hints = {
        "regionId": region_id,
        "hypervisor": hypervisor,
        "sku": sku,
        "cloudImage": cloud_image,
        "zoneId": zone_id,
        "requiredTags": require_tag or None,
        "preferredTags": prefer_tag or None,
        "serverGroupId": server_group_id,
        "strategy": strategy and strategy.upper(),
        "allowPartial": allow_partial or None,
    }
    with _session(url) as client:
        payload = client.server_create(
            name,
            vcpus,
            memory,
            disk_gb=disk,
            network_id=network_id,
            project_id=project_id,
            count=count,
            host_id=host_id,
            placement=hints,
            image_id=image_id,
        )
        task = payload.get("task")
        typer.echo(f"Creating {_describe_servers(payload.get('servers') or [])}{_task_note(task)}")
        if wait and task:
            _wait(client, task)


def _describe_servers(servers: Sequence[JSON]) -> str:
    if len(servers) == 1:
        return f"server {servers[0].get('name')} ({servers[0].get('id')})"
    return f"{len(servers)} servers: " + ", ".join(str(server.get("name")) for server in servers)


def _task_note(task: JSON | None) -> str:
    return f", task {task.get('id')}" if task else ""


def _server_action(
    action: str,
    doing: str,
    server_id: str,
    wait: bool,
    url: str | None,
    force: bool = False,
) -> None:
    with _session(url) as client:
        payload = client.server_action(action, server_id, force=force)
        server = payload.get("server") or {"id": server_id}
        task = payload.get("task")
        typer.echo(f"{doing} server {server.get('name') or server_id} ({server.get('id')}){_task_note(task)}")
        if wait and task:
            _wait(client, task)


@command("server-console")
def server_console(
    server_id: ServerIdArgument,
    protocol: Annotated[str, typer.Option("--protocol", "-p", help="VNC (the display) or SSH (a terminal).")] = "VNC",
    port: Annotated[int, typer.Option("--port", help="SSH only: the guest's sshd port.")] = 22,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the console in a browser.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    url: UrlOption = None,
) -> None:
    """Print a one-time console URL for a running server (valid about a minute, single use)."""
    if protocol.upper() not in ("VNC", "SSH"):
        raise typer.BadParameter("must be VNC or SSH", param_hint="--protocol")
    with _session(url) as client:
        ticket = client.server_console(server_id, protocol, port)
    if output is OutputFormat.TABLE:
        typer.echo(ticket["url"])
    else:
        typer.echo(render_object(ticket, output, width=_width()))
    if open_browser:
        import webbrowser

        webbrowser.open(ticket["url"])


@command("server-start")
def server_start(server_id: ServerIdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Boot a stopped server."""
    _server_action("start", "Starting", server_id, wait, url)


@command("server-stop")
def server_stop(
    server_id: ServerIdArgument,
    force: Annotated[bool, typer.Option("--force", help="Power off at once; do not ask the guest first.")] = False,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Shut a running server down (ACPI, then power off)."""
    _server_action("stop", "Stopping", server_id, wait, url, force=force)


@command("server-reboot")
def server_reboot(server_id: ServerIdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Restart a running server."""
    _server_action("reboot", "Rebooting", server_id, wait, url)


@command("server-delete")
def server_delete(server_id: ServerIdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Delete a server with its disks and addresses."""
    _server_action("delete", "Deleting", server_id, wait, url)


# --- tasks --------------------------------------------------------------------


@command("task-list")
def task_list(
    status: Annotated[TaskStatus | None, typer.Option(help="Only this status.", case_sensitive=False)] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind, e.g. server.create.")] = None,
    top_level: Annotated[bool, typer.Option("--top-level", help="Leave out the subtasks of batches.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List tasks, newest first."""
    filters = {"status": status and status.value, "kind": kind, "topLevel": top_level or None}
    with _session(url) as client:
        page = functools.partial(client.tasks, filter=filters)
        rows = _rows(page, limit, all_pages)
    _show(rows, output, TASK_COLUMNS, _task_view)


@command("task-show")
def task_show(
    task_id: TaskIdArgument,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Follow the task until it ends first; exit 1 unless it succeeds."),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
    url: UrlOption = None,
) -> None:
    """Show a task with its subtasks."""
    with _session(url) as client:
        task = client.task(task_id)
        if wait and not task_finished(task):
            _follow_until_done(client, task)
            task = client.task(task_id)
    _show_task(task, output)
    if wait and task.get("status") != TaskStatus.SUCCEEDED:
        typer.echo(f"error: {_task_failure(task)}", err=True)
        raise typer.Exit(1)


def _show_task(task: JSON, output: OutputFormat) -> None:
    if output is not OutputFormat.TABLE:
        typer.echo(render_object(task, output, width=_width()))
        return
    typer.echo(render_object(_task_detail(task), output, width=_width()))
    subtasks = task.get("subtasks") or []
    if subtasks:
        typer.echo(f"\nSubtasks ({len(subtasks)}):")
        typer.echo(render([_task_view(sub) for sub in subtasks], output, TASK_COLUMNS, width=_width()))


def _task_detail(task: JSON) -> JSON:
    target = task.get("target")
    parent = task.get("parent")
    result = task.get("result")
    return {
        "id": task.get("id"),
        "kind": task.get("kind"),
        "status": task.get("status"),
        "progress": f"{task.get('progress') or 0}%",
        "stage": task.get("stage"),
        "error": task.get("error"),
        "target": target and f"{target.get('type')} {target.get('id')}",
        "parent": parent and f"{parent.get('kind')} {parent.get('id')}",
        "actorName": task.get("actorName"),
        "cancelRequested": task.get("cancelRequested"),
        "createdAt": task.get("createdAt"),
        "startedAt": task.get("startedAt"),
        "finishedAt": task.get("finishedAt"),
        "result": None if result is None else json.dumps(result, ensure_ascii=False),
    }


@command("task-cancel")
def task_cancel(task_id: TaskIdArgument, url: UrlOption = None) -> None:
    """Cancel a task where that is safe; its undo runs before it ends CANCELLED."""
    with _session(url) as client:
        task = client.task_cancel(task_id)
    typer.echo(f"Cancelling task {task.get('id')} ({task.get('kind')}); it ends CANCELLED once undone")


# --- following a task -----------------------------------------------------------


def _wait(client: NimbusClient, task: JSON) -> None:
    """Follow the task to its end; print how it ended; exit 1 unless it succeeded."""
    final = _follow_until_done(client, task)
    typer.echo(f"{final.get('kind')} {final.get('status')}")
    if final.get("status") != TaskStatus.SUCCEEDED:
        typer.echo(f"error: {_task_failure(final)}", err=True)
        raise typer.Exit(1)


def _task_failure(task: JSON) -> str:
    return _one_line(str(task.get("error") or f"task {task.get('id')} ended {task.get('status')}"))


def _follow_until_done(client: NimbusClient, task: JSON) -> JSON:
    """The task's final state, with a progress bar meanwhile; Ctrl-C stops waiting, not the task."""
    task_id = str(task["id"])
    try:
        with _progress(task) as update:
            return _follow_task(client, task_id, update)
    except KeyboardInterrupt:
        again = f"climc task-show {task_id} --wait"
        typer.echo(f"Stopped waiting; task {task_id} goes on (follow it again with {again})", err=True)
        raise typer.Exit(INTERRUPTED) from None


def _follow_task(client: NimbusClient, task_id: str, update: Callable[[JSON], None]) -> JSON:
    try:
        last = asyncio.run(_subscribe_task(client, task_id, update))
    except (TransportError, AuthError):
        # No websocket to this server (a proxy, an old server), or it broke or refused
        # the token: reading the task over HTTP tells the same story, only later.
        last = None
    if last is not None and task_finished(last):
        return last
    # Also when the subscription completed early: it ends without a word for a task
    # that is out of reach, and polling says so (NotFoundError).
    final: JSON = {}
    for final in client.task_poll(task_id, interval=POLL_INTERVAL):
        update(final)
    return final


async def _subscribe_task(client: NimbusClient, task_id: str, update: Callable[[JSON], None]) -> JSON | None:
    last: JSON | None = None
    async with aclosing(client.task_follow(task_id)) as states:
        async for state in states:
            update(state)
            last = state
    return last


def _progress_console() -> Console:
    return Console(stderr=True)


@contextmanager
def _progress(task: JSON) -> Iterator[Callable[[JSON], None]]:
    """A progress bar on stderr, on terminals only: the task's kind and stage, and its progress."""
    console = _progress_console()
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        bar_id = bar.add_task(_stage(task), total=100, completed=task.get("progress") or 0)

        def update(state: JSON) -> None:
            bar.update(bar_id, description=_stage(state), completed=state.get("progress") or 0, refresh=True)

        yield update


def _stage(task: JSON) -> str:
    # Descriptions are rich markup; the API's words are not.
    return escape(f"{task.get('kind')}: {task.get('stage')}")


# --- identity providers ---------------------------------------------------------

IDP_COLUMNS = ("id", "name", "driver", "domain", "enabled", "sync", "lastSyncAt", "lastSyncError")
QUOTA_RESOURCES = ("servers", "vcpus", "memory_mb", "disk_gb", "images", "image_storage_gb", "networks", "ips")


class Driver(StrEnum):
    SQL = "sql"
    LDAP = "ldap"
    OIDC = "oidc"


def _idp_view(provider: JSON) -> JSON:
    interval = provider.get("syncIntervalS") or 0
    return {
        **provider,
        "domain": (provider.get("domain") or {}).get("name"),
        "sync": f"every {interval}s" if interval else "on demand",
    }


@command("idp-list")
def idp_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List identity providers (administrators). Secrets are never shown."""
    with _session(url) as client:
        rows = _rows(client.identity_providers, limit, all_pages)
    _show(rows, output, IDP_COLUMNS, _idp_view)


def _mapping(value: str) -> JSON:
    """`group=role` or `group=role@project`."""
    group, sep, rest = value.partition("=")
    role, _, project = rest.partition("@")
    if not sep or not group or not role:
        raise typer.BadParameter(f"{value!r}: use GROUP=ROLE or GROUP=ROLE@PROJECT")
    return {"group": group, "role": role, "project": project or None}


@command("idp-create")
def idp_create(
    name: Annotated[str, typer.Argument(help="Provider name (part of the OIDC login path).")],
    driver: Annotated[Driver, typer.Option(help="Where users come from.", case_sensitive=False)] = Driver.LDAP,
    domain_id: Annotated[str | None, typer.Option(help="Domain it backs; default: your token's.")] = None,
    ldap_url: Annotated[
        list[str] | None, typer.Option("--ldap-url", help="LDAP server URL; repeat for failover, in order.")
    ] = None,
    user_base_dn: Annotated[str | None, typer.Option(help="LDAP: where users are searched.")] = None,
    group_base_dn: Annotated[str | None, typer.Option(help="LDAP: where groups are searched.")] = None,
    bind_dn: Annotated[str | None, typer.Option(help="LDAP: service account DN.")] = None,
    preset: Annotated[str, typer.Option(help="LDAP: openldap or active_directory.")] = "openldap",
    start_tls: Annotated[bool, typer.Option("--start-tls", help="LDAP: StartTLS on ldap:// URLs.")] = False,
    ca_cert: Annotated[
        typer.FileText | None, typer.Option(help="LDAP: PEM file of the CA that signed the servers.")
    ] = None,
    issuer: Annotated[str | None, typer.Option(help="OIDC: issuer URL.")] = None,
    client_id: Annotated[str | None, typer.Option(help="OIDC: client id.")] = None,
    secret: Annotated[
        str | None,
        typer.Option(
            envvar="NIMBUS_IDP_SECRET",
            help="Bind password (LDAP) or client secret (OIDC); or NIMBUS_IDP_SECRET.",
            show_default=False,
        ),
    ] = None,
    map_group: Annotated[
        list[str] | None, typer.Option("--map", help="GROUP=ROLE[@PROJECT]: members get ROLE; repeatable.")
    ] = None,
    sync_interval: Annotated[int, typer.Option(help="LDAP: sync every N seconds (0: on demand).")] = 0,
    url: UrlOption = None,
) -> None:
    """Back a domain with an LDAP/AD directory or an OIDC provider (system administrators)."""
    fields: JSON = {
        "name": name,
        "driver": driver.value.upper(),
        "domainId": domain_id,
        "secret": secret,
        "syncIntervalS": sync_interval,
        "roleMappings": [_mapping(m) for m in map_group or []],
    }
    if driver is Driver.LDAP:
        fields["ldap"] = {
            "urls": ldap_url or [],
            "userBaseDn": user_base_dn or "",
            "groupBaseDn": group_base_dn or "",
            "bindDn": bind_dn or "",
            "preset": preset,
            "startTls": start_tls,
            "caCert": ca_cert.read() if ca_cert else "",
        }
    elif driver is Driver.OIDC:
        fields["oidc"] = {"issuer": issuer or "", "clientId": client_id or ""}
    with _session(url) as client:
        provider = client.identity_provider_create(fields)
    typer.echo(f"Created identity provider {provider.get('name')} ({provider.get('id')})")


@command("idp-sync")
def idp_sync(
    provider_id: Annotated[str, typer.Argument(metavar="ID", help="Identity provider id.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Sync a directory's users and groups now; with --wait, follow the task."""
    with _session(url) as client:
        payload = client.identity_provider_sync(provider_id)
        task = payload.get("task")
        provider = payload.get("identityProvider") or {}
        typer.echo(f"Syncing {provider.get('name')} ({provider_id}){_task_note(task)}")
        if wait and task:
            _wait(client, task)


# --- quotas ---------------------------------------------------------------------


def _limit(resource: JSON) -> str:
    limit = resource.get("limit")
    return f"{resource.get('used')}/{'∞' if limit is None else limit}"


def _quota_view(quota: JSON) -> JSON:
    row: JSON = {"project": (quota.get("project") or {}).get("name"), "domain": (quota.get("domain") or {}).get("name")}
    for resource in quota.get("resources") or []:
        row[str(resource.get("resource", "")).lower()] = _limit(resource)
    return row


def _resource_rows(quota: JSON) -> list[JSON]:
    return [
        {
            "resource": str(r.get("resource", "")).lower(),
            "limit": "unlimited" if r.get("limit") is None else r.get("limit"),
            "used": r.get("used"),
            "available": "unlimited" if r.get("available") is None else r.get("available"),
            "source": str(r.get("source", "")).lower(),
        }
        for r in quota.get("resources") or []
    ]


@command("quota-show")
def quota_show(
    project_id: Annotated[str | None, typer.Option(help="One project: its limits, usage and what is left.")] = None,
    domain_id: Annotated[str | None, typer.Option(help="Projects of this domain.")] = None,
    defaults: Annotated[bool, typer.Option("--defaults", help="The domain's defaults (with --domain-id).")] = False,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """Show quotas as used/limit; one project (or --defaults of a domain) resource by resource."""
    with _session(url) as client:
        if defaults:
            if not domain_id:
                raise typer.BadParameter("--defaults needs --domain-id")
            rows = [client.quota_defaults(domain_id)]
        else:
            page = functools.partial(client.quotas, filter={"projectId": project_id, "domainId": domain_id})
            rows = _rows(page, limit, all_pages)
    if output is not OutputFormat.TABLE:
        _show(rows, output, ())
    elif project_id or defaults:
        _show(_resource_rows(rows[0]) if rows else [], output, ("resource", "limit", "used", "available", "source"))
    else:
        _show(rows, output, ("project", "domain", *QUOTA_RESOURCES), _quota_view)


@command("quota-update")
def quota_update(
    project_id: Annotated[str | None, typer.Option(help="The project (domain administrators).")] = None,
    domain_id: Annotated[str | None, typer.Option(help="A domain's defaults (system administrators).")] = None,
    servers: Annotated[int | None, typer.Option(help="Servers; -1 unlimited.")] = None,
    vcpus: Annotated[int | None, typer.Option(help="vCPUs; -1 unlimited.")] = None,
    memory: Annotated[int | None, typer.Option(help="Memory in MB; -1 unlimited.")] = None,
    disk: Annotated[int | None, typer.Option(help="Disk in GB; -1 unlimited.")] = None,
    images: Annotated[int | None, typer.Option(help="Images; -1 unlimited.")] = None,
    image_storage: Annotated[int | None, typer.Option(help="Image storage in GB; -1 unlimited.")] = None,
    networks: Annotated[int | None, typer.Option(help="Networks; -1 unlimited.")] = None,
    ips: Annotated[int | None, typer.Option(help="IP addresses; -1 unlimited.")] = None,
    reset: Annotated[
        list[str] | None, typer.Option(help="Clear a limit (inherit the domain's default); repeatable.")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Set or reset quota limits."""
    resets = [r.lower().replace("-", "_") for r in reset or []]
    unknown = [r for r in resets if r not in QUOTA_RESOURCES]
    if unknown:
        raise typer.BadParameter(f"unknown resource {unknown[0]!r}; one of {', '.join(QUOTA_RESOURCES)}")
    fields: JSON = {
        "projectId": project_id,
        "domainId": domain_id,
        "servers": servers,
        "vcpus": vcpus,
        "memoryMb": memory,
        "diskGb": disk,
        "images": images,
        "imageStorageGb": image_storage,
        "networks": networks,
        "ips": ips,
        "reset": [r.upper() for r in resets] or None,
    }
    with _session(url) as client:
        quota = client.quota_update(fields)
    scope = (quota.get("project") or {}).get("name") or f"defaults of {(quota.get('domain') or {}).get('name')}"
    typer.echo(f"Updated quota of {scope}: " + ", ".join(f"{k}={_limit(r)}" for k, r in _by_resource(quota)))


def _by_resource(quota: JSON) -> list[tuple[str, JSON]]:
    return [(str(r.get("resource", "")).lower(), r) for r in quota.get("resources") or []]


from climc import scheduler_cli  # noqa: E402, F401  (registers the scheduler's commands)


def main() -> None:
    """Entry point of the `climc` console script."""
    try:
        app()
    except NimbusError as exc:  # a backstop: commands report their own errors
        sys.exit(report(exc))


# The server-snapshot-*, server-rebuild, server-save-image and server-screenshot commands.
# The disk-*, server-disk-*, server-nic-* and server-resize commands, and the image commands,
# live in their own modules and register on `app` when imported.
import climc.disk_cli  # noqa: E402
import climc.snapshot_cli  # noqa: E402, F401

# baremetal-*: importing the module registers them on `app`.
from climc import baremetal_cli as _baremetal_cli  # noqa: E402, F401

# The cloud-account-* and sku-list commands; importing the module registers them on `app`.
from climc import cloud_cli as _cloud_cli  # noqa: E402, F401
from climc import images as _images  # noqa: E402, F401

# The lb-* and vmware-* commands live in their own modules; importing them registers them on `app`.
from climc import lb_cli, vmware_cli  # noqa: E402, F401

# server-migrate, server-live-migrate and host-maintenance-*: importing registers them on `app`.
from climc import migration_cli as _migration_cli  # noqa: E402, F401
