"""Quota rules: effective limits, the race-free check at allocation, and changing limits.

`charge` runs in the transaction that allocates. When a limit applies it first bumps the
project's quota row (`UPDATE … SET generation = generation + 1`), which takes that row's lock
until commit on PostgreSQL (and the write lock on SQLite), then counts what the project holds.
Concurrent allocations in one project therefore count one after another, each seeing the rows
the previous one committed, and together they never pass the limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.identity.access import Principal
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.models import Domain, Project
from domain.quota.errors import FIELDS, QuotaExceeded
from domain.quota.models import RESOURCES, UNLIMITED, Quota, domain_key, project_key
from domain.quota.usage import usage
from domain.scoping import get_visible

MAX_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class Limit:
    resource: str
    limit: int | None  # None: unlimited
    source: str  # "project", "domain" or "none"
    used: int


async def _rows(session: AsyncSession, keys: list[str]) -> dict[str, Quota]:
    found = (await session.execute(select(Quota).where(Quota.key.in_(keys)))).scalars()
    return {q.key: q for q in found}


def _effective(project_row: Quota | None, domain_row: Quota | None, resource: str) -> tuple[int | None, str]:
    for row, source in ((project_row, "project"), (domain_row, "domain")):
        value = row.limit(resource) if row is not None else None
        if value is not None:
            return (None if value == UNLIMITED else value), source
    return None, "none"


async def limits_for(
    session: AsyncSession, projects: Iterable[tuple[uuid.UUID, uuid.UUID]]
) -> dict[uuid.UUID, dict[str, tuple[int | None, str]]]:
    """`project -> resource -> (limit or None, where it comes from)` for (project, domain) pairs."""
    pairs = list(projects)
    rows = await _rows(session, [project_key(p) for p, _ in pairs] + [domain_key(d) for _, d in pairs])
    return {
        p: {r: _effective(rows.get(project_key(p)), rows.get(domain_key(d)), r) for r in RESOURCES} for p, d in pairs
    }


async def _lock(session: AsyncSession, project_id: uuid.UUID, domain_id: uuid.UUID) -> None:
    """Take the project's quota row lock, creating the row (limits inherited) if it is missing."""
    key = project_key(project_id)
    bump = update(Quota).where(Quota.key == key).values(generation=Quota.generation + 1)
    bump = bump.execution_options(synchronize_session=False)
    if (await session.execute(bump)).rowcount == 1:  # type: ignore[attr-defined]
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"id": uuid.uuid4(), "key": key, "domain_id": domain_id, "project_id": project_id, "generation": 0}
    await session.execute(insert(Quota).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    await session.execute(bump)


async def charge(session: AsyncSession, project_id: uuid.UUID, domain_id: uuid.UUID, demand: dict[str, int]) -> None:
    """Refuse the allocation if it would take the project past a limit; call it before adding rows.

    Without any limit on the demanded resources this is one read and takes no lock.
    """
    wanted = {r: n for r, n in demand.items() if n > 0}
    limits = (await limits_for(session, [(project_id, domain_id)]))[project_id]
    if all(limits[r][0] is None for r in wanted):
        return
    await _lock(session, project_id, domain_id)
    # Read again under the lock: a concurrent quotaUpdate may have committed meanwhile.
    limits = (await limits_for(session, [(project_id, domain_id)]))[project_id]
    limited = [r for r in wanted if limits[r][0] is not None]
    held = (await usage(session, [project_id], limited))[project_id]
    for resource in limited:
        limit = limits[resource][0]
        assert limit is not None
        if held[resource] + wanted[resource] > limit:
            raise QuotaExceeded(resource, limit, held[resource], wanted[resource])


async def project_limits(session: AsyncSession, projects: list[Project]) -> dict[uuid.UUID, list[Limit]]:
    """Limits next to usage for a page of projects, in a constant number of queries."""
    limits = await limits_for(session, [(p.id, p.domain_id) for p in projects])
    held = await usage(session, [p.id for p in projects])
    return {p.id: [Limit(r, *limits[p.id][r], held[p.id][r]) for r in RESOURCES] for p in projects}


async def domain_defaults(session: AsyncSession, principal: Principal, domain_id: uuid.UUID) -> list[Limit]:
    """A domain's default limits, with the whole domain's usage next to them."""
    domain = await get_visible(session, Domain, principal, domain_id, field="domainId")
    principal.require("identity.quota.list", domain_id=domain.id)
    row = (await _rows(session, [domain_key(domain.id)])).get(domain_key(domain.id))
    project_ids = list((await session.execute(select(Project.id).where(Project.domain_id == domain.id))).scalars())
    held = await usage(session, project_ids)
    totals = {r: sum(h[r] for h in held.values()) for r in RESOURCES}
    out = []
    for r in RESOURCES:
        value = row.limit(r) if row is not None else None
        limit = None if value in (None, UNLIMITED) else value
        out.append(Limit(r, limit, "domain" if value is not None else "none", totals[r]))
    return out


def _check_values(values: dict[str, int], reset: list[str]) -> None:
    for resource, value in values.items():
        if resource not in RESOURCES:
            raise InvalidInput(resource, f"Unknown quota resource {resource!r}")
        if not (value == UNLIMITED or 0 <= value <= MAX_LIMIT):
            raise InvalidInput(FIELDS[resource], "A limit is 0 or more, or -1 for unlimited")
    for resource in reset:
        if resource not in RESOURCES:
            raise InvalidInput("reset", f"Unknown quota resource {resource!r}")
        if resource in values:
            raise InvalidInput("reset", f"{FIELDS[resource]} is both set and reset")


async def _row_for_update(session: AsyncSession, key: str, domain_id: uuid.UUID, project_id: uuid.UUID | None) -> Quota:
    row = (await session.execute(select(Quota).where(Quota.key == key).with_for_update())).scalar_one_or_none()
    if row is None:
        row = Quota(key=key, domain_id=domain_id, project_id=project_id, generation=0)
        session.add(row)
    return row


async def update_limits(
    session: AsyncSession,
    principal: Principal,
    *,
    project_id: uuid.UUID | None,
    domain_id: uuid.UUID | None,
    values: dict[str, int],
    reset: list[str],
) -> Quota:
    """Set a project's limits (domain admins and up) or a domain's defaults (system admins)."""
    if (project_id is None) == (domain_id is None):
        raise InvalidInput("projectId", "Give exactly one of projectId and domainId", Code.REQUIRED)
    _check_values(values, reset)
    if project_id is not None:
        project = await get_visible(session, Project, principal, project_id, field="projectId")
        # Held on the domain, not the project: a project admin must not raise their own quota.
        principal.require("identity.quota.update", domain_id=project.domain_id)
        row = await _row_for_update(session, project_key(project.id), project.domain_id, project.id)
    else:
        assert domain_id is not None
        domain = await get_visible(session, Domain, principal, domain_id, field="domainId")
        principal.require("identity.quota.update", system=True)
        row = await _row_for_update(session, domain_key(domain.id), domain.id, None)
    for resource, value in values.items():
        setattr(row, resource, value)
    for resource in reset:
        setattr(row, resource, None)
    await session.flush()
    return row
