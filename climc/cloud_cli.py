"""The `cloud-account-*` and `sku-list` commands: public cloud accounts and their instance types."""

from __future__ import annotations

import json
from typing import Annotated, Any

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
from climc.cloud_client import CloudApi
from climc.output import OutputFormat

ACCOUNT_COLUMNS = ("id", "name", "provider", "regions", "status", "project", "lastSyncAt", "lastSyncError")
SKU_COLUMNS = ("id", "name", "provider", "region", "vcpus", "memoryMb")

AccountArgument = Annotated[str, typer.Argument(help="The cloud account's ID.")]
CredentialOption = Annotated[
    list[str] | None,
    typer.Option("--credential", "-c", help="KEY=VALUE, repeated (aws: access_key_id and secret_access_key)."),
]
ConfigOption = Annotated[str | None, typer.Option(help='Non-secret settings as JSON, e.g. {"endpoint_url": "…"}.')]


def _pairs(values: list[str] | None) -> dict[str, str] | None:
    if values is None:
        return None
    pairs = {}
    for value in values:
        key, sep, secret = value.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint="--credential")
        pairs[key] = secret
    return pairs


def _json(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from None


@command("cloud-account-list")
def cloud_account_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List cloud accounts (never their credentials)."""
    with _session(url) as client:
        rows = _rows(CloudApi(client).accounts, limit, all_pages)
    _show(rows, output, ACCOUNT_COLUMNS, lambda a: {**a, "project": (a.get("project") or {}).get("name")})


@command("cloud-account-create")
def cloud_account_create(
    name: Annotated[str, typer.Argument(help="Unique name.")],
    provider: Annotated[str, typer.Option(help="Provider plug-in.")] = "aws",
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="A region to manage, repeated.")] = None,
    credential: CredentialOption = None,
    config: ConfigOption = None,
    project_id: Annotated[str | None, typer.Option(help="Project of its resources; default: your token's.")] = None,
    sync_interval: Annotated[int, typer.Option(help="Seconds between automatic syncs; 0 = off.")] = 0,
    url: UrlOption = None,
) -> None:
    """Register a cloud account for a project (system administrators)."""
    with _session(url) as client:
        payload = CloudApi(client).account_create(
            name,
            provider,
            region or [],
            _pairs(credential) or {},
            config=_json(config),
            projectId=project_id,
            syncIntervalS=sync_interval,
        )
    account = payload["cloudAccount"]
    typer.echo(f"Created cloud account {account['name']} ({account['id']})")


@command("cloud-account-update")
def cloud_account_update(
    account_id: AccountArgument,
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="Replace the regions.")] = None,
    credential: CredentialOption = None,
    config: ConfigOption = None,
    sync_interval: Annotated[int | None, typer.Option(help="Seconds between automatic syncs.")] = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", help="Enable or disable it.")] = None,
    url: UrlOption = None,
) -> None:
    """Change a cloud account."""
    with _session(url) as client:
        payload = CloudApi(client).account_update(
            account_id,
            _pairs(credential),
            regions=region,
            config=_json(config),
            syncIntervalS=sync_interval,
            enabled=enabled,
        )
    typer.echo(f"Updated cloud account {payload['cloudAccount']['name']}")


@command("cloud-account-delete")
def cloud_account_delete(account_id: AccountArgument, url: UrlOption = None) -> None:
    """Forget a cloud account and what was imported from it (nothing changes at the provider)."""
    with _session(url) as client:
        CloudApi(client).account_delete(account_id)
    typer.echo(f"Deleted cloud account {account_id}")


@command("cloud-account-sync")
def cloud_account_sync(account_id: AccountArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Import the account's regions, SKUs, images, networks and instances now."""
    with _session(url) as client:
        payload = CloudApi(client).account_sync(account_id)
        task = payload.get("task")
        typer.echo(f"Syncing cloud account {payload['cloudAccount']['name']}{_task_note(task)}")
        if wait and task:
            _wait(client, task)


@command("sku-list")
def sku_list(
    region: Annotated[str | None, typer.Option(help="Only this provider region's.")] = None,
    min_vcpus: Annotated[int | None, typer.Option(help="At least this many vCPUs.")] = None,
    min_memory: Annotated[int | None, typer.Option(help="At least this much memory (MiB).")] = None,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List instance types synced from cloud accounts."""
    wanted = {"region": region, "minVcpus": min_vcpus, "minMemoryMb": min_memory}
    flt = {k: v for k, v in wanted.items() if v is not None} or None
    with _session(url) as client:
        api = CloudApi(client)
        rows = _rows(lambda first, after=None: api.skus(first, after, flt), limit, all_pages)
    _show(rows, output, SKU_COLUMNS)
