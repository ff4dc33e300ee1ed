"""The URLs handed to clients for an image's bytes."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from resolvers.context import Context


def file_url(ctx: Context, image_id: uuid.UUID) -> str:
    """Where an image's bytes are PUT and read: the data listener when it runs, else the api itself."""
    services = ctx.services
    base = ctx.base_url
    if services.image_data_url:
        base = services.image_data_url
    elif services.image_data_port:
        # The host the client used to reach the api, on the listener's port. The listener speaks
        # plain HTTP: behind a TLS proxy, NIMBUS_IMAGE_DATA_URL names the proxy's address for it.
        host = urlsplit(ctx.base_url).hostname or "127.0.0.1"
        base = f"http://{f'[{host}]' if ':' in host else host}:{services.image_data_port}"
    return f"{base.rstrip('/')}/images/{image_id}/file"
