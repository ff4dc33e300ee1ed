"""What the cloud tasks share: the account (gone → a clear failure) and provider calls in a thread."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from domain.cloud import providers
from domain.cloud.accounts import open_credentials
from domain.cloud.models import CloudAccount
from domain.cloud.providers.contract import CloudProvider, ProviderError
from domain.cloud.secrets import CredentialBox
from workers.handler import StageContext

T = TypeVar("T")
# Under arq's job timeout (120 s), so a slow provider fails the task with a reason instead of
# the job being cut off and resent.
CALL_TIMEOUT_S = 100.0


async def account_of(sc: StageContext, account_id: str | None) -> CloudAccount:
    account = await sc.session.get(CloudAccount, uuid.UUID(account_id)) if account_id else None
    if account is None:
        sc.fail("the cloud account was deleted")
    assert account is not None
    return account


def provider_of(sc: StageContext, account: CloudAccount) -> CloudProvider:
    try:
        credentials = open_credentials(CredentialBox(sc.deps.secret_key), account)
        return providers.build(account.provider, account.config or {}, credentials)
    except ValueError as exc:
        sc.fail(str(exc))
    except KeyError:
        sc.fail(f"no provider plug-in {account.provider!r} is installed on this worker")
    raise AssertionError("unreachable")


async def call(sc: StageContext, account: CloudAccount, fn: Callable[..., T], *args: Any) -> T:
    """A blocking SDK call in a thread; the provider's error code and message fail the task."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout=CALL_TIMEOUT_S)
    except ProviderError as exc:
        sc.fail(f"{account.provider} refused: {exc.code}: {exc.message}")
    except TimeoutError:
        sc.fail(f"{account.provider} did not answer within {CALL_TIMEOUT_S:.0f} s")
    raise AssertionError("unreachable")
