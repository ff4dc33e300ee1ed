"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

from domain.errors import InvalidInput
from domain.identity.errors import IdentityErrorCode

MAX_LENGTH = 256

_HASHERS = {
    "default": PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY),
    # For test suites that create hundreds of users; never for a real platform.
    "fast": PasswordHasher.from_parameters(CHEAPEST),
}

# Verified against when the user does not exist, so a miss costs as much as a wrong password.
_DUMMY = {name: hasher.hash("nimbus-timing-equaliser") for name, hasher in _HASHERS.items()}


def check_policy(password: str, min_length: int, *, field: str = "password", username: str = "") -> None:
    if not password:
        raise InvalidInput(field, "A password is required", IdentityErrorCode.REQUIRED)
    if len(password) < min_length:
        raise InvalidInput(
            field,
            f"Passwords need at least {min_length} characters",
            IdentityErrorCode.WEAK_PASSWORD,
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            field,
            f"Passwords are at most {MAX_LENGTH} characters",
            IdentityErrorCode.TOO_LONG,
        )
    if password.strip() == "" or len(set(password)) < 4:
        raise InvalidInput(field, "This password is too easy to guess", IdentityErrorCode.WEAK_PASSWORD)
    if username and username.lower() in password.lower():
        raise InvalidInput(
            field,
            "The password must not contain the user name",
            IdentityErrorCode.WEAK_PASSWORD,
        )


def hash_password(password: str, profile: str = "default") -> str:
    return _HASHERS[profile].hash(password)


def verify_password(password_hash: str | None, password: str, profile: str = "default") -> bool:
    hasher = _HASHERS[profile]
    try:
        return hasher.verify(password_hash or _DUMMY[profile], password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
