"""Task classes, registered by importing them."""

from workers.tasks import batch, server_action, server_create, server_delete

__all__ = ["batch", "server_action", "server_create", "server_delete"]
