"""`/auth/oidc/<provider>/login` and `/callback`: the browser side of OIDC sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.audit.services import RequestMeta
from domain.errors import DomainError
from resolvers.context import Context, Services
from resolvers.identity import oidc_signin
from resolvers.ids import to_global_id


def _context(request: Request) -> Context:
    services: Services = request.app.state.services
    client = request.client.host if request.client else None
    return Context(services, RequestMeta(request.state.request_id, client))


def _safe_return_to(value: str) -> str:
    # Only paths on this site: an open redirect would hand the token to someone else's page.
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return ""


async def login(request: Request) -> Response:
    name = request.path_params["provider"]
    callback = str(request.url_for("oidc_callback", provider=name))
    ctx = _context(request)
    try:
        started = await oidc_signin.begin(
            ctx,
            name,
            callback,
            project=request.query_params.get("project", ""),
            return_to=_safe_return_to(request.query_params.get("returnTo", "")),
        )
    except DomainError as exc:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=502)
    if started is None:
        return JSONResponse({"error": "NOT_FOUND", "message": f"No OIDC provider named {name!r}"}, status_code=404)
    return RedirectResponse(started.url, status_code=302)


async def callback(request: Request) -> Response:
    params = request.query_params
    if "error" in params:
        message = params.get("error_description") or params["error"]
        return JSONResponse({"error": "PROVIDER_ERROR", "message": message}, status_code=400)
    ctx = _context(request)
    result, pending = await oidc_signin.finish(
        ctx, request.path_params["provider"], params.get("state", ""), params.get("code", "")
    )
    if result.value is None:
        error = result.errors[0]
        status = 502 if error.code == "PROVIDER_UNAVAILABLE" else 401
        return JSONResponse({"error": error.code, "message": error.message}, status_code=status)
    issued = result.value
    body = {
        "token": issued.token,
        "expiresAt": issued.claims.expires_at.isoformat(),
        "user": {"id": to_global_id("User", issued.user.id), "name": issued.user.name},
        "project": {"name": issued.project.name},
    }
    if pending is not None and pending.return_to:
        fragment = urlencode({"token": issued.token, "expiresAt": body["expiresAt"]})
        return RedirectResponse(f"{pending.return_to}#{fragment}", status_code=303)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


ROUTES = [
    Route("/auth/oidc/{provider}/login", login, name="oidc_login"),
    Route("/auth/oidc/{provider}/callback", callback, name="oidc_callback"),
]
