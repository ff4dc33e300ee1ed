"""The snapshot, rebuild, save-image and screenshot commands, and that their documents fit the schema."""

import base64
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, parse, validate
from typer.testing import CliRunner, Result

from climc import cli, snapshot_documents

runner = CliRunner()
SCHEMA = build_schema((Path(__file__).resolve().parents[2] / "schema" / "schema.graphql").read_text(encoding="utf-8"))
TASK = {
    "id": "VGFzazox",
    "kind": "server.snapshot_create",
    "status": "QUEUED",
    "progress": 0,
    "stage": "on_init",
    "error": None,
}
SNAPSHOT = {
    "id": "U25hcDox",
    "name": "before-upgrade",
    "status": "READY",
    "includesMemory": True,
    "quiesced": False,
    "error": None,
    "createdAt": "2026-11-25T21:00:00+00:00",
    "server": {"id": "U2VydmVyOjE=", "name": "web-1"},
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def climc(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


@pytest.mark.parametrize(
    "name", [n for n in vars(snapshot_documents) if n.isupper() and not n.endswith(("_FIELDS", "ERRORS"))]
)
def test_document_is_valid(name: str) -> None:
    assert [e.message for e in validate(SCHEMA, parse(getattr(snapshot_documents, name)))] == []


def test_snapshot_create_sends_name_and_quiesce(api: Any, logged_in: Any) -> None:
    api.on("serverSnapshotCreate", {"snapshot": SNAPSHOT, "task": TASK, "errors": []})
    result = climc("server-snapshot-create", "U2VydmVyOjE=", "--name", "before-upgrade", "--quiesce")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Snapshotting into before-upgrade (U25hcDox), task VGFzazox")
    sent = api.last("serverSnapshotCreate")["variables"]["input"]
    assert sent == {"serverId": "U2VydmVyOjE=", "name": "before-upgrade", "quiesce": True}


def test_snapshot_list_shows_the_server_by_name(api: Any, logged_in: Any) -> None:
    api.on("serverSnapshots", api.page([SNAPSHOT]))
    result = climc("server-snapshot-list", "--server-id", "U2VydmVyOjE=")
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if "before-upgrade" in line]
    assert "web-1" in row
    assert api.last("serverSnapshots")["variables"]["filter"] == {"serverId": "U2VydmVyOjE="}


def test_revert_and_delete_name_the_snapshot(api: Any, logged_in: Any) -> None:
    api.on("serverSnapshotRevert", {"snapshot": SNAPSHOT, "task": TASK, "errors": []})
    api.on("serverSnapshotDelete", {"snapshot": SNAPSHOT, "task": TASK, "errors": []})
    assert "Reverting server web-1" in climc("server-snapshot-revert", "U25hcDox").stdout
    assert "Deleting snapshot U25hcDox" in climc("server-snapshot-delete", "U25hcDox").stdout


def test_rebuild_refused_for_an_inactive_image_is_one_line(api: Any, logged_in: Any) -> None:
    error = {"field": "imageId", "message": "The image is queued, not active", "code": "INVALID_STATE"}
    api.on("serverRebuild", {"server": None, "task": None, "errors": [error]})
    result = climc("server-rebuild", "U2VydmVyOjE=", "--image-id", "SW1hZ2U6MQ==")
    assert result.exit_code != 0
    assert "The image is queued, not active" in result.output


def test_screenshot_writes_the_png(api: Any, logged_in: Any, tmp_path: Path) -> None:
    shot = {
        "mimeType": "image/png",
        "dataUrl": "data:image/png;base64," + base64.b64encode(PNG).decode(),
        "size": len(PNG),
        "takenAt": "2026-11-25T21:00:00+00:00",
    }
    api.on(
        "serverScreenshot",
        {
            "server": {"id": "U2VydmVyOjE=", "name": "web-1"},
            "task": {**TASK, "status": "SUCCEEDED"},
            "screenshot": shot,
            "errors": [],
        },
    )
    target = tmp_path / "web-1.png"
    result = climc("server-screenshot", "U2VydmVyOjE=", "--file", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == PNG
    assert f"Wrote {len(PNG)} bytes (image/png)" in result.stdout


def test_save_image_names_the_new_image(api: Any, logged_in: Any) -> None:
    api.on(
        "imageCreateFromServer",
        {"image": {"id": "SW1hZ2U6Mg==", "name": "golden", "status": "QUEUED"}, "task": TASK, "errors": []},
    )
    result = climc("server-save-image", "U2VydmVyOjE=", "--name", "golden")
    assert result.exit_code == 0, result.output
    assert "Saving into image golden (SW1hZ2U6Mg==)" in result.stdout
