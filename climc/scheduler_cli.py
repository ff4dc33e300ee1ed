"""climc commands of the scheduler: scheduler-forecast, scheduler-settings, server groups."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from climc.cli import (
    AllOption,
    LimitOption,
    OutputOption,
    UrlOption,
    _rows,
    _session,
    _show,
    _width,
    command,
)
from climc.client import JSON
from climc.output import OutputFormat, render, render_object

GROUP_COLUMNS = ("id", "name", "policy", "project", "createdAt")
CANDIDATE_COLUMNS = ("rank", "host", "weight", "servers")
REJECTION_COLUMNS = ("host", "filter", "reason", "detail")


class Strategy(StrEnum):
    SPREAD = "SPREAD"
    PACK = "PACK"


class Policy(StrEnum):
    AFFINITY = "AFFINITY"
    ANTI_AFFINITY = "ANTI_AFFINITY"
    SOFT_AFFINITY = "SOFT_AFFINITY"
    SOFT_ANTI_AFFINITY = "SOFT_ANTI_AFFINITY"


ZoneOption = Annotated[str | None, typer.Option(help="Only hosts of this zone.")]
RegionOption = Annotated[str | None, typer.Option(help="Only hosts of this region.")]
RequiredTagOption = Annotated[
    list[str] | None, typer.Option("--require-tag", help="Hosts must have this tag (repeat).")
]
ExcludedTagOption = Annotated[
    list[str] | None, typer.Option("--exclude-tag", help="Hosts must not have this tag (repeat).")
]
PreferredTagOption = Annotated[
    list[str] | None, typer.Option("--prefer-tag", help="Prefer hosts with this tag (repeat).")
]
GroupOption = Annotated[str | None, typer.Option(help="Join this server group.")]
StrategyOption = Annotated[Strategy | None, typer.Option(help="SPREAD or PACK.", case_sensitive=False)]
PartialOption = Annotated[bool, typer.Option("--allow-partial", help="Create what fits instead of nothing.")]


def placement(
    zone_id: str | None,
    region_id: str | None,
    require_tag: list[str] | None,
    exclude_tag: list[str] | None,
    prefer_tag: list[str] | None,
    server_group_id: str | None,
    strategy: Strategy | None,
    allow_partial: bool,
) -> JSON:
    """The scheduler hints of serverCreate's input, as the API names them."""
    hints: dict[str, Any] = {
        "zoneId": zone_id,
        "regionId": region_id,
        "requiredTags": require_tag or None,
        "excludedTags": exclude_tag or None,
        "preferredTags": prefer_tag or None,
        "serverGroupId": server_group_id,
        "strategy": strategy and strategy.value,
        "allowPartial": allow_partial or None,
    }
    return {k: v for k, v in hints.items() if v is not None}


@command("scheduler-forecast")
def scheduler_forecast(
    vcpus: Annotated[int, typer.Option(help="Virtual CPUs.")],
    memory: Annotated[int, typer.Option(help="Memory in MB.")],
    disk: Annotated[int, typer.Option(help="Boot disk in GB.")] = 10,
    count: Annotated[int, typer.Option(help="How many servers.")] = 1,
    network_id: Annotated[str | None, typer.Option(help="Network of the first NIC.")] = None,
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    host_id: Annotated[str | None, typer.Option(help="Pinned host (administrators).")] = None,
    zone_id: ZoneOption = None,
    region_id: RegionOption = None,
    require_tag: RequiredTagOption = None,
    exclude_tag: ExcludedTagOption = None,
    prefer_tag: PreferredTagOption = None,
    server_group_id: GroupOption = None,
    strategy: StrategyOption = None,
    allow_partial: PartialOption = False,
    limit: Annotated[int | None, typer.Option(help="At most this many candidates and rejections.")] = None,
    output: OutputOption = OutputFormat.TABLE,
    url: UrlOption = None,
) -> None:
    """What server-create with these options would get: fits, how many, candidates, rejected hosts."""
    request = {
        "name": "forecast",
        "vcpus": vcpus,
        "memoryMb": memory,
        "diskGb": disk,
        "count": count,
        "networkId": network_id,
        "projectId": project_id,
        "hostId": host_id,
        **placement(zone_id, region_id, require_tag, exclude_tag, prefer_tag, server_group_id, strategy, allow_partial),
    }
    with _session(url) as client:
        forecast = client.scheduler_forecast(request, limit)
    if output is not OutputFormat.TABLE:
        typer.echo(render_object(forecast, output))
        return
    verdict = "fits" if forecast["fits"] else "does NOT fit"
    typer.echo(
        f"{forecast['requested']} server(s) {verdict}; {forecast['count']} would fit in all; "
        f"{forecast['hostsChecked']} host(s) checked"
    )
    width = _width()
    candidates = [
        {"rank": i + 1, "host": c["host"]["name"], "weight": f"{c['weight']:.3f}", "servers": c["servers"]}
        for i, c in enumerate(forecast["candidates"])
    ]
    if candidates:
        typer.echo("\nCandidates (best first)")
        typer.echo(render(candidates, output, CANDIDATE_COLUMNS, width))
    rejections = [{**r, "host": r["host"]["name"]} for r in forecast["rejections"]]
    if rejections:
        typer.echo("\nRejected hosts")
        typer.echo(render(rejections, output, REJECTION_COLUMNS, width))
    elif forecast["rejectionCounts"]:
        typer.echo("\nRejected hosts per filter")
        typer.echo(render(forecast["rejectionCounts"], output, ("filter", "reason", "hosts"), width))


@command("server-group-list")
def server_group_list(
    project_id: Annotated[str | None, typer.Option(help="Only this project's.")] = None,
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List server groups."""
    with _session(url) as client:
        rows = _rows(lambda **kw: client.server_groups(filter={"projectId": project_id}, **kw), limit, all_pages)
    _show(rows, output, GROUP_COLUMNS, lambda g: {**g, "project": (g.get("project") or {}).get("name")})


@command("server-group-create")
def server_group_create(
    name: Annotated[str, typer.Argument(help="Name, unique in the project.")],
    policy: Annotated[Policy, typer.Option(help="Placement policy of its members.", case_sensitive=False)],
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    url: UrlOption = None,
) -> None:
    """Create a server group; pass its id to server-create --server-group-id."""
    with _session(url) as client:
        group = client.server_group_create(name, policy.value, project_id)
    typer.echo(f"Created server group {group['name']} ({group['id']}), {group['policy']}")


@command("server-group-delete")
def server_group_delete(
    group_id: Annotated[str, typer.Argument(help="The server group's id.")],
    url: UrlOption = None,
) -> None:
    """Delete a server group that has no live members."""
    with _session(url) as client:
        deleted = client.server_group_delete(group_id)
    typer.echo(f"Deleted server group {deleted}")


@command("scheduler-settings")
def scheduler_settings(output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """Show the scheduler's settings: strategy, limits, weigher multipliers, filters."""
    with _session(url) as client:
        settings = client.scheduler_settings()
    typer.echo(render_object(_settings_view(settings) if output is OutputFormat.TABLE else settings, output, _width()))


@command("scheduler-settings-update")
def scheduler_settings_update(
    strategy: StrategyOption = None,
    max_servers_per_host: Annotated[int | None, typer.Option(help="0 = no limit.")] = None,
    multiplier: Annotated[
        list[str] | None, typer.Option(help="WEIGHER=VALUE, e.g. spread=2 or preferred_tags=0 (repeat).")
    ] = None,
    project_id: Annotated[str | None, typer.Option(help="Set this project's own strategy.")] = None,
    project_strategy: Annotated[
        Strategy | None, typer.Option(help="That project's strategy.", case_sensitive=False)
    ] = None,
    clear_project_strategy: Annotated[bool, typer.Option(help="That project uses the default again.")] = False,
    output: OutputOption = OutputFormat.TABLE,
    url: UrlOption = None,
) -> None:
    """Change the scheduler's settings (system administrators)."""
    fields: dict[str, Any] = {
        "strategy": strategy and strategy.value,
        "maxServersPerHost": max_servers_per_host,
        "multipliers": _multipliers(multiplier) if multiplier else None,
        "projectId": project_id,
        "projectStrategy": project_strategy and project_strategy.value,
        "clearProjectStrategy": clear_project_strategy or None,
    }
    with _session(url) as client:
        settings = client.scheduler_settings_update(**fields)
    typer.echo(render_object(_settings_view(settings) if output is OutputFormat.TABLE else settings, output, _width()))


def _multipliers(pairs: list[str]) -> list[JSON]:
    parsed = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            parsed.append({"weigher": name.strip(), "multiplier": float(value)})
        except ValueError:
            raise typer.BadParameter(f"expected WEIGHER=NUMBER, got {pair!r}", param_hint="--multiplier") from None
        if not sep:
            raise typer.BadParameter(f"expected WEIGHER=NUMBER, got {pair!r}", param_hint="--multiplier")
    return parsed


def _settings_view(settings: JSON) -> JSON:
    return {
        "strategy": settings.get("strategy"),
        "maxServersPerHost": settings.get("maxServersPerHost") or "no limit",
        "multipliers": [f"{m['weigher']}={m['multiplier']:g}" for m in settings.get("multipliers") or []],
        "projectStrategies": [f"{p['projectId']}={p['strategy']}" for p in settings.get("projectStrategies") or []],
        "filters": settings.get("filters"),
    }
