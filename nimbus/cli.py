"""The `nimbus` server command: api, worker, agents, all-in-one, database and admin tasks."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nimbus.settings import Settings

if TYPE_CHECKING:
    from arq.worker import Worker

app = typer.Typer(help="Nimbus server processes and administration.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_app = typer.Typer(help="Platform administration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")


def _settings(data_dir: Path | None = None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _fast_event_loop() -> None:
    """uvloop for the arq processes, as uvicorn already uses for the api: asyncpg and redis
    spend most of their time in the loop's socket I/O, which uvloop does in C."""
    import uvloop

    asyncio.set_event_loop(uvloop.new_event_loop())


def _run_until_stopped(worker: Worker) -> None:
    """Run an arq worker; SIGTERM is a normal way to stop, not a crash with a traceback.

    arq cancels the jobs still running (heartbeats always are) and its close() then re-raises
    their cancellation; the jobs themselves are resent or reaped by the task framework.
    """
    with contextlib.suppress(asyncio.CancelledError):
        worker.run()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the database migrations."""
    from domain.migrate import upgrade

    settings = _settings()
    upgrade(settings.effective_database_url, revision)
    typer.echo(f"database at revision {revision}")


@admin_app.command("bootstrap")
def admin_bootstrap(
    password: Annotated[str, typer.Option(envvar="NIMBUS_ADMIN_PASSWORD", help="Password of the admin user.")],
) -> None:
    """Create the default domain, the admin project and user, and the built-in roles (idempotent)."""
    from nimbus.bootstrap import run_bootstrap

    try:
        result = asyncio.run(run_bootstrap(_settings(), password, reset_password=True))
    except ValueError as exc:
        _fail(str(exc))
        return
    verb = "created" if result.created_admin else "kept (password reset)" if result.password_changed else "kept"
    typer.echo(f"admin user {verb}; sign in with domain 'default', project 'admin', user 'admin'")


@app.command("api")
def api(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the GraphQL API, the web console, /healthz and /metrics."""
    import uvicorn

    from nimbus.app import create_app
    from nimbus.logging import configure

    settings = _settings()
    configure(settings.log_level, settings.log_json)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, ws="websockets-sansio")


@app.command("worker")
def worker(max_jobs: int = 50) -> None:
    """Run task stages, host heartbeats and the reaper (arq on the `nimbus:worker` queue)."""
    from nimbus.logging import configure
    from nimbus.processes import build_worker

    settings = _settings()
    configure(settings.log_level, settings.log_json)
    _fast_event_loop()
    _run_until_stopped(build_worker(settings, max_jobs=max_jobs))


@app.command("console-proxy")
def console_proxy() -> None:
    """Serve VNC (websockify) and SSH web-terminal consoles for one-time tokens from serverConsoleCreate."""
    from console_proxy.server import run_console_proxy
    from nimbus.logging import configure

    settings = _settings()
    configure(settings.log_level, settings.log_json)
    run_console_proxy(settings)


agent_app = typer.Typer(help="Node agents.", no_args_is_help=True)
app.add_typer(agent_app, name="agent")


@agent_app.command("host")
def agent_host(
    libvirt_uri: Annotated[str, typer.Option(help="libvirt connection, e.g. qemu:///system.")] = "qemu:///system",
    name: Annotated[str | None, typer.Option(help="Host name (default: this machine's).")] = None,
    storage_dir: Annotated[Path | None, typer.Option(help="Where server disks live.")] = None,
    console_address: Annotated[
        str, typer.Option(help="Address VNC displays listen on; the console proxy must reach it.")
    ] = "127.0.0.1",
    api_url: Annotated[str | None, typer.Option(help="Where the API is, to fetch images (NIMBUS_API_URL).")] = None,
) -> None:
    """Run the KVM host agent for this node."""
    from nimbus.logging import configure
    from nimbus.processes import build_host_agent

    settings = _settings()
    configure(settings.log_level, settings.log_json)
    _fast_event_loop()
    agent = build_host_agent(
        settings,
        libvirt_uri=libvirt_uri,
        host_name=name,
        storage_dir=storage_dir,
        console_address=console_address,
        api_url=api_url,
    )
    _run_until_stopped(agent)


cache_app = typer.Typer(help="The host agent's image cache on this node.", no_args_is_help=True)
agent_app.add_typer(cache_app, name="image-cache")


def _image_cache(storage_dir: Path | None) -> Any:
    from agents.host.image_cache import ImageCache
    from nimbus.processes import image_cache_dir

    settings = _settings()
    storage = storage_dir or settings.data_dir / "disks"
    return ImageCache(image_cache_dir(storage), settings.api_url, storage)


@cache_app.command("list")
def image_cache_list(
    storage_dir: Annotated[Path | None, typer.Option(help="Where server disks live.")] = None,
) -> None:
    """Images cached on this node, their size and whether a server disk uses them."""
    for entry in _image_cache(storage_dir).entries():
        typer.echo(f"{entry.id}  {entry.format:6}  {entry.size:>14}  {'in use' if entry.in_use else 'unused'}")


@cache_app.command("clean")
def image_cache_clean(
    image_id: Annotated[str | None, typer.Argument(help="Only this image.")] = None,
    storage_dir: Annotated[Path | None, typer.Option(help="Where server disks live.")] = None,
) -> None:
    """Remove cached images no server disk on this node uses."""
    removed = _image_cache(storage_dir).clean(image_id)
    typer.echo(f"removed {len(removed)} cached image(s)" + "".join(f"\n  {i}" for i in removed))


@agent_app.command("lb")
def agent_lb(
    cluster: Annotated[str, typer.Option(help="The cluster this node serves; registered on first contact.")],
    name: Annotated[str | None, typer.Option(help="Agent name in the cluster (default: this machine's).")] = None,
    state_dir: Annotated[Path | None, typer.Option(help="Where haproxy's configurations are kept.")] = None,
    vrrp_interface: Annotated[
        str | None, typer.Option(help="Hold the cluster's VIPs with keepalived (VRRP) on this interface.")
    ] = None,
    vrrp_priority: Annotated[
        int, typer.Option(help="VRRP priority (1-254); the highest live node holds the VIPs.")
    ] = 100,
    netns: Annotated[str | None, typer.Option(help="Run haproxy and keepalived in this network namespace.")] = None,
) -> None:
    """Run the load balancer agent: haproxy (and keepalived) for the cluster's load balancers."""
    from nimbus.logging import configure
    from nimbus.processes import build_lb_agent

    settings = _settings()
    configure(settings.log_level, settings.log_json)
    _fast_event_loop()
    agent = build_lb_agent(
        settings,
        cluster=cluster,
        agent_name=name,
        state_dir=state_dir,
        vrrp_interface=vrrp_interface,
        vrrp_priority=vrrp_priority,
        netns=netns,
    )
    _run_until_stopped(agent)


@agent_app.command("esxi")
def agent_esxi(
    account: Annotated[str, typer.Option(help="The VMware account's id (the uuid, or its global id).")],
) -> None:
    """Run the esxi agent for one VMware account: pyvmomi sync and VM operations."""
    from nimbus.logging import configure
    from nimbus.processes import build_esxi_agent
    from resolvers.ids import parse_global_id

    settings = _settings()
    configure(settings.log_level, settings.log_json)
    _fast_event_loop()
    try:
        account_id = uuid.UUID(account)
    except ValueError:
        try:
            kind, account_id = parse_global_id(account)
        except ValueError:
            kind = ""
        if kind != "VmwareAccount":
            _fail(f"{account!r} is not a VMware account id")
    _run_until_stopped(build_esxi_agent(settings, account_id=str(account_id)))


@agent_app.command("baremetal")
def agent_baremetal(
    name: Annotated[
        str, typer.Option(help="Agent name; hosts registered with this agent name are served here.")
    ] = "default",
    pxe_interface: Annotated[
        str | None, typer.Option(help="Serve DHCP/TFTP (dnsmasq) for PXE deploys on this interface.")
    ] = None,
    pxe_address: Annotated[str | None, typer.Option(help="This agent's address on the provisioning network.")] = None,
    pxe_range: Annotated[str | None, typer.Option(help="DHCP range on the provisioning network, FIRST,LAST.")] = None,
    pxe_netns: Annotated[str | None, typer.Option(help="Run dnsmasq in this network namespace.")] = None,
    state_dir: Annotated[Path | None, typer.Option(help="Where dnsmasq keeps its leases and log.")] = None,
) -> None:
    """Run the baremetal agent: power, boot device and inventory over IPMI/Redfish, PXE deploys."""
    from nimbus.logging import configure
    from nimbus.processes import build_baremetal_agent

    pxe = None
    if pxe_interface:
        if not (pxe_address and pxe_range and "," in pxe_range):
            raise typer.BadParameter("--pxe-interface needs --pxe-address and --pxe-range FIRST,LAST")
        first, last = pxe_range.split(",", 1)
        pxe = (pxe_interface, pxe_address, (first, last), pxe_netns)
    settings = _settings()
    configure(settings.log_level, settings.log_json)
    _fast_event_loop()
    agent = build_baremetal_agent(settings, agent_name=name, pxe=pxe, state_dir=state_dir)
    _run_until_stopped(agent)


@app.command("up")
def up(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="Where the platform keeps its state.")] = None,
) -> None:
    """Everything on one machine: SQLite, a private Redis, the API. Ctrl-C stops it all."""
    from nimbus.up import run_up

    sys.exit(run_up(_settings(data_dir), host, port))


def main() -> None:
    app()
