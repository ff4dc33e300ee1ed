"""Mutation inputs and list filters of the image context."""

from __future__ import annotations

import strawberry

from schema.base import OrderDirection
from schema.identity.enums import NamedOrderField
from schema.image.types import ByteCount, DiskFormat, ImageStatus, ImageVisibility


@strawberry.input(description="Properties every image carries; omitted ones keep their value.")
class ImagePropertiesInput:
    min_disk_gb: int | None = strawberry.field(default=None, description="Smallest boot disk a server needs.")
    min_memory_mb: int | None = strawberry.field(default=None, description="Least memory a server needs.")
    os_type: str | None = strawberry.field(default=None, description="e.g. linux, windows.")
    os_distro: str | None = strawberry.field(default=None, description="e.g. debian-12.")
    os_arch: str | None = strawberry.field(default=None, description="e.g. x86_64.")
    protected: bool | None = strawberry.field(default=None, description="Refuse deletion while set.")


@strawberry.input(description="Create an image record; PUT its bytes to the returned uploadUrl.")
class ImageCreateInput(ImagePropertiesInput):
    name: str = strawberry.field(description="Name.")
    disk_format: DiskFormat = strawberry.field(description="Format of the bytes to come; verified after upload.")
    visibility: ImageVisibility | None = strawberry.field(default=None, description="PRIVATE by default.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Owner; the token's by default.")
    size: ByteCount | None = strawberry.field(
        default=None, description="Bytes to come: reserves quota now and is checked against the upload."
    )
    sha256: str | None = strawberry.field(
        default=None, description="SHA-256 of the bytes to come; a different upload ends KILLED."
    )


@strawberry.input(description="Change an image.")
class ImageUpdateInput(ImagePropertiesInput):
    id: strawberry.ID = strawberry.field(description="The image.")
    name: str | None = strawberry.field(default=None, description="New name.")
    visibility: ImageVisibility | None = strawberry.field(
        default=None, description="PRIVATE or SHARED; PUBLIC for administrators. Leaving SHARED drops the shares."
    )


@strawberry.input(description="Delete an image and its bytes.")
class ImageDeleteInput:
    id: strawberry.ID = strawberry.field(description="The image.")


@strawberry.input(description="Share an image with projects, or stop sharing it.")
class ImageShareInput:
    id: strawberry.ID = strawberry.field(description="The image.")
    project_ids: list[strawberry.ID] = strawberry.field(description="The projects.")
    remove: bool = strawberry.field(default=False, description="Stop sharing with them instead.")


@strawberry.input(description="Convert an image into a new one of another format.")
class ImageConvertInput:
    id: strawberry.ID = strawberry.field(description="The source image (ACTIVE).")
    disk_format: DiskFormat = strawberry.field(description="Target format (not ISO).")
    name: str | None = strawberry.field(
        default=None, description="Name of the new image; <source>-<format> by default."
    )


@strawberry.input(description="Filter images.")
class ImageFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    name_contains: str | None = strawberry.field(default=None, description="Substring of the name.")
    status: ImageStatus | None = strawberry.field(default=None, description="Only this status (DELETED ones only so).")
    visibility: ImageVisibility | None = strawberry.field(default=None, description="Only this visibility.")
    disk_format: DiskFormat | None = strawberry.field(default=None, description="Only this format.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="Only this project's.")


@strawberry.input(description="Order images.")
class ImageOrder:
    field: NamedOrderField = strawberry.field(default=NamedOrderField.CREATED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Direction.")
