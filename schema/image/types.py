"""GraphQL object types of the image context."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import NewType

import strawberry

from domain.image import models
from domain.image.errors import ImageErrorCode as _Code
from resolvers.identity.loaders import ProjectByIdLoader
from resolvers.ids import to_global_id
from resolvers.image import loaders
from resolvers.image.urls import file_url as image_file_url
from resolvers.loaders import load_converted
from schema.base import Node
from schema.identity.types import NimbusInfo, Project

# GraphQL's Int stops at 2^31 - 1; image sizes do not.
ByteCount = NewType("ByteCount", int)
BYTE_COUNT = strawberry.scalar(
    name="ByteCount", serialize=int, parse_value=int, description="A number of bytes (a 64-bit integer)."
)

ImageErrorCode = strawberry.enum(_Code, description="Why an image mutation was refused.")


@strawberry.type(description="A payload error of an image mutation.")
class ImageError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, for people.")
    code: ImageErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.enum(description="Where an image is in its life.")
class ImageStatus(Enum):
    QUEUED = strawberry.enum_value("QUEUED", description="Created; waiting for its bytes at the upload URL.")
    SAVING = strawberry.enum_value("SAVING", description="Bytes arriving, or a conversion writing them.")
    ACTIVE = strawberry.enum_value("ACTIVE", description="Checked and usable.")
    KILLED = strawberry.enum_value("KILLED", description="Refused after upload or conversion; see `error`.")
    DELETED = strawberry.enum_value("DELETED", description="Deleted; its bytes are gone.")


@strawberry.enum(description="Who may see and use an image.")
class ImageVisibility(Enum):
    PRIVATE = strawberry.enum_value("PRIVATE", description="The owning project only.")
    SHARED = strawberry.enum_value("SHARED", description="The owner and the projects it is shared with.")
    PUBLIC = strawberry.enum_value("PUBLIC", description="Every project (set by administrators).")


@strawberry.enum(description="The on-disk format of an image.")
class DiskFormat(Enum):
    QCOW2 = "QCOW2"
    RAW = "RAW"
    VMDK = "VMDK"
    VHD = "VHD"
    VHDX = "VHDX"
    ISO = "ISO"


@strawberry.type(description="A disk image servers boot from.")
class Image(Node):
    name: str = strawberry.field(description="Name (not necessarily unique).")
    status: ImageStatus = strawberry.field(description="Lifecycle state.")
    visibility: ImageVisibility = strawberry.field(description="Who may see and use it.")
    disk_format: DiskFormat = strawberry.field(description="Declared format, verified with qemu-img after upload.")
    size: ByteCount | None = strawberry.field(description="Bytes stored (announced ones while SAVING).")
    virtual_size: ByteCount | None = strawberry.field(description="Size of the disk it represents, in bytes.")
    checksum: str | None = strawberry.field(description="SHA-256 of the stored bytes, hexadecimal.")
    min_disk_gb: int = strawberry.field(description="Smallest boot disk a server needs.")
    min_memory_mb: int = strawberry.field(description="Least memory a server needs.")
    os_type: str | None = strawberry.field(description="e.g. linux, windows.")
    os_distro: str | None = strawberry.field(description="e.g. debian-12.")
    os_arch: str | None = strawberry.field(description="e.g. x86_64.")
    protected: bool = strawberry.field(description="Protected images cannot be deleted.")
    error: str | None = strawberry.field(description="Why it was KILLED.")
    created_at: datetime = strawberry.field(description="Creation time.")
    updated_at: datetime = strawberry.field(description="Last change.")
    pk: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID]
    domain_id: strawberry.Private[uuid.UUID]
    source_image_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The owning project (null when out of the caller's reach).")
    def project(self, info: NimbusInfo) -> Project | None:
        return load_converted(info.context, "project_by_id", ProjectByIdLoader, Project.from_model, self.project_id)

    @strawberry.field(description="Where the image's bytes are read (GET, with Range) and written (PUT).")
    def file_url(self, info: NimbusInfo) -> str:
        return image_file_url(info.context, self.pk)

    @strawberry.field(description="The image it was converted from, if visible.")
    async def source_image(self, info: NimbusInfo) -> Image | None:
        found = await loaders.image(info.context, self.source_image_id)
        return None if found is None else Image.from_model(found)

    @strawberry.field(description="IDs of the projects a SHARED image is shared with (its owners only).")
    async def shared_with(self, info: NimbusInfo) -> list[strawberry.ID]:
        principal = info.context.require_principal()
        if not principal.allows("image.image.share", domain_id=self.domain_id, project_id=self.project_id):
            return []
        return [strawberry.ID(to_global_id("Project", p)) for p in await loaders.members(info.context, self.pk)]

    @classmethod
    def from_model(cls, m: models.Image) -> Image:
        return cls(
            id=strawberry.ID(to_global_id("Image", m.id)),
            name=m.name,
            status=ImageStatus(m.status.value),
            visibility=ImageVisibility(m.visibility.value),
            disk_format=DiskFormat(m.disk_format.value),
            size=m.size,
            virtual_size=m.virtual_size,
            checksum=m.checksum_sha256,
            min_disk_gb=m.min_disk_gb,
            min_memory_mb=m.min_memory_mb,
            os_type=m.os_type,
            os_distro=m.os_distro,
            os_arch=m.os_arch,
            protected=m.protected,
            error=m.error,
            created_at=m.created_at,
            updated_at=m.updated_at,
            pk=m.id,
            project_id=m.project_id,
            domain_id=m.domain_id,
            source_image_id=m.source_image_id,
        )
