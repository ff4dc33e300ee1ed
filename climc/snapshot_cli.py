"""climc commands for server snapshots, rebuild, saving a server as an image, and screenshots."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

import typer

from climc.cli import (
    AllOption,
    LimitOption,
    OutputOption,
    ServerIdArgument,
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
from climc.snapshot_client import SnapshotApi

SNAPSHOT_COLUMNS = ("id", "name", "status", "server", "includesMemory", "quiesced", "createdAt", "error")
SnapshotIdArgument = Annotated[str, typer.Argument(metavar="SNAPSHOT_ID", help="Snapshot id.")]


def _started(client: NimbusClient, payload: JSON, message: str, wait: bool) -> None:
    task = payload.get("task")
    typer.echo(f"{message}{_task_note(task)}")
    if wait and task:
        _wait(client, task)


@command("server-snapshot-list")
def server_snapshot_list(
    server_id: Annotated[str | None, typer.Option(help="Only this server's snapshots.")] = None,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List server snapshots."""
    with _session(url) as client:
        api = SnapshotApi(client)
        rows = _rows(lambda **kw: api.snapshots(filter={"serverId": server_id}, **kw), limit, all_pages)
    _show(rows, output, SNAPSHOT_COLUMNS, lambda s: {**s, "server": (s.get("server") or {}).get("name")})


@command("server-snapshot-create")
def server_snapshot_create(
    server_id: ServerIdArgument,
    name: Annotated[str, typer.Option(help="Snapshot name.")],
    quiesce: Annotated[
        bool, typer.Option("--quiesce", help="Freeze the guest's filesystems (needs a QEMU guest agent).")
    ] = False,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Snapshot a server's disks (and memory, when it runs)."""
    with _session(url) as client:
        payload = SnapshotApi(client).create(server_id, name, quiesce)
        snapshot = payload.get("snapshot") or {}
        _started(client, payload, f"Snapshotting into {snapshot.get('name')} ({snapshot.get('id')})", wait)


@command("server-snapshot-revert")
def server_snapshot_revert(snapshot_id: SnapshotIdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Bring a server back to a snapshot; what was written since is lost."""
    with _session(url) as client:
        payload = SnapshotApi(client).revert(snapshot_id)
        server = (payload.get("snapshot") or {}).get("server") or {}
        _started(client, payload, f"Reverting server {server.get('name')} to snapshot {snapshot_id}", wait)


@command("server-snapshot-delete")
def server_snapshot_delete(snapshot_id: SnapshotIdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Delete a snapshot and the data it holds."""
    with _session(url) as client:
        payload = SnapshotApi(client).delete(snapshot_id)
        _started(client, payload, f"Deleting snapshot {snapshot_id}", wait)


@command("server-rebuild")
def server_rebuild(
    server_id: ServerIdArgument,
    image_id: Annotated[str, typer.Option(help="An ACTIVE image for the new root disk.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Give a server a fresh root disk from an image; its id and addresses stay."""
    with _session(url) as client:
        payload = SnapshotApi(client).rebuild(server_id, image_id)
        server = payload.get("server") or {}
        _started(client, payload, f"Rebuilding server {server.get('name')} ({server.get('id')})", wait)


@command("server-save-image")
def server_save_image(
    server_id: ServerIdArgument,
    name: Annotated[str, typer.Option(help="Name of the new image.")],
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Save a server's root disk as a new QCOW2 image."""
    with _session(url) as client:
        payload = SnapshotApi(client).save_image(server_id, name)
        image = payload.get("image") or {}
        _started(client, payload, f"Saving into image {image.get('name')} ({image.get('id')})", wait)


@command("server-screenshot")
def server_screenshot(
    server_id: ServerIdArgument,
    file: Annotated[Path, typer.Option("--file", "-f", help="Where to write the image.")] = Path("screenshot.png"),
    url: UrlOption = None,
) -> None:
    """Capture a running server's screen into a PNG file."""
    with _session(url) as client:
        payload = SnapshotApi(client).screenshot(server_id)
    shot = payload.get("screenshot")
    if not shot:
        task = payload.get("task") or {}
        typer.echo(f"error: no screenshot yet (task {task.get('id')} is {task.get('status')})", err=True)
        raise typer.Exit(1)
    file.write_bytes(base64.b64decode(str(shot["dataUrl"]).split(",", 1)[1]))
    typer.echo(f"Wrote {shot.get('size')} bytes ({shot.get('mimeType')}) to {file}")
