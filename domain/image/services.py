"""The rules of image records: creating, changing, sharing, deleting and converting them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.services import RequestMeta
from domain.errors import DomainError, InvalidInput, NotFound
from domain.identity.access import Principal
from domain.identity.models import Project
from domain.image.errors import ImageErrorCode as Code
from domain.image.models import DiskFormat, Image, ImageMember, ImageStatus, ImageVisibility
from domain.image.quota import GIB, ImageLimits, reserve
from domain.scoping import get_for_change, get_visible
from domain.task.models import Task
from domain.task.services import Outbox, create_task
from domain.validation import check_name, has_control_chars

CONVERT_DEADLINE_S = 6 * 3600
CONVERT_TARGETS = (DiskFormat.QCOW2, DiskFormat.RAW, DiskFormat.VMDK, DiskFormat.VHD, DiskFormat.VHDX)
MAX_SHARES = 100
_HEX = frozenset("0123456789abcdef")


@dataclass
class ImageProperties:
    """The fields a user sets on an image; None leaves a field as it is (or at its default)."""

    name: str | None = None
    visibility: ImageVisibility | None = None
    min_disk_gb: int | None = None
    min_memory_mb: int | None = None
    os_type: str | None = None
    os_distro: str | None = None
    os_arch: str | None = None
    protected: bool | None = None

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def _checked(props: ImageProperties, principal: Principal) -> dict[str, Any]:
    values = props.given()
    if "name" in values:
        values["name"] = check_name(values["name"], max_length=128)
    for field, low, high in (("min_disk_gb", 0, 64 * 1024), ("min_memory_mb", 0, 4 * 1024 * 1024)):
        if field in values and not low <= values[field] <= high:
            raise DomainError(Code.OUT_OF_RANGE, f"{_camel(field)} must be between {low} and {high}", _camel(field))
    for field, limit in (("os_type", 32), ("os_distro", 64), ("os_arch", 16)):
        if field in values:
            value = values[field].strip()
            if len(value) > limit or has_control_chars(value):
                raise InvalidInput(_camel(field), f"At most {limit} printable characters")
            values[field] = value or None
    if values.get("visibility") is ImageVisibility.PUBLIC and not principal.allows(
        "image.image.publicize", system=True
    ):
        raise DomainError(Code.NOT_ALLOWED, "Only administrators make images PUBLIC", "visibility")
    return values


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _sha256(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if len(value) != 64 or not set(value) <= _HEX:
        raise InvalidInput("sha256", "A SHA-256 checksum is 64 hexadecimal digits")
    return value


async def _owner(session: AsyncSession, principal: Principal, project_id: uuid.UUID | None) -> Project:
    project = await get_visible(session, Project, principal, project_id or principal.project_id, field="projectId")
    principal.require("image.image.create", domain_id=project.domain_id, project_id=project.id)
    return project


async def create_image(
    session: AsyncSession,
    principal: Principal,
    limits: ImageLimits,
    *,
    disk_format: DiskFormat,
    project_id: uuid.UUID | None,
    props: ImageProperties,
    size: int | None = None,
    sha256: str | None = None,
) -> Image:
    """A QUEUED image waiting for its bytes at its upload URL."""
    if props.name is None:
        raise InvalidInput("name", "A name is required", "REQUIRED")
    values = _checked(props, principal)
    project = await _owner(session, principal, project_id)
    if size is not None and size < 1:
        raise DomainError(Code.OUT_OF_RANGE, "size must be at least 1 byte", "size")
    await reserve(session, limits, project.id, size or 0, images=1)
    image_id = uuid.uuid4()
    image = Image(
        id=image_id,
        project_id=project.id,
        domain_id=project.domain_id,
        disk_format=disk_format,
        status=ImageStatus.QUEUED,
        size=size,
        expected_sha256=_sha256(sha256),
        storage_key=str(image_id),
        **{"visibility": ImageVisibility.PRIVATE, "min_disk_gb": 0, "min_memory_mb": 0, "protected": False, **values},
    )
    session.add(image)
    await session.flush()
    return image


async def update_image(
    session: AsyncSession, principal: Principal, image_id: uuid.UUID, props: ImageProperties
) -> Image:
    image = await _changeable(session, principal, image_id, "update")
    values = _checked(props, principal)
    if values.get("visibility") is not None and values["visibility"] is not ImageVisibility.SHARED:
        await session.execute(delete(ImageMember).where(ImageMember.image_id == image.id))
    for key, value in values.items():
        setattr(image, key, value)
    await session.flush()
    return image


async def delete_image(session: AsyncSession, principal: Principal, image_id: uuid.UUID) -> Image:
    """Mark the image DELETED; the caller removes its bytes once this has committed."""
    image = await _changeable(session, principal, image_id, "delete")
    if image.protected:
        raise DomainError(Code.PROTECTED, "The image is protected; unprotect it first", "id")
    image.status = ImageStatus.DELETED
    await session.execute(delete(ImageMember).where(ImageMember.image_id == image.id))
    await session.flush()
    return image


async def share_image(
    session: AsyncSession, principal: Principal, image_id: uuid.UUID, project_ids: list[uuid.UUID], remove: bool
) -> Image:
    """Add (or remove) projects an image is shared with; sharing makes a PRIVATE image SHARED."""
    image = await _changeable(session, principal, image_id, "share")
    if image.visibility is ImageVisibility.PUBLIC and not remove:
        raise DomainError(Code.INVALID_STATE, "A PUBLIC image is visible to every project already", "id")
    if len(project_ids) > MAX_SHARES:
        raise DomainError(Code.OUT_OF_RANGE, f"At most {MAX_SHARES} projects at once", "projectIds")
    wanted = set(project_ids) - {image.project_id}
    if remove:
        await session.execute(
            delete(ImageMember).where(ImageMember.image_id == image.id, ImageMember.project_id.in_(wanted))
        )
    else:
        found = set((await session.execute(select(Project.id).where(Project.id.in_(wanted)))).scalars())
        if missing := wanted - found:
            raise NotFound(f"Project {sorted(missing, key=str)[0]}", "projectIds")
        existing = set(
            (await session.execute(select(ImageMember.project_id).where(ImageMember.image_id == image.id))).scalars()
        )
        session.add_all(ImageMember(image_id=image.id, project_id=p) for p in wanted - existing)
        image.visibility = ImageVisibility.SHARED
    await session.flush()
    return image


async def members(session: AsyncSession, image_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(ImageMember.project_id).where(ImageMember.image_id == image_id).order_by(ImageMember.created_at)
    return list((await session.execute(stmt)).scalars())


async def _changeable(session: AsyncSession, principal: Principal, image_id: uuid.UUID, action: str) -> Image:
    image = await get_for_change(session, Image, principal, image_id, action)
    if image.status is ImageStatus.DELETED:
        raise NotFound("Image")
    return image


async def usable_image(session: AsyncSession, principal: Principal, image_id: uuid.UUID) -> Image:
    """An image a server may boot from: visible to the caller and ACTIVE."""
    image = await get_visible(session, Image, principal, image_id, field="imageId")
    if image.status is not ImageStatus.ACTIVE:
        raise DomainError(Code.INVALID_STATE, f"The image is {image.status.value.lower()}, not active", "imageId")
    return image


def check_boot(image: Image, disk_gb: int, memory_mb: int) -> None:
    """A server's boot disk is a qcow2 overlay of the image: it must fit, and the image must be a disk."""
    if image.disk_format is DiskFormat.ISO:
        raise DomainError(
            Code.UNSUPPORTED_FORMAT, "ISO images cannot be a boot disk; convert or install first", "imageId"
        )
    needed_gb = max(image.min_disk_gb, -(-(image.virtual_size or 0) // GIB))
    if disk_gb < needed_gb:
        raise DomainError(Code.OUT_OF_RANGE, f"The image needs a disk of at least {needed_gb} GB", "diskGb")
    if memory_mb < image.min_memory_mb:
        raise DomainError(Code.OUT_OF_RANGE, f"The image needs at least {image.min_memory_mb} MB of memory", "memoryMb")


async def begin_convert(
    session: AsyncSession,
    principal: Principal,
    outbox: Outbox,
    meta: RequestMeta,
    limits: ImageLimits,
    *,
    image_id: uuid.UUID,
    disk_format: DiskFormat,
    name: str | None,
) -> tuple[Image, Task]:
    """A new image in the caller's project, written by an `image.convert` task from an ACTIVE one."""
    source = await get_visible(session, Image, principal, image_id)
    if source.status is not ImageStatus.ACTIVE:
        raise DomainError(Code.INVALID_STATE, f"The image is {source.status.value.lower()}, not active", "id")
    if disk_format not in CONVERT_TARGETS:
        raise DomainError(Code.UNSUPPORTED_FORMAT, f"Cannot convert to {disk_format.value}", "diskFormat")
    if disk_format is source.disk_format:
        raise DomainError(Code.INVALID, f"The image is {disk_format.value} already", "diskFormat")
    project = await _owner(session, principal, None)
    principal.require("image.image.convert", domain_id=project.domain_id, project_id=project.id)
    estimate = source.virtual_size if disk_format is DiskFormat.RAW else source.size
    await reserve(session, limits, project.id, int(estimate or 0))
    new_name = name if name is not None else f"{source.name}-{disk_format.value.lower()}"[:128]
    target = await create_image(
        session,
        principal,
        limits=ImageLimits(max_image_bytes=limits.max_image_bytes),  # reserved just above
        disk_format=disk_format,
        project_id=project.id,
        props=ImageProperties(
            name=new_name,
            min_disk_gb=source.min_disk_gb,
            min_memory_mb=source.min_memory_mb,
            os_type=source.os_type,
            os_distro=source.os_distro,
            os_arch=source.os_arch,
        ),
    )
    target.status = ImageStatus.SAVING
    target.size = estimate
    target.source_image_id = source.id
    task = create_task(
        session,
        outbox,
        kind="image.convert",
        target_type="Image",
        target_id=target.id,
        params={
            "image_id": str(target.id),
            "source_key": source.storage_key,
            "target_key": target.storage_key,
            "format": disk_format.value,
            "cancel": "any",
        },
        principal=principal,
        meta=meta,
        project_id=project.id,
        domain_id=project.domain_id,
        deadline_s=CONVERT_DEADLINE_S,
    )
    outbox.changed("Image", target.id, target.status.value, target.project_id, target.domain_id)
    return target, task
