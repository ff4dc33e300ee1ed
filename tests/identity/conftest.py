"""Identity test fixtures: a running slapd, a domain backed by it, and a worker for syncs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from nimbus.processes import build_worker
from nimbus.settings import Settings
from tests.conftest import GraphQLClient
from tests.identity import slapd as ldap

DOMAIN_CREATE = "mutation($n: String!) { domainCreate(input: {name: $n}) { domain { id } errors { code } } }"
PROJECT_CREATE = """
mutation($n: String!, $d: ID) { projectCreate(input: {name: $n, domainId: $d}) { project { id } errors { code } } }"""
IDP_CREATE = """
mutation($in: IdentityProviderCreateInput!) {
  identityProviderCreate(input: $in) {
    identityProvider { id name driver hasSecret syncIntervalS ldap { urls bindDn userFilter userIdAttr }
                       roleMappings { group role project } domain { name } }
    errors { field message code }
  }
}"""
IDP_SYNC = """
mutation($id: ID!) {
  identityProviderSync(input: {id: $id}) { identityProvider { id } task { id kind status } errors { field message code } }
}"""
TASK = "query($id: ID!) { node(id: $id) { ... on Task { id status progress stage error result } } }"


def ldap_input(server: ldap.Slapd, domain_id: str, **overrides: Any) -> dict[str, Any]:
    settings = {
        "urls": [server.url],
        "userBaseDn": ldap.PEOPLE,
        "groupBaseDn": ldap.GROUPS,
        "bindDn": ldap.SERVICE_DN,
        "preset": "openldap",
        "timeoutS": 2.0,
    }
    settings.update(overrides.pop("ldap", {}))
    return {
        "name": "corp-ldap",
        "domainId": domain_id,
        "driver": "LDAP",
        "secret": ldap.SERVICE_PW,
        "ldap": settings,
        "roleMappings": [
            {"group": "cloud-devs", "role": "member", "project": "dev"},
            {"group": "cloud-ops", "role": "reader", "project": "dev"},
        ],
        **overrides,
    }


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[ldap.Slapd]:
    server = ldap.Slapd(tmp_path / "slapd")
    server.start()
    yield server
    server.stop()


async def corp_domain(admin: GraphQLClient) -> str:
    """Domain `corp` with project `dev`: where the directory's users land."""
    domain_id: str = (await admin.ok(DOMAIN_CREATE, {"n": "corp"}))["domainCreate"]["domain"]["id"]
    await admin.ok(PROJECT_CREATE, {"n": "dev", "d": domain_id})
    return domain_id


async def create_provider(admin: GraphQLClient, payload: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = (await admin.ok(IDP_CREATE, {"in": payload}))["identityProviderCreate"]
    return result


@pytest.fixture
async def corp(admin: GraphQLClient, slapd: ldap.Slapd) -> dict[str, Any]:
    domain_id = await corp_domain(admin)
    created = await create_provider(admin, ldap_input(slapd, domain_id))
    assert created["errors"] == [], created
    return {"domain_id": domain_id, "provider": created["identityProvider"]}


@pytest.fixture
async def worker(settings: Settings) -> AsyncIterator[None]:
    w = build_worker(settings, handle_signals=False)
    task = asyncio.create_task(w.async_run())
    yield
    await w.close()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def wait_task(client: GraphQLClient, task_id: str, timeout: float = 30) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        task: dict[str, Any] = (await client.ok(TASK, {"id": task_id}))["node"]
        if task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return task
        if loop.time() > deadline:
            raise AssertionError(f"task still {task['status']} after {timeout}s")
        await asyncio.sleep(0.1)
