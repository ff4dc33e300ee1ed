"""Task classes, registered by importing them."""

from workers.tasks import (
    batch,
    cloud_server,
    cloud_sync,
    identity_sync,
    image_convert,
    lb_sync,
    server_action,
    server_create,
    server_delete,
)

__all__ = [
    "batch",
    "cloud_server",
    "cloud_sync",
    "identity_sync",
    "image_convert",
    "lb_sync",
    "server_action",
    "server_create",
    "server_delete",
]
