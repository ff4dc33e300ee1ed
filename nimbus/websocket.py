"""GraphQL over WebSocket (graphql-transport-ws), authenticated by `connectionParams`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from domain.audit.services import RequestMeta
from domain.errors import Unauthenticated
from resolvers.context import Context, Services, bearer


class GraphQLWebSocket(GraphQL[Context, None]):
    def __init__(self, schema: Any, services: Services) -> None:
        super().__init__(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL], graphql_ide=None)
        self.services = services

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket | None = None) -> Context:
        client = request.client.host if request.client else None
        request_id = getattr(request.state, "request_id", "")
        return Context(self.services, RequestMeta(request_id, client))

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        params = context.connection_params or {}
        value = params.get("authorization") or params.get("Authorization")
        try:
            token = bearer(value if isinstance(value, str) else None)
            await context.authenticate(token)
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": str(exc), "code": "UNAUTHENTICATED"}) from None
        return None
