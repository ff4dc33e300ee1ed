"""The snapshot part of the Python SDK: `SnapshotApi(client).create(server_id, name)` and so on.

Changes return their payload: the object and the `task` doing the work on the server's host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from climc import snapshot_documents as d
from climc.client import JSON, NimbusClient, _compact


class SnapshotApi:
    """Server snapshots, rebuilds, saving a server as an image, and screenshots."""

    def __init__(self, client: NimbusClient) -> None:
        self.client = client

    def _change(self, document: str, key: str, fields: Mapping[str, Any]) -> JSON:
        return self.client.mutate(document, {"input": _compact(fields)}, key)

    def snapshots(self, first: int = 50, after: str | None = None, filter: Mapping[str, Any] | None = None) -> JSON:
        return self.client._connection(d.SNAPSHOTS, "serverSnapshots", first, after, filter)

    def create(self, server_id: str, name: str, quiesce: bool = False) -> JSON:
        fields = {"serverId": server_id, "name": name, "quiesce": quiesce}
        return self._change(d.SNAPSHOT_CREATE, "serverSnapshotCreate", fields)

    def revert(self, snapshot_id: str) -> JSON:
        return self._change(d.SNAPSHOT_REVERT, "serverSnapshotRevert", {"id": snapshot_id})

    def delete(self, snapshot_id: str) -> JSON:
        return self._change(d.SNAPSHOT_DELETE, "serverSnapshotDelete", {"id": snapshot_id})

    def rebuild(self, server_id: str, image_id: str) -> JSON:
        return self._change(d.REBUILD, "serverRebuild", {"id": server_id, "imageId": image_id})

    def save_image(self, server_id: str, name: str) -> JSON:
        return self._change(d.SAVE_IMAGE, "imageCreateFromServer", {"serverId": server_id, "name": name})

    def screenshot(self, server_id: str, wait_seconds: float | None = None) -> JSON:
        return self._change(d.SCREENSHOT, "serverScreenshot", {"id": server_id, "waitSeconds": wait_seconds})
