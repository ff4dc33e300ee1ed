"""The disk-*, server-disk-*, server-nic-* and server-resize commands, and their documents."""

from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, parse, validate
from typer.testing import CliRunner, Result

from climc import cli, disk_cli

runner = CliRunner()
SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
SERVER = {"id": "U2VydmVyOjE=", "name": "web"}
DISK = {"id": "RGlzazox", "name": "data", "sizeGb": 2, "status": "READY"}
TASK = {"id": "VGFzazox", "kind": "disk.create", "status": "QUEUED"}


def climc(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


@pytest.mark.parametrize("document", [disk_cli.DISKS, *disk_cli.MUTATIONS.values()])
def test_documents_are_valid_against_the_schema(document: str) -> None:
    assert [e.message for e in validate(build_schema(SCHEMA.read_text()), parse(document))] == []


def test_disk_list_shows_attached_server_and_host(api: Any, logged_in: Any) -> None:
    api.on(
        "disks",
        api.page(
            [
                {
                    **DISK,
                    "device": "vdb",
                    "volume": True,
                    "error": None,
                    "createdAt": "2026-01-01T00:00:00+00:00",
                    "server": SERVER,
                    "host": {"name": "kvm-1"},
                }
            ]
        ),
    )
    result = climc("disk-list", "--attached")
    assert result.exit_code == 0, result.output
    assert "data" in result.output
    assert "web" in result.output
    assert "vdb" in result.output
    assert api.last("disks")["variables"]["filter"] == {"attached": True}


def test_disk_create_sends_size_and_server(api: Any, logged_in: Any) -> None:
    api.on("diskCreate", {"disk": DISK, "task": TASK, "errors": []})
    result = climc("disk-create", "data", "--size", "2", "--server-id", SERVER["id"])
    assert result.exit_code == 0, result.output
    assert "Creating disk data (RGlzazox), task VGFzazox" in result.output
    assert api.last("diskCreate")["variables"]["input"] == {"name": "data", "sizeGb": 2, "serverId": SERVER["id"]}


def test_refusals_are_reported_with_their_code(api: Any, logged_in: Any) -> None:
    refused = {"errors": [{"field": "diskId", "message": "The boot disk cannot be detached", "code": "NOT_ALLOWED"}]}
    api.on("serverDiskDetach", {"server": None, "disk": None, "task": None, **refused})
    result = climc("server-disk-detach", SERVER["id"], DISK["id"])
    assert result.exit_code != 0
    assert "boot disk cannot be detached" in result.output


@pytest.mark.parametrize(
    ("args", "field", "expected"),
    [
        (["disk-resize", "RGlzazox", "--size", "5"], "diskResize", {"id": "RGlzazox", "sizeGb": 5}),
        (["disk-delete", "RGlzazox"], "diskDelete", {"id": "RGlzazox"}),
        (
            ["server-disk-attach", "U2VydmVyOjE=", "RGlzazox"],
            "serverDiskAttach",
            {"id": "U2VydmVyOjE=", "diskId": "RGlzazox"},
        ),
        (
            ["server-nic-attach", "U2VydmVyOjE=", "--network-id", "TjE="],
            "serverNicAttach",
            {"id": "U2VydmVyOjE=", "networkId": "TjE="},
        ),
        (
            ["server-nic-detach", "U2VydmVyOjE=", "TmljOjE="],
            "serverNicDetach",
            {"id": "U2VydmVyOjE=", "nicId": "TmljOjE="},
        ),
        (
            ["server-resize", "U2VydmVyOjE=", "--vcpus", "4", "--cold"],
            "serverResize",
            {"id": "U2VydmVyOjE=", "vcpus": 4, "live": False},
        ),
    ],
)
def test_each_change_sends_its_input(api: Any, logged_in: Any, args: list[str], field: str, expected: Any) -> None:
    api.on(
        field,
        {
            "server": SERVER,
            "disk": DISK,
            "nic": {"id": "TmljOjE=", "mac": "52:54:00:00:00:01", "ipAddress": "10.0.0.9"},
            "task": TASK,
            "errors": [],
        },
    )
    result = climc(*args)
    assert result.exit_code == 0, result.output
    assert "task VGFzazox" in result.output
    assert api.last(field)["variables"]["input"] == expected
