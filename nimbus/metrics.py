"""Prometheus metrics of the api process, served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from domain.task.models import Task, TaskStatus

GRAPHQL_REQUESTS = Counter(
    "nimbus_graphql_requests_total", "GraphQL requests by operation name and outcome", ["operation", "outcome"]
)
GRAPHQL_LATENCY = Histogram(
    "nimbus_graphql_request_duration_seconds", "GraphQL request latency by operation name", ["operation"]
)
TASKS = Gauge("nimbus_tasks", "Tasks in the database by status (read at scrape time)", ["status"])


async def metrics_endpoint(request: Request) -> Response:
    services = getattr(request.app.state, "services", None)
    if services is not None:
        async with services.sessions() as session:
            rows = (await session.execute(select(Task.status, func.count()).group_by(Task.status))).all()
        counts = {status: count for status, count in rows}
        for status in TaskStatus:
            TASKS.labels(status.value).set(counts.get(status, 0))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
