"""Drivers by name: each turns a provider row (and its decrypted secret) into a working driver."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from domain.identity.providers.contract import PasswordDriver, ProviderUnavailable
from domain.identity.providers.ldap_config import LdapConfig
from domain.identity.providers.ldap_driver import LdapDriver
from domain.identity.providers.models import IdentityProvider, ProviderDriver
from domain.identity.providers.secrets import SecretBox

T = TypeVar("T")

PasswordDriverFactory = Callable[[dict[str, Any], str], PasswordDriver]

PASSWORD_DRIVERS: dict[ProviderDriver, PasswordDriverFactory] = {
    ProviderDriver.LDAP: lambda config, secret: LdapDriver(LdapConfig.from_dict(config), secret),
}


def password_driver(provider: IdentityProvider, box: SecretBox) -> PasswordDriver | None:
    """The driver that checks this provider's passwords, or None when Nimbus checks them (SQL, OIDC)."""
    factory = PASSWORD_DRIVERS.get(provider.driver)
    if factory is None:
        return None
    try:
        secret = box.open(provider.secret_encrypted)
    except ValueError as exc:
        raise ProviderUnavailable(str(exc)) from None
    return factory(provider.config, secret)


def call_timeout(provider: IdentityProvider) -> float:
    """An upper bound for one driver call: every server tried, plus searches, each with its timeout."""
    per = float(provider.config.get("timeout_s", 5.0))
    return per * (2 * len(provider.config.get("urls", [1])) + 6)


async def run_blocking(provider: IdentityProvider, fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking driver call in a thread with a deadline: the request never hangs on it."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout=call_timeout(provider))
    except TimeoutError:
        raise ProviderUnavailable(f"The directory of {provider.name!r} did not answer in time") from None
