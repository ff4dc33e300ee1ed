"""Signed, expiring download links: how a host agent, which holds no user token, fetches an image."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

LINK_TTL_S = 3600


def _signature(secret: str, image_id: uuid.UUID, expires: int, purpose: str = "image-download") -> str:
    message = f"{purpose}:{image_id}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(secret: str, image_id: uuid.UUID, ttl_s: int = LINK_TTL_S) -> str:
    expires = int(time.time()) + ttl_s
    return f"/images/{image_id}/file?expires={expires}&signature={_signature(secret, image_id, expires)}"


def link_valid(secret: str, image_id: uuid.UUID, expires: str | None, signature: str | None) -> bool:
    if not expires or not signature or not expires.isdigit():
        return False
    if int(expires) < time.time():
        return False
    return hmac.compare_digest(_signature(secret, image_id, int(expires)), signature)


def signed_upload_path(secret: str, image_id: uuid.UUID, ttl_s: int = LINK_TTL_S) -> str:
    """Where a host agent PUTs an image it made (a saved server disk); no user token needed."""
    expires = int(time.time()) + ttl_s
    return f"/images/{image_id}/file?expires={expires}&upload-signature={_signature(secret, image_id, expires, 'image-upload')}"


def upload_link_valid(secret: str, image_id: uuid.UUID, expires: str | None, signature: str | None) -> bool:
    if not expires or not signature or not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(_signature(secret, image_id, int(expires), "image-upload"), signature)
