"""Secrets kept at rest (directory bind passwords, TLS keys) encrypted with the platform secret.

Each purpose derives its own key (HKDF with a purpose label), so the token-signing key is never
used to encrypt and one purpose's ciphertext never opens under another's key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBox:
    def __init__(self, platform_secret: str, purpose: bytes, mismatch: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(platform_secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self._mismatch = mismatch

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str | None) -> str:
        """The secret, or "" when none is stored; a secret sealed under another key is a ValueError."""
        if not sealed:
            return ""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError(self._mismatch) from None
