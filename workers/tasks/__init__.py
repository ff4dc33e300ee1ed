"""Task classes, registered by importing them."""

from workers.tasks import (
    baremetal,
    batch,
    identity_sync,
    image_convert,
    lb_sync,
    server_action,
    server_create,
    server_delete,
)

__all__ = [
    "baremetal",
    "batch",
    "identity_sync",
    "image_convert",
    "lb_sync",
    "server_action",
    "server_create",
    "server_delete",
]
