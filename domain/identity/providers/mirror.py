"""Mirroring a directory into local users, groups, memberships and role assignments.

Directory entries are linked to local rows by their stable external id (entryUUID, objectGUID,
the OIDC subject), so renames follow and nothing is matched by accident. A local user or group
that already holds the name and is not linked stays untouched: a local account is never taken
over by a directory entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.identity.models import Group, GroupMember, Project, Role, RoleAssignment, User
from domain.identity.providers.contract import ExternalGroup, ExternalUser, RoleMapping
from domain.identity.providers.models import IdentityProvider, LinkKind, ProviderLink
from domain.validation import NAME_RE

# Never a valid argon2 hash: directory users cannot sign in with a local password.
NO_LOCAL_PASSWORD = "!directory"


@dataclass
class SyncReport:
    users_created: int = 0
    users_updated: int = 0
    users_disabled: int = 0
    groups_created: int = 0
    memberships_changed: int = 0
    memberships_removed: int = 0
    assignments_created: int = 0
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "skipped": self.skipped[:50]}


async def _links(session: AsyncSession, provider: IdentityProvider, kind: LinkKind) -> dict[str, uuid.UUID]:
    stmt = select(ProviderLink.external_id, ProviderLink.local_id).where(
        ProviderLink.provider_id == provider.id, ProviderLink.kind == kind
    )
    return {ext: local for ext, local in (await session.execute(stmt)).all()}


async def _user_links(
    session: AsyncSession, provider: IdentityProvider, external_id: str | None = None
) -> dict[str, ProviderLink]:
    stmt = select(ProviderLink).where(ProviderLink.provider_id == provider.id, ProviderLink.kind == LinkKind.USER)
    if external_id is not None:
        stmt = stmt.where(ProviderLink.external_id == external_id)
    return {link.external_id: link for link in (await session.execute(stmt)).scalars()}


def _usable_name(name: str) -> bool:
    return 0 < len(name) <= 64 and bool(NAME_RE.match(name))


def _suspend(user: User, link: ProviderLink, report: SyncReport) -> None:
    if user.enabled:
        user.enabled = False
        user.tokens_valid_after = datetime.now(UTC)  # their tokens stop working at once
        link.suspended = True
        report.users_disabled += 1


class LocalUsers:
    """The domain's local users, read once for a whole sync or looked up one by one at sign-in."""

    def __init__(self, session: AsyncSession, domain_id: uuid.UUID, users: list[User] | None = None) -> None:
        self.session, self.domain_id = session, domain_id
        self.preloaded = users is not None
        self.by_id = {u.id: u for u in users or []}
        self.by_name = {u.name: u.id for u in users or []}

    @classmethod
    async def load(cls, session: AsyncSession, domain_id: uuid.UUID) -> LocalUsers:
        users = list((await session.execute(select(User).where(User.domain_id == domain_id))).scalars())
        return cls(session, domain_id, users)

    async def get(self, user_id: uuid.UUID) -> User | None:
        return self.by_id.get(user_id) if self.preloaded else await self.session.get(User, user_id)

    async def holder_of(self, name: str) -> uuid.UUID | None:
        if self.preloaded:
            return self.by_name.get(name)
        return await self.session.scalar(select(User.id).where(User.domain_id == self.domain_id, User.name == name))

    def add(self, user: User, old_name: str | None = None) -> None:
        self.session.add(user)
        if old_name is not None:
            self.by_name.pop(old_name, None)
        self.by_id[user.id] = user
        self.by_name[user.name] = user.id


async def _create_user(
    locals_: LocalUsers, provider: IdentityProvider, ext: ExternalUser, old: ProviderLink | None, report: SyncReport
) -> tuple[User, ProviderLink] | None:
    if not _usable_name(ext.name):
        report.skipped.append(f"user {ext.name!r}: not a valid Nimbus name")
        return None
    if await locals_.holder_of(ext.name) is not None:
        report.skipped.append(f"user {ext.name!r}: a local user of that name exists")
        return None
    user = User(
        id=uuid.uuid4(), name=ext.name, domain_id=provider.domain_id, email=ext.email, password_hash=NO_LOCAL_PASSWORD
    )
    locals_.add(user)
    if old is not None:  # the local user was deleted meanwhile: the link moves to the new one
        old.local_id, old.suspended, link = user.id, False, old
    else:
        link = ProviderLink(provider_id=provider.id, kind=LinkKind.USER, external_id=ext.external_id, local_id=user.id)
        locals_.session.add(link)
    report.users_created += 1
    return user, link


async def _upsert_user(
    locals_: LocalUsers, provider: IdentityProvider, ext: ExternalUser, link: ProviderLink | None, report: SyncReport
) -> User | None:
    user = await locals_.get(link.local_id) if link else None
    if user is None or link is None:
        created = await _create_user(locals_, provider, ext, link, report)
        if created is None:
            return None
        user, link = created
    changed = False
    if ext.email != user.email:
        user.email, changed = ext.email, True
    if _usable_name(ext.name) and ext.name != user.name and await locals_.holder_of(ext.name) is None:
        old_name, user.name, changed = user.name, ext.name, True
        locals_.add(user, old_name)
    if not ext.enabled:
        _suspend(user, link, report)
    elif link.suspended:  # only what the directory disabled, it may enable again
        user.enabled, link.suspended, changed = True, False, True
    report.users_updated += int(changed)
    return user


async def upsert_user(
    session: AsyncSession, provider: IdentityProvider, ext: ExternalUser, report: SyncReport
) -> User | None:
    """One user, as the directory just described them (at sign-in)."""
    links = await _user_links(session, provider, ext.external_id)
    user = await _upsert_user(
        LocalUsers(session, provider.domain_id), provider, ext, links.get(ext.external_id), report
    )
    await session.flush()
    return user


async def suspend_linked(session: AsyncSession, provider: IdentityProvider, user_id: uuid.UUID) -> bool:
    """The directory disabled or dropped this (linked) user: disable them here too. True if it did."""
    link = await session.scalar(
        select(ProviderLink).where(
            ProviderLink.provider_id == provider.id,
            ProviderLink.kind == LinkKind.USER,
            ProviderLink.local_id == user_id,
        )
    )
    user = await session.get(User, user_id) if link is not None else None
    if user is None or link is None:
        return False
    report = SyncReport()
    _suspend(user, link, report)
    return report.users_disabled > 0


async def sync_users(
    session: AsyncSession, provider: IdentityProvider, users: Iterable[ExternalUser]
) -> tuple[SyncReport, dict[str, uuid.UUID]]:
    """Create, update and disable local users; returns the report and `ref -> local user id`.

    A constant number of queries whatever the directory's size: links and local users are read
    once, changes are flushed together.
    """
    report = SyncReport()
    links = await _user_links(session, provider)
    locals_ = await LocalUsers.load(session, provider.domain_id)
    seen: set[str] = set()
    refs: dict[str, uuid.UUID] = {}
    for ext in users:
        seen.add(ext.external_id)
        user = await _upsert_user(locals_, provider, ext, links.get(ext.external_id), report)
        if user is not None:
            refs[ext.ref or ext.external_id] = user.id
    for ext_id, link in links.items():
        gone = locals_.by_id.get(link.local_id) if ext_id not in seen else None
        if gone is not None:
            _suspend(gone, link, report)  # removed from the directory: no more access
    await session.flush()
    return report, refs


async def _upsert_group(
    session: AsyncSession,
    provider: IdentityProvider,
    ext: ExternalGroup,
    linked: dict[str, uuid.UUID],
    report: SyncReport,
) -> uuid.UUID | None:
    local_id = linked.get(ext.external_id)
    if local_id is not None and await session.get(Group, local_id) is not None:
        return local_id
    if not _usable_name(ext.name):
        report.skipped.append(f"group {ext.name!r}: not a valid Nimbus name")
        return None
    taken = await session.scalar(select(Group.id).where(Group.domain_id == provider.domain_id, Group.name == ext.name))
    if taken is not None:
        report.skipped.append(f"group {ext.name!r}: a local group of that name exists")
        return None
    group = Group(id=uuid.uuid4(), name=ext.name, domain_id=provider.domain_id, description=f"From {provider.name}")
    session.add(group)
    if local_id is not None:
        await session.execute(delete(ProviderLink).where(ProviderLink.local_id == local_id))
    session.add(
        ProviderLink(provider_id=provider.id, kind=LinkKind.GROUP, external_id=ext.external_id, local_id=group.id)
    )
    await session.flush()
    linked[ext.external_id] = group.id
    report.groups_created += 1
    return group.id


async def _set_members(session: AsyncSession, group_id: uuid.UUID, members: set[uuid.UUID], report: SyncReport) -> None:
    current = set(
        (await session.execute(select(GroupMember.user_id).where(GroupMember.group_id == group_id))).scalars()
    )
    for user_id in current - members:
        await session.execute(
            delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id == user_id)
        )
    session.add_all(GroupMember(group_id=group_id, user_id=u) for u in members - current)
    report.memberships_changed += len(current ^ members)
    report.memberships_removed += len(current - members)


async def sync_groups(
    session: AsyncSession,
    provider: IdentityProvider,
    groups: Iterable[ExternalGroup],
    refs: dict[str, uuid.UUID],
    report: SyncReport,
) -> None:
    """Mirror groups and their members; groups gone from the directory are emptied."""
    linked = await _links(session, provider, LinkKind.GROUP)
    seen: set[uuid.UUID] = set()
    for ext in groups:
        group_id = await _upsert_group(session, provider, ext, linked, report)
        if group_id is None:
            continue
        seen.add(group_id)
        await _set_members(session, group_id, {refs[r] for r in ext.member_refs if r in refs}, report)
    for group_id in set(linked.values()) - seen:
        await _set_members(session, group_id, set(), report)
    await apply_role_mappings(session, provider, report)


async def sync_memberships_of(
    session: AsyncSession, provider: IdentityProvider, user: User, groups: Iterable[ExternalGroup], report: SyncReport
) -> None:
    """At sign-in: the user's groups as the directory says now, before roles are looked up."""
    linked = await _links(session, provider, LinkKind.GROUP)
    wanted = {gid for ext in groups if (gid := await _upsert_group(session, provider, ext, linked, report))}
    mirrored = set(linked.values())
    current = set(
        (
            await session.execute(
                select(GroupMember.group_id).where(GroupMember.user_id == user.id, GroupMember.group_id.in_(mirrored))
            )
        ).scalars()
    )
    for group_id in current - wanted:
        await session.execute(
            delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id == user.id)
        )
    session.add_all(GroupMember(group_id=g, user_id=user.id) for g in wanted - current)
    report.memberships_changed += len(current ^ wanted)
    report.memberships_removed += len(current - wanted)
    await apply_role_mappings(session, provider, report)


def mappings_of(provider: IdentityProvider) -> list[RoleMapping]:
    return [RoleMapping(**m) for m in provider.config.get("role_mappings", [])]


async def apply_role_mappings(session: AsyncSession, provider: IdentityProvider, report: SyncReport) -> None:
    """Give each mapped group its role (idempotent: assignments are keyed like roleAssignmentCreate's)."""
    for mapping in mappings_of(provider):
        group_id = await session.scalar(
            select(Group.id).where(Group.domain_id == provider.domain_id, Group.name == mapping.group)
        )
        role_id = await session.scalar(select(Role.id).where(Role.name == mapping.role))
        if group_id is None or role_id is None:
            continue
        project_id = None
        if mapping.project:
            project_id = await session.scalar(
                select(Project.id).where(Project.domain_id == provider.domain_id, Project.name == mapping.project)
            )
            if project_id is None:
                report.skipped.append(f"mapping {mapping.group}->{mapping.role}: no project {mapping.project!r}")
                continue
        target = f"p:{project_id}" if project_id else f"d:{provider.domain_id}"
        key = f"{role_id}:g:{group_id}:{target}"
        if await session.scalar(select(RoleAssignment.id).where(RoleAssignment.key == key)) is None:
            session.add(
                RoleAssignment(
                    role_id=role_id,
                    group_id=group_id,
                    project_id=project_id,
                    domain_id=None if project_id else provider.domain_id,
                    scope_domain_id=provider.domain_id,
                    key=key,
                )
            )
            report.assignments_created += 1
    await session.flush()
