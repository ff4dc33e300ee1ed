"""The image commands: upload with a progress bar that survives dropped connections, list, show,
update, share, delete, download, and convert with --wait."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

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
    _width,
    command,
)
from climc.client import JSON
from climc.output import OutputFormat, render_object
from climc.transfer import file_url

IMAGE_COLUMNS = ("id", "name", "status", "format", "size", "visibility", "project")
ImageIdArgument = Annotated[str, typer.Argument(metavar="ID", help="Image id.")]
EXTENSIONS = {
    ".qcow2": "QCOW2",
    ".img": "RAW",
    ".raw": "RAW",
    ".vmdk": "VMDK",
    ".vhd": "VHD",
    ".vhdx": "VHDX",
    ".iso": "ISO",
}


class DiskFormat(StrEnum):
    QCOW2 = "QCOW2"
    RAW = "RAW"
    VMDK = "VMDK"
    VHD = "VHD"
    VHDX = "VHDX"
    ISO = "ISO"


class Visibility(StrEnum):
    PRIVATE = "PRIVATE"
    SHARED = "SHARED"
    PUBLIC = "PUBLIC"


class ImageStatus(StrEnum):
    QUEUED = "QUEUED"
    SAVING = "SAVING"
    ACTIVE = "ACTIVE"
    KILLED = "KILLED"
    DELETED = "DELETED"


def human(size: object) -> str:
    if not isinstance(size, int | float):
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def _image_view(image: JSON) -> JSON:
    project = image.get("project") or {}
    return {
        **image,
        "format": image.get("diskFormat"),
        "size": human(image.get("size")),
        "project": project.get("name"),
    }


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A byte progress bar on stderr (terminals only)."""
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        bar_id = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(bar_id, completed=done, total=total)

        yield update


@command("image-upload")
def image_upload(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The image file.")],
    name: Annotated[str | None, typer.Option(help="Image name; the file's name by default.")] = None,
    disk_format: Annotated[
        DiskFormat | None,
        typer.Option("--format", help="Disk format; guessed from the file's extension.", case_sensitive=False),
    ] = None,
    visibility: Annotated[Visibility | None, typer.Option(case_sensitive=False, help="PRIVATE by default.")] = None,
    min_disk: Annotated[int | None, typer.Option(help="Smallest boot disk in GB.")] = None,
    min_memory: Annotated[int | None, typer.Option(help="Least memory in MB.")] = None,
    os_distro: Annotated[str | None, typer.Option(help="e.g. debian-12.")] = None,
    resume: Annotated[str | None, typer.Option(help="Resume the upload to this image id.")] = None,
    url: UrlOption = None,
) -> None:
    """Upload an image file: resumable, with a progress bar; the image is ACTIVE when this ends."""
    fmt = disk_format.value if disk_format else EXTENSIONS.get(file.suffix.lower())
    if fmt is None and resume is None:
        raise typer.BadParameter("cannot guess the format from the extension; pass --format", param_hint="--format")
    with _session(url) as client:
        if resume is None:
            fields = {
                "visibility": visibility and visibility.value,
                "size": file.stat().st_size,
                "minDiskGb": min_disk,
                "minMemoryMb": min_memory,
                "osDistro": os_distro,
            }
            image = client.image_create(name or file.stem, str(fmt), **fields)["image"]
        else:
            image = client.image(resume)
        typer.echo(f"Uploading {file.name} to image {image['name']} ({image['id']})", err=True)
        try:
            with _bar(file.name) as progress:
                url = image.get("fileUrl") or file_url(client.url, image["id"])
                result = client.image_upload(url, file, progress)
        except KeyboardInterrupt:
            again = f"climc image-upload {file} --resume {image['id']}"
            typer.echo(f"Stopped; the bytes sent are kept (resume with {again})", err=True)
            raise typer.Exit(130) from None
    typer.echo(f"Uploaded image {image['name']} ({image['id']}): {result.get('status')}, sha256 {result.get('sha256')}")


@command("image-list")
def image_list(
    status: Annotated[ImageStatus | None, typer.Option(help="Only this status.", case_sensitive=False)] = None,
    visibility: Annotated[Visibility | None, typer.Option(help="Only this visibility.", case_sensitive=False)] = None,
    project_id: Annotated[str | None, typer.Option(help="Only images of this project.")] = None,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List images: your projects', those shared with you, and public ones."""
    filters = {
        "status": status and status.value,
        "visibility": visibility and visibility.value,
        "projectId": project_id,
    }
    with _session(url) as client:
        rows = _rows(functools.partial(client.images, filter=filters), limit, all_pages)
    _show(rows, output, IMAGE_COLUMNS, _image_view)


@command("image-show")
def image_show(image_id: ImageIdArgument, output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """Show an image: format, sizes, checksum, properties and why it was killed."""
    with _session(url) as client:
        image = client.image(image_id)
    if output is OutputFormat.TABLE:
        image = {**_image_view(image), "virtualSize": human(image.get("virtualSize"))}
        image.pop("diskFormat", None)
    typer.echo(render_object(image, output, width=_width()))


@command("image-update")
def image_update(
    image_id: ImageIdArgument,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    visibility: Annotated[Visibility | None, typer.Option(case_sensitive=False, help="New visibility.")] = None,
    protected: Annotated[bool | None, typer.Option("--protected/--unprotected", help="Refuse deletion.")] = None,
    min_disk: Annotated[int | None, typer.Option(help="Smallest boot disk in GB.")] = None,
    min_memory: Annotated[int | None, typer.Option(help="Least memory in MB.")] = None,
    os_type: Annotated[str | None, typer.Option(help="e.g. linux.")] = None,
    os_distro: Annotated[str | None, typer.Option(help="e.g. debian-12.")] = None,
    os_arch: Annotated[str | None, typer.Option(help="e.g. x86_64.")] = None,
    share: Annotated[list[str] | None, typer.Option(help="Share with this project id (repeatable).")] = None,
    unshare: Annotated[list[str] | None, typer.Option(help="Stop sharing with this project id.")] = None,
    url: UrlOption = None,
) -> None:
    """Change an image's name, visibility, protection or properties; share it with projects."""
    fields = {
        "name": name,
        "visibility": visibility and visibility.value,
        "protected": protected,
        "minDiskGb": min_disk,
        "minMemoryMb": min_memory,
        "osType": os_type,
        "osDistro": os_distro,
        "osArch": os_arch,
    }
    with _session(url) as client:
        image = client.image_update(image_id, **{k: v for k, v in fields.items() if v is not None})
        if share:
            image = client.image_share(image_id, list(share))
        if unshare:
            image = client.image_share(image_id, list(unshare), remove=True)
    typer.echo(f"Updated image {image.get('name')} ({image.get('id')}): {image.get('visibility')}")


@command("image-delete")
def image_delete(image_id: ImageIdArgument, url: UrlOption = None) -> None:
    """Delete an image and its bytes."""
    with _session(url) as client:
        deleted = client.image_delete(image_id)
    typer.echo(f"Deleted image {deleted}")


@command("image-download")
def image_download(
    image_id: ImageIdArgument,
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write it.")],
    url: UrlOption = None,
) -> None:
    """Download an image (resuming a partial download), verified against its SHA-256."""
    with _session(url) as client, _bar(file.name) as progress:
        digest = client.image_download(image_id, file, progress)
    typer.echo(f"Downloaded {file} (sha256 {digest})")


@command("image-convert")
def image_convert(
    image_id: ImageIdArgument,
    disk_format: Annotated[DiskFormat, typer.Option("--format", case_sensitive=False, help="Target format.")],
    name: Annotated[str | None, typer.Option(help="Name of the new image.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Convert an image into a new one of another format (a task running qemu-img convert)."""
    with _session(url) as client:
        payload = client.image_convert(image_id, disk_format.value, name)
        image, task = payload.get("image") or {}, payload.get("task")
        typer.echo(f"Converting into image {image.get('name')} ({image.get('id')}){_task_note(task)}")
        if wait and task:
            _wait(client, task)
