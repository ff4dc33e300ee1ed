"""Task classes, registered by importing them."""

from workers.tasks import (
    batch,
    identity_sync,
    image_convert,
    lb_sync,
    server_action,
    server_create,
    server_delete,
    vmware,
)

__all__ = [
    "batch",
    "identity_sync",
    "image_convert",
    "lb_sync",
    "server_action",
    "server_create",
    "server_delete",
    "vmware",
]
