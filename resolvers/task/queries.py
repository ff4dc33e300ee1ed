"""Tasks: the list, one task, and its children."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.task.models import Task, TaskStatus
from resolvers.context import Context
from resolvers.filters import NO_ID, id_filter
from resolvers.ids import parse_global_id
from resolvers.loaders import by_id, many_by
from resolvers.pagination import ListArgs, Page, list_page

TaskByIdLoader = by_id(Task, "task.get")
ChildrenByParentLoader = many_by(Task, Task.parent_id, "task.get", Task.created_at)


async def list_tasks(
    ctx: Context,
    args: ListArgs,
    *,
    status: TaskStatus | None = None,
    kind: str | None = None,
    target_id: str | None = None,
    project_id: str | None = None,
    top_level: bool = False,
) -> Page[Task]:
    stmt = select(Task)
    if status is not None:
        stmt = stmt.where(Task.status == status)
    if kind is not None:
        stmt = stmt.where(Task.kind == kind)
    if target_id is not None:
        try:  # a task's target may be of any type
            stmt = stmt.where(Task.target_id == parse_global_id(target_id)[1])
        except ValueError:
            stmt = stmt.where(Task.target_id == NO_ID)
    if (pid := id_filter(project_id, "Project")) is not None:
        stmt = stmt.where(Task.project_id == pid)
    if top_level:
        stmt = stmt.where(Task.parent_id.is_(None))
    return await list_page(ctx, Task, "task.list", stmt, args)


async def task(ctx: Context, task_id: uuid.UUID | None) -> Task | None:
    return None if task_id is None else await ctx.loader("task_by_id", TaskByIdLoader).load(task_id)


async def children(ctx: Context, task_id: uuid.UUID) -> list[Task]:
    result: list[Task] = await ctx.loader("children_by_parent", ChildrenByParentLoader).load(task_id)
    return result
