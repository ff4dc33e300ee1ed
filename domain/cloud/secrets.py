"""Cloud account credentials, sealed with a key derived from the platform secret for this purpose."""

from __future__ import annotations

from domain import secrets


class CredentialBox(secrets.SecretBox):
    def __init__(self, platform_secret: str) -> None:
        super().__init__(
            platform_secret,
            b"cloud-account",
            "the account's credentials were sealed with another platform secret; set them again",
        )
