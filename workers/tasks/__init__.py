"""Task classes, registered by importing them."""

from workers.tasks import batch, lb_sync, server_action, server_create, server_delete

__all__ = ["batch", "lb_sync", "server_action", "server_create", "server_delete"]
