"""Prometheus metrics of the api process, served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

GRAPHQL_REQUESTS = Counter(
    "nimbus_graphql_requests_total", "GraphQL requests by operation name and outcome", ["operation", "outcome"]
)
GRAPHQL_LATENCY = Histogram(
    "nimbus_graphql_request_duration_seconds", "GraphQL request latency by operation name", ["operation"]
)
HTTP_REQUESTS = Counter("nimbus_http_requests_total", "HTTP requests by route and status", ["route", "status"])


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
