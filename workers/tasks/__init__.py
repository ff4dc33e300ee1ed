"""Task classes, registered by importing them."""

from workers.tasks import (
    baremetal,
    batch,
    cloud_server,
    cloud_sync,
    host_drain,
    identity_sync,
    image_convert,
    lb_sync,
    server_action,
    server_create,
    server_delete,
    server_devices,
    server_migrate,
    server_snapshot,
    vmware,
    volumes,
)

__all__ = [
    "baremetal",
    "batch",
    "cloud_server",
    "cloud_sync",
    "host_drain",
    "identity_sync",
    "image_convert",
    "lb_sync",
    "server_action",
    "server_create",
    "server_delete",
    "server_devices",
    "server_migrate",
    "server_snapshot",
    "vmware",
    "volumes",
]
