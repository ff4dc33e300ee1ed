"""Image fields of the root Query and Mutation."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.image import models
from domain.image.errors import ImageErrorCode as Code
from domain.image.services import ImageProperties
from resolvers.image import queries
from resolvers.image.mutations.image_convert import image_convert
from resolvers.image.mutations.image_create import image_create, upload_url
from resolvers.image.mutations.image_delete import image_delete
from resolvers.image.mutations.image_share import image_share
from resolvers.image.mutations.image_update import image_update
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, OrderDirection, filter_kwargs
from schema.identity.types import NimbusInfo
from schema.image import inputs as i
from schema.image import payloads as p
from schema.image.types import Image, ImageError, ImageErrorCode
from schema.payload_errors import convert, deleted_id
from schema.task.types import Task


def _errors(r: Result[Any]) -> list[ImageError]:
    return convert(r.errors, ImageError, ImageErrorCode, Code.INVALID)


def _props(value: i.ImagePropertiesInput, name: str | None, visibility: Any) -> ImageProperties:
    return ImageProperties(
        name=name,
        visibility=models.ImageVisibility(visibility.value) if visibility is not None else None,
        min_disk_gb=value.min_disk_gb,
        min_memory_mb=value.min_memory_mb,
        os_type=value.os_type,
        os_distro=value.os_distro,
        os_arch=value.os_arch,
        protected=value.protected,
    )


def _image(r: Result[Any]) -> Image | None:
    return Image.from_model(r.value) if r.value is not None else None


@strawberry.type
class ImageQuery:
    @strawberry.field(description="Images the caller may see: its projects', shared with them, and PUBLIC ones.")
    async def images(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: i.ImageFilter | None = None,
        order_by: i.ImageOrder | None = None,
    ) -> Connection[Image]:
        order = order_by or i.ImageOrder()
        args = ListArgs(first, after, order.field.value, order.direction is OrderDirection.DESC)
        kwargs = filter_kwargs(
            filter,
            status=models.ImageStatus,
            visibility=models.ImageVisibility,
            disk_format=models.DiskFormat,
        )
        page = await queries.list_images(info.context, args, **kwargs)
        return Connection.from_page(page, Image.from_model)


@strawberry.type
class ImageMutation:
    @strawberry.mutation(description="Create an image record; its bytes go to `uploadUrl` with PUT.")
    async def image_create(self, info: NimbusInfo, input: i.ImageCreateInput) -> p.ImageCreatePayload:
        r = await image_create(
            info.context,
            disk_format=models.DiskFormat(input.disk_format.value),
            project_id=input.project_id,
            props=_props(input, input.name, input.visibility),
            size=input.size,
            sha256=input.sha256,
        )
        url = upload_url(info.context, r.value) if r.value is not None else None
        return p.ImageCreatePayload(image=_image(r), upload_url=url, errors=_errors(r))

    @strawberry.mutation(description="Change an image's name, visibility or properties.")
    async def image_update(self, info: NimbusInfo, input: i.ImageUpdateInput) -> p.ImageUpdatePayload:
        r = await image_update(info.context, id=input.id, props=_props(input, input.name, input.visibility))
        return p.ImageUpdatePayload(image=_image(r), errors=_errors(r))

    @strawberry.mutation(description="Share an image with projects (it becomes SHARED), or stop sharing it.")
    async def image_share(self, info: NimbusInfo, input: i.ImageShareInput) -> p.ImageSharePayload:
        r = await image_share(info.context, id=input.id, project_ids=list(input.project_ids), remove=input.remove)
        return p.ImageSharePayload(image=_image(r), errors=_errors(r))

    @strawberry.mutation(description="Delete an image and its bytes (servers booted from it keep their disks).")
    async def image_delete(self, info: NimbusInfo, input: i.ImageDeleteInput) -> p.ImageDeletePayload:
        r = await image_delete(info.context, id=input.id)
        return p.ImageDeletePayload(deleted_id=deleted_id("Image", r.value), errors=_errors(r))

    @strawberry.mutation(description="Convert an image to another format: a new image, written by the task.")
    async def image_convert(self, info: NimbusInfo, input: i.ImageConvertInput) -> p.ImageConvertPayload:
        r = await image_convert(
            info.context, id=input.id, disk_format=models.DiskFormat(input.disk_format.value), name=input.name
        )
        if r.value is None:
            return p.ImageConvertPayload(errors=_errors(r))
        image, task = r.value
        return p.ImageConvertPayload(image=Image.from_model(image), task=Task.from_model(task))
