"""Running the identity bootstrap against the configured database."""

from __future__ import annotations

from domain.db import create_engine, session_factory
from domain.errors import DomainError
from domain.identity.bootstrap import BootstrapResult, bootstrap
from nimbus.settings import Settings


async def run_bootstrap(settings: Settings, password: str, *, reset_password: bool) -> BootstrapResult:
    engine = create_engine(settings.effective_database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await bootstrap(
                session,
                password=password,
                reset_password=reset_password,
                min_length=settings.password_min_length,
                hash_profile=settings.password_hash_profile,
            )
    except DomainError as exc:
        raise ValueError(f"{exc.field}: {exc.message}") from None
    finally:
        await engine.dispose()
