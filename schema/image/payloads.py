"""Mutation payloads of the image context."""

from __future__ import annotations

import strawberry

from schema.image.types import Image, ImageError
from schema.task.types import Task


@strawberry.type(description="Result of imageCreate.")
class ImageCreatePayload:
    image: Image | None = strawberry.field(default=None, description="The image, QUEUED.")
    upload_url: str | None = strawberry.field(
        default=None, description="PUT the bytes here (whole, or in Content-Range chunks; see the README)."
    )
    errors: list[ImageError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of imageUpdate.")
class ImageUpdatePayload:
    image: Image | None = strawberry.field(default=None, description="The image.")
    errors: list[ImageError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of imageShare.")
class ImageSharePayload:
    image: Image | None = strawberry.field(default=None, description="The image.")
    errors: list[ImageError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of imageDelete.")
class ImageDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted image.")
    errors: list[ImageError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of imageConvert.")
class ImageConvertPayload:
    image: Image | None = strawberry.field(default=None, description="The new image, SAVING until the task ends.")
    task: Task | None = strawberry.field(default=None, description="Follow it with taskUpdated.")
    errors: list[ImageError] = strawberry.field(default_factory=list, description="Why it was refused.")
