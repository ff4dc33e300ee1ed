"""The `lb-*` commands: load balancers, listeners, rules, backends, certificates and ACLs."""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated

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
    _width,
    command,
)
from climc.client import JSON, NimbusClient
from climc.lb_client import LoadbalancerApi
from climc.output import OutputFormat, render_object

LB_COLUMNS = ("id", "name", "status", "vip", "listeners", "cluster", "project", "error")
LISTENER_COLUMNS = ("id", "name", "protocol", "port", "scheduler", "backendGroup", "acl", "state")
BACKEND_COLUMNS = ("id", "group", "address", "port", "weight", "backup", "health", "state")
CERT_COLUMNS = ("id", "name", "commonName", "notAfter", "expired", "fingerprintSha256")
ACL_COLUMNS = ("id", "name", "cidrs", "description")
CLUSTER_COLUMNS = ("id", "name", "generation", "agents")


class Protocol(StrEnum):
    TCP = "TCP"
    HTTP = "HTTP"
    HTTPS = "HTTPS"


class Scheduler(StrEnum):
    ROUND_ROBIN = "ROUND_ROBIN"
    WEIGHTED_ROUND_ROBIN = "WEIGHTED_ROUND_ROBIN"
    LEAST_CONN = "LEAST_CONN"
    SOURCE_HASH = "SOURCE_HASH"


class AclType(StrEnum):
    ALLOW = "ALLOW"
    DENY = "DENY"


class CheckType(StrEnum):
    NONE = "NONE"
    TCP = "TCP"
    HTTP = "HTTP"


IdArgument = Annotated[str, typer.Argument(help="The object's ID.")]
LbArgument = Annotated[str, typer.Argument(help="The load balancer's ID.")]


def _deployed(client: NimbusClient, what: str, payload: JSON, wait: bool) -> None:
    task = payload.get("task")
    typer.echo(f"{what}{_task_note(task)}")
    if wait and task:
        _wait(client, task)


def _name(value: JSON | None) -> str | None:
    return value.get("name") if value else None


# --- load balancers ---------------------------------------------------------------


@command("lb-list")
def lb_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List load balancers."""
    with _session(url) as client:
        rows = _rows(LoadbalancerApi(client).loadbalancers, limit, all_pages)

    def view(lb: JSON) -> JSON:
        listeners = [f"{x['protocol']}:{x['port']}" for x in lb.get("listeners") or []]
        return {**lb, "listeners": listeners, "cluster": _name(lb.get("cluster")), "project": _name(lb.get("project"))}

    _show(rows, output, LB_COLUMNS, view)


@command("lb-show")
def lb_show(lb_id: LbArgument, output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """Show a load balancer with its listeners and backend groups."""
    with _session(url) as client:
        lb = LoadbalancerApi(client).loadbalancer(lb_id)
    typer.echo(render_object(lb, output, width=_width()))


@command("lb-create")
def lb_create(
    name: Annotated[str, typer.Argument(help="Name, unique in the project.")],
    vip: Annotated[str | None, typer.Option(help="The VIP; default: from --network-id, else 0.0.0.0.")] = None,
    network_id: Annotated[str | None, typer.Option(help="Network to take the VIP from.")] = None,
    cluster_id: Annotated[str | None, typer.Option(help="Cluster of lb agents; default: a live one.")] = None,
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Create a load balancer."""
    with _session(url) as client:
        payload = LoadbalancerApi(client).create(
            name, vip=vip, networkId=network_id, clusterId=cluster_id, projectId=project_id
        )
        lb = payload["loadbalancer"]
        _deployed(client, f"Creating load balancer {lb['name']} on {lb['vip']} ({lb['id']})", payload, wait)


@command("lb-delete")
def lb_delete(lb_id: LbArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Delete a load balancer with everything in it."""
    with _session(url) as client:
        payload = LoadbalancerApi(client).delete(lb_id)
        _deployed(client, f"Deleting load balancer {payload['loadbalancer']['name']}", payload, wait)


@command("lb-cluster-list")
def lb_cluster_list(output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """List clusters of lb agents."""
    with _session(url) as client:
        rows = _rows(LoadbalancerApi(client).clusters, 100, True)

    def view(cluster: JSON) -> JSON:
        return {**cluster, "agents": [f"{a['name']}@{a['generation']}" for a in cluster.get("agents") or []]}

    _show(rows, output, CLUSTER_COLUMNS, view)


# --- listeners and rules ----------------------------------------------------------


def _listener_fields(
    name: str | None,
    scheduler: Scheduler | None,
    backend_group_id: str | None,
    certificate_id: str | None,
    sticky_cookie: str | None,
    x_forwarded_for: bool | None,
    redirect_https: bool | None,
    acl_id: str | None,
    acl_type: AclType | None,
    client_timeout_ms: int | None,
    server_timeout_ms: int | None,
) -> JSON:
    return {
        "name": name,
        "scheduler": scheduler and scheduler.value,
        "backendGroupId": backend_group_id,
        "certificateId": certificate_id,
        "stickyCookie": sticky_cookie,
        "xForwardedFor": x_forwarded_for,
        "redirectHttps": redirect_https,
        "aclId": acl_id,
        "aclType": acl_type and acl_type.value,
        "clientTimeoutMs": client_timeout_ms,
        "serverTimeoutMs": server_timeout_ms,
    }


NameOption = Annotated[str | None, typer.Option(help="Listener name.")]
SchedulerOption = Annotated[Scheduler | None, typer.Option(help="How connections are spread.", case_sensitive=False)]
GroupOption = Annotated[str | None, typer.Option("--backend-group", help="Default backend group ID.")]
CertOption = Annotated[str | None, typer.Option("--certificate", help="Certificate ID (HTTPS).")]
CookieOption = Annotated[str | None, typer.Option(help="Sticky-session cookie name (HTTP/HTTPS); '' turns it off.")]
XffOption = Annotated[bool | None, typer.Option("--xff/--no-xff", help="Add X-Forwarded-For.")]
RedirectOption = Annotated[bool | None, typer.Option("--redirect-https/--no-redirect-https", help="Redirect to HTTPS.")]
AclOption = Annotated[str | None, typer.Option("--acl", help="ACL ID; '' detaches it.")]
AclTypeOption = Annotated[AclType | None, typer.Option(help="allow or deny the ACL's addresses.", case_sensitive=False)]
ClientTimeout = Annotated[int | None, typer.Option(help="Client inactivity timeout (ms).")]
ServerTimeout = Annotated[int | None, typer.Option(help="Backend inactivity timeout (ms).")]


@command("lb-listener-list")
def lb_listener_list(lb_id: LbArgument, output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """List a load balancer's listeners."""
    with _session(url) as client:
        rows = LoadbalancerApi(client).loadbalancer(lb_id).get("listeners") or []

    def view(x: JSON) -> JSON:
        return {
            **x,
            "backendGroup": _name(x.get("backendGroup")),
            "acl": x.get("acl") and f"{x['aclType']} {_name(x['acl'])}",
        }

    _show(rows, output, LISTENER_COLUMNS, view)


@command("lb-listener-create")
def lb_listener_create(
    lb_id: LbArgument,
    protocol: Annotated[Protocol, typer.Option(help="tcp, http or https.", case_sensitive=False)],
    port: Annotated[int, typer.Option(help="Port on the VIP.")],
    name: NameOption = None,
    scheduler: SchedulerOption = None,
    backend_group_id: GroupOption = None,
    certificate_id: CertOption = None,
    sticky_cookie: CookieOption = None,
    x_forwarded_for: XffOption = None,
    redirect_https: RedirectOption = None,
    acl_id: AclOption = None,
    acl_type: AclTypeOption = None,
    client_timeout_ms: ClientTimeout = None,
    server_timeout_ms: ServerTimeout = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Add a listener to a load balancer."""
    fields = _listener_fields(
        name or f"{protocol.value.lower()}-{port}",
        scheduler,
        backend_group_id,
        certificate_id,
        sticky_cookie,
        x_forwarded_for,
        redirect_https,
        acl_id,
        acl_type,
        client_timeout_ms,
        server_timeout_ms,
    )
    with _session(url) as client:
        payload = LoadbalancerApi(client).listener_create(lb_id, protocol.value, port, **fields)
        listener = payload["listener"]
        _deployed(
            client, f"Adding listener {listener['protocol']}:{listener['port']} ({listener['id']})", payload, wait
        )


@command("lb-listener-update")
def lb_listener_update(
    listener_id: IdArgument,
    port: Annotated[int | None, typer.Option(help="Port on the VIP.")] = None,
    name: NameOption = None,
    scheduler: SchedulerOption = None,
    backend_group_id: GroupOption = None,
    certificate_id: CertOption = None,
    sticky_cookie: CookieOption = None,
    x_forwarded_for: XffOption = None,
    redirect_https: RedirectOption = None,
    acl_id: AclOption = None,
    acl_type: AclTypeOption = None,
    client_timeout_ms: ClientTimeout = None,
    server_timeout_ms: ServerTimeout = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Change a listener; the old settings serve until the agents accept the new ones."""
    fields = _listener_fields(
        name,
        scheduler,
        backend_group_id,
        certificate_id,
        sticky_cookie,
        x_forwarded_for,
        redirect_https,
        acl_id,
        acl_type,
        client_timeout_ms,
        server_timeout_ms,
    )
    with _session(url) as client:
        payload = LoadbalancerApi(client).listener_update(listener_id, port=port, **fields)
        _deployed(client, f"Updating listener {payload['listener']['id']}", payload, wait)


@command("lb-listener-delete")
def lb_listener_delete(listener_id: IdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Remove a listener with its rules."""
    with _session(url) as client:
        _deployed(
            client, f"Removing listener {listener_id}", LoadbalancerApi(client).listener_delete(listener_id), wait
        )


@command("lb-listener-rule-create")
def lb_rule_create(
    listener_id: IdArgument,
    backend_group_id: Annotated[str, typer.Option("--backend-group", help="Where matching requests go.")],
    host: Annotated[str | None, typer.Option(help="Host header to match.")] = None,
    path: Annotated[str | None, typer.Option(help="Path prefix to match.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Route a host and/or path prefix of an HTTP(S) listener to a backend group."""
    with _session(url) as client:
        payload = LoadbalancerApi(client).rule_create(listener_id, backend_group_id, host, path)
        _deployed(client, f"Adding rule {payload['rule']['id']}", payload, wait)


@command("lb-listener-rule-delete")
def lb_rule_delete(rule_id: IdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Remove a listener rule."""
    with _session(url) as client:
        _deployed(client, f"Removing rule {rule_id}", LoadbalancerApi(client).rule_delete(rule_id), wait)


# --- backend groups and backends ----------------------------------------------------


@command("lb-backend-group-create")
def lb_group_create(
    lb_id: LbArgument,
    name: Annotated[str, typer.Argument(help="Group name.")],
    check: Annotated[CheckType, typer.Option(help="none, tcp or http.", case_sensitive=False)] = CheckType.TCP,
    check_path: Annotated[str | None, typer.Option(help="Path of an HTTP check.")] = None,
    check_codes: Annotated[str | None, typer.Option(help="Accepted status codes, e.g. 200,204.")] = None,
    check_interval_ms: Annotated[int | None, typer.Option(help="Time between checks (ms).")] = None,
    rise: Annotated[int | None, typer.Option(help="Successes that bring a backend up.")] = None,
    fall: Annotated[int | None, typer.Option(help="Failures that take a backend down.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Create a backend group with its health check."""
    codes = [int(c) for c in check_codes.split(",") if c.strip()] if check_codes else None
    health = {"type": check.value, "path": check_path, "expectedCodes": codes, "intervalMs": check_interval_ms}
    health |= {"rise": rise, "fall": fall}
    with _session(url) as client:
        payload = LoadbalancerApi(client).group_create(lb_id, name, health)
        group = payload["backendGroup"]
        _deployed(client, f"Creating backend group {group['name']} ({group['id']})", payload, wait)


@command("lb-backend-group-delete")
def lb_group_delete(group_id: IdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Remove a backend group no listener or rule uses."""
    with _session(url) as client:
        _deployed(client, f"Removing backend group {group_id}", LoadbalancerApi(client).group_delete(group_id), wait)


@command("lb-backend-list")
def lb_backend_list(lb_id: LbArgument, output: OutputOption = OutputFormat.TABLE, url: UrlOption = None) -> None:
    """List a load balancer's backends with their health."""
    with _session(url) as client:
        groups = LoadbalancerApi(client).loadbalancer(lb_id).get("backendGroups") or []
    rows = [{**b, "group": g["name"]} for g in groups for b in g.get("backends") or []]
    _show(rows, output, BACKEND_COLUMNS)


@command("lb-backend-add")
def lb_backend_add(
    group_id: Annotated[str, typer.Argument(help="The backend group's ID.")],
    port: Annotated[int, typer.Option(help="Port on the backend.")],
    server_id: Annotated[str | None, typer.Option(help="A server of the same project.")] = None,
    address: Annotated[str | None, typer.Option(help="An IP address or host name.")] = None,
    weight: Annotated[int, typer.Option(help="0-256, for weighted schedulers.")] = 1,
    backup: Annotated[bool, typer.Option("--backup", help="Only used when the others are down.")] = False,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Add a server or an address:port to a backend group."""
    with _session(url) as client:
        payload = LoadbalancerApi(client).backend_create(
            group_id, port, serverId=server_id, address=address, weight=weight, backup=backup
        )
        b = payload["backend"]
        _deployed(client, f"Adding backend {b['address']}:{b['port']} ({b['id']})", payload, wait)


@command("lb-backend-update")
def lb_backend_update(
    backend_id: IdArgument,
    port: Annotated[int | None, typer.Option(help="Port on the backend.")] = None,
    weight: Annotated[int | None, typer.Option(help="0-256.")] = None,
    backup: Annotated[bool | None, typer.Option("--backup/--no-backup", help="Backup role.")] = None,
    wait: WaitOption = False,
    url: UrlOption = None,
) -> None:
    """Change a backend's port, weight or backup role."""
    with _session(url) as client:
        payload = LoadbalancerApi(client).backend_update(backend_id, port=port, weight=weight, backup=backup)
        _deployed(client, f"Updating backend {backend_id}", payload, wait)


@command("lb-backend-delete")
def lb_backend_delete(backend_id: IdArgument, wait: WaitOption = False, url: UrlOption = None) -> None:
    """Remove a backend."""
    with _session(url) as client:
        _deployed(client, f"Removing backend {backend_id}", LoadbalancerApi(client).backend_delete(backend_id), wait)


# --- certificates and ACLs ------------------------------------------------------------


@command("lb-cert-upload")
def lb_cert_upload(
    name: Annotated[str, typer.Argument(help="Certificate name.")],
    cert: Annotated[Path, typer.Option("--cert", exists=True, dir_okay=False, help="PEM chain, leaf first.")],
    key: Annotated[Path, typer.Option("--key", exists=True, dir_okay=False, help="The leaf's PEM private key.")],
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    url: UrlOption = None,
) -> None:
    """Upload a certificate and its key (checked now, the key stored encrypted, never shown again)."""
    with _session(url) as client:
        created = LoadbalancerApi(client).certificate_create(name, cert.read_text(), key.read_text(), project_id)
    typer.echo(
        f"Uploaded certificate {created['name']} for {created['commonName']}, expires {created['notAfter']} ({created['id']})"
    )


@command("lb-cert-list")
def lb_cert_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List certificates with their expiry."""
    with _session(url) as client:
        rows = _rows(LoadbalancerApi(client).certificates, limit, all_pages)
    _show(rows, output, CERT_COLUMNS)


@command("lb-cert-delete")
def lb_cert_delete(cert_id: IdArgument, url: UrlOption = None) -> None:
    """Delete a certificate no listener uses."""
    with _session(url) as client:
        typer.echo(f"Deleted certificate {LoadbalancerApi(client).certificate_delete(cert_id)}")


@command("lb-acl-create")
def lb_acl_create(
    name: Annotated[str, typer.Argument(help="ACL name.")],
    cidr: Annotated[list[str], typer.Option("--cidr", help="An address or network; repeat for more.")],
    project_id: Annotated[str | None, typer.Option(help="Owning project; default: your token's.")] = None,
    url: UrlOption = None,
) -> None:
    """Create an ACL; attach it with lb-listener-update --acl ID --acl-type allow|deny."""
    with _session(url) as client:
        acl = LoadbalancerApi(client).acl_create(name, cidr, project_id)
    typer.echo(f"Created ACL {acl['name']} with {len(acl['cidrs'])} entries ({acl['id']})")


@command("lb-acl-list")
def lb_acl_list(
    output: OutputOption = OutputFormat.TABLE,
    limit: LimitOption = 50,
    all_pages: AllOption = False,
    url: UrlOption = None,
) -> None:
    """List ACLs."""
    with _session(url) as client:
        rows = _rows(functools.partial(LoadbalancerApi(client).acls), limit, all_pages)
    _show(rows, output, ACL_COLUMNS)


@command("lb-acl-delete")
def lb_acl_delete(acl_id: IdArgument, url: UrlOption = None) -> None:
    """Delete an ACL no listener uses."""
    with _session(url) as client:
        typer.echo(f"Deleted ACL {LoadbalancerApi(client).acl_delete(acl_id)}")
