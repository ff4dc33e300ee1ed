"""GraphQL over HTTP, as the GraphQL-over-HTTP specification asks.

- `application/graphql-response+json` when the client accepts it: requests that fail before
  execution (unparsable, invalid, over a limit) get 4xx and no `data`; executed ones get 200.
- `application/json` otherwise: 200 for every well-formed request, as the specification allows.
- POST with a JSON body (one operation; batches are refused), GET for queries only (405 else).
- A body over the size limit gets 413; a bad bearer token 401 before anything runs.
"""

from __future__ import annotations

import json
import time
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from domain.audit.services import RequestMeta
from domain.errors import Unauthenticated
from nimbus.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS
from resolvers.context import Context, Services, bearer
from schema.errors import format_error

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class RequestError(Exception):
    def __init__(self, status: int, message: str, code: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def _media_type(request: Request) -> str | None:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in kinds:
        return GRAPHQL_RESPONSE
    if JSON in kinds or "*/*" in kinds or "application/*" in kinds:
        return JSON
    return None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"Request body over {limit} bytes", "PAYLOAD_TOO_LARGE")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"Request body over {limit} bytes", "PAYLOAD_TOO_LARGE")
        chunks.append(chunk)
    return b"".join(chunks)


def _params_from_json(body: bytes) -> dict[str, Any]:
    try:
        params = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RequestError(400, "The body is not valid JSON", "BAD_REQUEST") from None
    if isinstance(params, list):
        raise RequestError(400, "Batched operations are not accepted: send one operation per request", "BAD_REQUEST")
    if not isinstance(params, dict):
        raise RequestError(400, "The body must be a JSON object", "BAD_REQUEST")
    return params


def _params_from_query_string(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    for key in ("variables", "extensions"):
        if params.get(key):
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                raise RequestError(400, f"'{key}' is not valid JSON", "BAD_REQUEST") from None
    return params


def _check(params: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
    query, variables, name = params.get("query"), params.get("variables"), params.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "'query' must be a non-empty string", "BAD_REQUEST")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "'variables' must be an object", "BAD_REQUEST")
    if name is not None and not isinstance(name, str):
        raise RequestError(400, "'operationName' must be a string", "BAD_REQUEST")
    return query, variables, name


class GraphQLHTTP:
    def __init__(self, schema: strawberry.Schema, services: Services, max_body: int) -> None:
        self.schema, self.services, self.max_body = schema, services, max_body

    async def __call__(self, request: Request) -> Response:
        media = _media_type(request)
        if (
            request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        ):
            return HTMLResponse(get_graphql_ide_html("graphiql"))
        if media is None:
            return _error(JSON, RequestError(406, f"Accept {GRAPHQL_RESPONSE} or {JSON}", "NOT_ACCEPTABLE"))
        try:
            return await self._handle(request, media)
        except RequestError as exc:
            return _error(media, exc)

    async def _handle(self, request: Request, media: str) -> Response:
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != JSON:
                raise RequestError(415, "Send the operation as application/json", "UNSUPPORTED_MEDIA_TYPE")
            params = _params_from_json(await _read_body(request, self.max_body))
            allowed = {OperationType.QUERY, OperationType.MUTATION}
        else:
            params = _params_from_query_string(request)
            allowed = {OperationType.QUERY}
        query, variables, operation_name = _check(params)
        context = Context(
            self.services, RequestMeta(request.state.request_id, _client_ip(request)), base_url=str(request.base_url)
        )
        try:
            await context.authenticate(bearer(request.headers.get("authorization")))
            return await self._execute(context, media, query, variables, operation_name, allowed)
        except Unauthenticated as exc:
            header = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            raise RequestError(401, str(exc), "UNAUTHENTICATED", header) from None
        finally:
            await context.close()

    async def _execute(
        self,
        context: Context,
        media: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        allowed: set[OperationType],
    ) -> Response:
        label = (operation_name or "anonymous")[:64]
        started = time.perf_counter()
        try:
            result = await self.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            raise RequestError(
                405, "Only queries may be sent with GET; use POST", "METHOD_NOT_ALLOWED", {"Allow": "POST"}
            ) from None
        except MissingQueryError:
            raise RequestError(400, "'query' is missing", "BAD_REQUEST") from None
        finally:
            GRAPHQL_LATENCY.labels(label).observe(time.perf_counter() - started)
        # format_error again: errors strawberry raises before extensions run (a cached parse
        # failure) would otherwise leave without a code.
        errors = [format_error(e).formatted for e in result.errors or []]
        rejected = result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])
        GRAPHQL_REQUESTS.labels(label, "rejected" if rejected else "error" if errors else "ok").inc()
        body: dict[str, Any] = {"errors": errors} if rejected else {"data": result.data}
        if errors and not rejected:
            body["errors"] = errors
        status = 400 if rejected and media == GRAPHQL_RESPONSE else 200
        return JSONResponse(body, status_code=status, media_type=media)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _error(media: str, exc: RequestError) -> Response:
    body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
    return JSONResponse(body, status_code=exc.status, media_type=media, headers=exc.headers)
