"""The `climc` command line: each command is one GraphQL operation through climc.client."""

import asyncio
import functools
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import aclosing, contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ParamSpec

import typer

from climc import config
from climc.client import (
    JSON,
    AuthError,
    NimbusClient,
    NimbusError,
    TransportError,
    iterate,
    nodes,
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

P = ParamSpec("P")


class Outcome(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DENIED = "DENIED"


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


def _show(rows: Sequence[JSON], output: OutputFormat, columns: Sequence[str]) -> None:
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


def main() -> None:
    """Entry point of the `climc` console script."""
    try:
        app()
    except NimbusError as exc:  # a backstop: commands report their own errors
        sys.exit(report(exc))
