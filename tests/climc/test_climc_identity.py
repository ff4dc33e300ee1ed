"""climc's identity provider and quota commands against a live API and a real slapd."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from typer.testing import CliRunner, Result

from climc import cli
from tests.conftest import LiveServer
from tests.identity import slapd as ldap

runner = CliRunner()


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[ldap.Slapd]:
    server = ldap.Slapd(tmp_path / "slapd")
    server.start()
    yield server
    server.stop()


def climc(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


async def test_idp_and_quota_commands(app: Starlette, live_server: LiveServer, directory: ldap.Slapd) -> None:
    url = live_server.url
    assert climc("login", "-u", "admin", "-p", live_server.admin_password, "--url", url).exit_code == 0

    shown = climc("quota-show", "-o", "json", "--url", url)
    assert shown.exit_code == 0, shown.output
    (admin_quota,) = json.loads(shown.stdout)
    project_id, domain_id = admin_quota["project"]["id"], admin_quota["domain"]["id"]

    updated = climc("quota-update", "--project-id", project_id, "--servers", "3", "--vcpus", "8", "--url", url)
    assert updated.exit_code == 0, updated.output
    assert "Updated quota of admin: servers=0/3, vcpus=0/8" in updated.stdout
    table = climc("quota-show", "--project-id", project_id, "--url", url)
    assert table.exit_code == 0
    servers_line = next(line for line in table.stdout.splitlines() if "servers" in line)
    assert "3" in servers_line
    assert "project" in servers_line
    listing = climc("quota-show", "--url", url)
    assert "0/3" in listing.stdout
    refused = climc("quota-update", "--servers", "3", "--url", url)
    assert refused.exit_code == 1
    assert "projectId" in refused.output or "project" in refused.output

    created = climc(
        "idp-create", "corp-ldap", "--driver", "ldap", "--domain-id", domain_id,
        "--ldap-url", directory.url, "--user-base-dn", ldap.PEOPLE, "--group-base-dn", ldap.GROUPS,
        "--bind-dn", ldap.SERVICE_DN, "--secret", ldap.SERVICE_PW, "--map", "cloud-devs=member@admin",
        "--url", url,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "Created identity provider corp-ldap" in created.stdout
    listed = climc("idp-list", "-o", "json", "--url", url)
    (provider,) = json.loads(listed.stdout)
    assert provider["driver"] == "LDAP"
    assert provider["roleMappings"] == [{"group": "cloud-devs", "role": "member", "project": "admin"}]
    assert ldap.SERVICE_PW not in listed.stdout
    table = climc("idp-list", "--url", url)
    assert "corp-ldap" in table.stdout
    assert "on demand" in table.stdout
    synced = climc("idp-sync", provider["id"], "--url", url)
    assert synced.exit_code == 0, synced.output
    assert "Syncing corp-ldap" in synced.stdout
    assert "task" in synced.stdout
    bad = climc("idp-create", "x", "--driver", "ldap", "--ldap-url", "http://nope", "--url", url)
    assert bad.exit_code == 1
