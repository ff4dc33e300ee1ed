"""Database plumbing shared by every bounded context: the declarative base, engines, sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that reads back as UTC on PostgreSQL and SQLite alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def create_engine(url: str, *, pool_size: int | None = None, max_overflow: int | None = None) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys on and a busy timeout for the all-in-one mode.

    Pool sizes apply to server databases; SQLite in the all-in-one mode keeps its defaults.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    sizes = {k: v for k, v in (("pool_size", pool_size), ("max_overflow", max_overflow)) if v is not None}
    connect_args = {"ssl": False} if _loopback_without_tls_choice(url) else {}
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **sizes)


def _loopback_without_tls_choice(url: str) -> bool:
    """asyncpg tries TLS first by default; on loopback it only costs CPU on both ends of every query.

    An explicit `ssl`/`sslmode` in the URL always wins.
    """
    parsed = make_url(url)
    if {"ssl", "sslmode"} & set(parsed.query):
        return False
    return parsed.host in (None, "", "localhost", "127.0.0.1", "::1") or str(parsed.host).startswith("/")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
