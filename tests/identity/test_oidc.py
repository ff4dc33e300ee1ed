"""OIDC sign-in against a real provider on a loopback port: code + PKCE, and every bad token refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from tests.conftest import GraphQLClient, free_port
from tests.identity.conftest import DOMAIN_CREATE, PROJECT_CREATE, create_provider
from tests.identity.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalOidcProvider

ME = "{ me { user { name email } project { name } roles } }"
AUDIT = """query($op: String!) { auditEvents(first: 20, filter: {operation: $op}) {
  edges { node { outcome errorCode actorName } } } }"""


@pytest.fixture
async def provider() -> AsyncIterator[LocalOidcProvider]:
    port = free_port()
    idp = LocalOidcProvider(f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(idp.app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn offers no event to wait on
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield idp
    server.should_exit = True
    await task


@pytest.fixture
async def sso(admin: GraphQLClient, provider: LocalOidcProvider) -> dict[str, Any]:
    domain_id = (await admin.ok(DOMAIN_CREATE, {"n": "sso"}))["domainCreate"]["domain"]["id"]
    await admin.ok(PROJECT_CREATE, {"n": "dev", "d": domain_id})
    created = await create_provider(
        admin,
        {
            "name": "sso-oidc",
            "domainId": domain_id,
            "driver": "OIDC",
            "secret": CLIENT_SECRET,
            "oidc": {"issuer": provider.issuer, "clientId": CLIENT_ID, "algorithms": ["RS256"]},
            "roleMappings": [{"group": "engineers", "role": "member", "project": "dev"}],
        },
    )
    assert created["errors"] == [], created
    provider.user["groups"] = ["engineers"]
    return created["identityProvider"]


async def sign_in(client: httpx.AsyncClient, query: str = "?project=dev") -> httpx.Response:
    """The browser's journey: Nimbus login → provider authorize → Nimbus callback."""
    login = await client.get(f"/auth/oidc/sso-oidc/login{query}")
    assert login.status_code == 302, login.text
    authorize = login.headers["location"]
    params = parse_qs(urlsplit(authorize).query)
    assert params["code_challenge_method"] == ["S256"]
    assert params["code_challenge"][0]
    assert params["nonce"][0]
    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(authorize)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/auth/oidc/sso-oidc/callback"
    return await client.get(f"{back.path}?{back.query}")


async def test_code_and_pkce_flow_gives_a_nimbus_token(
    client: httpx.AsyncClient, gql: GraphQLClient, admin: GraphQLClient, sso: dict[str, Any]
) -> None:
    response = await sign_in(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["name"] == "dana"
    assert body["project"]["name"] == "dev"
    me = (await gql.as_(body["token"]).ok(ME))["me"]
    assert me == {
        "user": {"name": "dana", "email": "dana@example.org"},
        "project": {"name": "dev"},
        "roles": ["member"],
    }
    events = [e["node"] for e in (await admin.ok(AUDIT, {"op": "oidcSignIn"}))["auditEvents"]["edges"]]
    assert events == [{"outcome": "SUCCESS", "errorCode": None, "actorName": "oidc:sso-oidc"}]


async def test_return_to_gets_the_token_in_the_fragment(client: httpx.AsyncClient, sso: dict[str, Any]) -> None:
    response = await sign_in(client, "?project=dev&returnTo=/console/")
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/console/"
    assert "token" in parse_qs(location.fragment)
    # Only paths on this site: anything else would hand the token to another page.
    evil = await sign_in(client, "?project=dev&returnTo=https://evil.example/")
    assert evil.status_code == 200


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("bad_signature", "signature does not verify"),
        ("wrong_audience", "aud"),
        ("expired", "expired"),
    ],
)
async def test_bad_id_tokens_are_refused(
    client: httpx.AsyncClient,
    admin: GraphQLClient,
    provider: LocalOidcProvider,
    sso: dict[str, Any],
    mode: str,
    reason: str,
) -> None:
    provider.mode = mode
    response = await sign_in(client)
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "INVALID_CREDENTIALS"
    assert reason in body["message"].lower()
    assert "token" not in body
    events = [e["node"] for e in (await admin.ok(AUDIT, {"op": "oidcSignIn"}))["auditEvents"]["edges"]]
    assert events == [{"outcome": "FAILURE", "errorCode": "INVALID_CREDENTIALS", "actorName": "oidc:sso-oidc"}]


async def test_a_replayed_nonce_is_refused(
    client: httpx.AsyncClient, provider: LocalOidcProvider, sso: dict[str, Any]
) -> None:
    assert (await sign_in(client)).status_code == 200
    provider.mode = "replay_nonce"  # the provider hands out an ID token bound to the first sign-in
    response = await sign_in(client)
    assert response.status_code == 401
    assert "nonce" in response.json()["message"]


async def test_a_callback_cannot_be_replayed(client: httpx.AsyncClient, sso: dict[str, Any]) -> None:
    login = await client.get("/auth/oidc/sso-oidc/login?project=dev")
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(login.headers["location"])).headers["location"])
    first = await client.get(f"{back.path}?{back.query}")
    assert first.status_code == 200
    second = await client.get(f"{back.path}?{back.query}")
    assert second.status_code == 401
    assert "already used" in second.json()["message"]
    forged = await client.get(f"{back.path}?code=x&state=forged")
    assert forged.status_code == 401


async def test_unknown_provider_and_provider_down(
    client: httpx.AsyncClient, provider: LocalOidcProvider, admin: GraphQLClient, sso: dict[str, Any]
) -> None:
    assert (await client.get("/auth/oidc/nope/login")).status_code == 404
    domain = (await admin.ok(DOMAIN_CREATE, {"n": "sso2"}))["domainCreate"]["domain"]["id"]
    dead = f"http://127.0.0.1:{free_port()}"
    created = await create_provider(
        admin,
        {"name": "dead-oidc", "domainId": domain, "driver": "OIDC", "oidc": {"issuer": dead, "clientId": "x"}},
    )
    assert created["errors"] == []
    response = await client.get("/auth/oidc/dead-oidc/login")
    assert response.status_code == 502
    assert response.json()["error"] == "PROVIDER_UNAVAILABLE"


async def test_the_client_secret_is_never_returned(admin: GraphQLClient, sso: dict[str, Any]) -> None:
    response = await admin.raw(
        "{ identityProviders { edges { node { name hasSecret oidc { issuer clientId loginPath } } } } }"
    )
    assert CLIENT_SECRET not in response.text
    (node,) = [e["node"] for e in response.json()["data"]["identityProviders"]["edges"]]
    assert node["hasSecret"] is True
    assert node["oidc"]["loginPath"] == "/auth/oidc/sso-oidc/login"
