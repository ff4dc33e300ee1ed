"""Provider secrets (bind passwords, client secrets) encrypted at rest with the platform secret."""

from __future__ import annotations

from domain import secrets

# A separate key per purpose: the token-signing key is never used to encrypt.
_INFO = b"nimbus identity provider secrets v1"


class SecretBox(secrets.SecretBox):
    def __init__(self, platform_secret: str) -> None:
        super().__init__(
            platform_secret,
            _INFO,
            "the provider secret was sealed with another platform secret; set it again",
        )
