"""Provider secrets (bind passwords, client secrets) encrypted at rest with the platform secret."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A separate key per purpose: the token-signing key is never used to encrypt.
_INFO = b"nimbus identity provider secrets v1"


class SecretBox:
    def __init__(self, platform_secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(platform_secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str | None) -> str:
        """The secret, or "" when none is stored; a secret sealed under another key is an error."""
        if not sealed:
            return ""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError("the provider secret was sealed with another platform secret; set it again") from None
