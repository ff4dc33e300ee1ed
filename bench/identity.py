"""Identity-source and quota figures: LDAP sign-in, a directory sync, and the quota check under load."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from redis import Redis

from bench.api import _ms, _post
from bench.harness import ADMIN_PASSWORD, Platform
from tests.identity import slapd as ldap

LOGIN = """mutation($u: String!, $p: String!, $d: String!, $pr: String!) {
  tokenCreate(input: {username: $u, password: $p, domain: $d, project: $pr}) { token errors { code message } } }"""
DOMAIN = 'mutation { domainCreate(input: {name: "corp"}) { domain { id } } }'
PROJECT = 'mutation($d: ID) { projectCreate(input: {name: "dev", domainId: $d}) { project { id } } }'
IDP = """mutation($in: IdentityProviderCreateInput!) { identityProviderCreate(input: $in) {
  identityProvider { id } errors { message } } }"""
SYNC = "mutation($id: ID!) { identityProviderSync(input: {id: $id}) { task { id } errors { message } } }"
TASK = "query($id: ID!) { node(id: $id) { ... on Task { status progress error result } } }"
QUOTA = "mutation($in: QuotaUpdateInput!) { quotaUpdate(input: $in) { errors { message } } }"
ME = "{ me { project { id } } }"
CREATE = """mutation($in: ServerCreateInput!) { serverCreate(input: $in) { servers { id } errors { code } } }"""
DIRECTORY_USERS = 500


def _seed(directory: ldap.Slapd, count: int) -> None:
    people = "\n".join(
        f"dn: uid=user{i},{ldap.PEOPLE}\nobjectClass: inetOrgPerson\nuid: user{i}\ncn: user{i}\nsn: user{i}\n"
        f"mail: user{i}@example.org\nuserPassword: {ldap.USER_PASSWORD}\n"
        for i in range(count)
    )
    members = "\n".join(f"member: uid=user{i},{ldap.PEOPLE}" for i in range(count))
    group = f"dn: cn=everyone,{ldap.GROUPS}\nobjectClass: groupOfNames\ncn: everyone\n{members}\n"
    directory.modify(people + "\n" + group, add=True)


def _ldap_provider(http: httpx.Client, directory: ldap.Slapd) -> str:
    domain_id = _post(http, DOMAIN)["data"]["domainCreate"]["domain"]["id"]  # type: ignore[index]
    _post(http, PROJECT, {"d": domain_id})
    spec = {
        "name": "corp-ldap",
        "domainId": domain_id,
        "driver": "LDAP",
        "secret": ldap.SERVICE_PW,
        "ldap": {
            "urls": [directory.url],
            "userBaseDn": ldap.PEOPLE,
            "groupBaseDn": ldap.GROUPS,
            "bindDn": ldap.SERVICE_DN,
        },
        "roleMappings": [{"group": "everyone", "role": "member", "project": "dev"}],
    }
    payload = _post(http, IDP, {"in": spec})["data"]["identityProviderCreate"]  # type: ignore[index]
    return str(payload["identityProvider"]["id"])


def _ldap_figures(http: httpx.Client, directory: ldap.Slapd, platform: Platform) -> list[tuple[str, str]]:
    provider_id = _ldap_provider(http, directory)
    platform.start("worker")
    samples = []
    for i in range(20):
        started = time.perf_counter()
        body = _post(http, LOGIN, {"u": f"user{i}", "p": ldap.USER_PASSWORD, "d": "corp", "pr": "dev"})
        samples.append(time.perf_counter() - started)
        assert body["data"]["tokenCreate"]["token"], body  # type: ignore[index]
    figures = [("tokenCreate through LDAP (bind as the user, mirror, roles)", _ms(samples))]
    _wait_for_worker(platform)  # its boot is not part of the sync's time
    users = DIRECTORY_USERS + 3
    figures.append((f"identityProviderSync, first ({users} users, 3 groups)", _sync(http, provider_id)))
    figures.append((f"identityProviderSync, again ({users} users, nothing changed)", _sync(http, provider_id)))
    return figures


def _sync(http: httpx.Client, provider_id: str) -> str:
    started = time.perf_counter()
    task_id = _post(http, SYNC, {"id": provider_id})["data"]["identityProviderSync"]["task"]["id"]  # type: ignore[index]
    while True:
        task: dict[str, Any] = _post(http, TASK, {"id": task_id})["data"]["node"]  # type: ignore[index,assignment]
        if task["status"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.02)
    assert task["status"] == "SUCCEEDED", task
    return f"{time.perf_counter() - started:.2f} s"


def _wait_for_worker(platform: Platform) -> None:
    """arq writes its health-check key once its first poll of the queue ran."""
    key = f"{platform.settings.redis_prefix}:worker:health-check"
    redis = Redis.from_url(platform.settings.effective_redis_url)
    deadline = time.monotonic() + 60
    try:
        while not redis.exists(key):
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
            time.sleep(0.05)
    finally:
        redis.close()


async def _concurrent_creates(url: str, token: str, project_id: str, n: int) -> tuple[int, float]:
    spec = {"vcpus": 1, "memoryMb": 64, "diskGb": 1, "projectId": project_id}
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        started = time.perf_counter()
        replies = await asyncio.gather(
            *(http.post("/graphql", json={"query": CREATE, "variables": {"in": {**spec, "name": f"c{i}"}}})
              for i in range(n))
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    created = sum(1 for r in replies if not r.json()["data"]["serverCreate"]["errors"])
    return created, elapsed


def _quota_figures(http: httpx.Client, platform: Platform, token: str) -> list[tuple[str, str]]:
    project_id = _post(http, ME)["data"]["me"]["project"]["id"]  # type: ignore[index]
    spec = {"vcpus": 1, "memoryMb": 64, "diskGb": 1, "projectId": project_id}

    def create_latency(label: str) -> str:
        samples = []
        for i in range(30):
            started = time.perf_counter()
            _post(http, CREATE, {"in": {**spec, "name": f"{label}{i}"}})
            samples.append(time.perf_counter() - started)
        return _ms(samples)

    figures = [("serverCreate, no quota set", create_latency("free"))]
    _post(http, QUOTA, {"in": {"projectId": project_id, "servers": 10_000, "vcpus": 10_000}})
    figures.append(("serverCreate under a quota (row lock + usage count)", create_latency("limited")))
    _post(http, QUOTA, {"in": {"projectId": project_id, "servers": 70}})  # 60 exist: room for 10
    created, elapsed = asyncio.run(_concurrent_creates(platform.url, token, project_id, 40))
    figures.append(("40 concurrent serverCreate, room for 10", f"{created} created in {elapsed:.2f} s"))
    return figures


def run(platform: Platform) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp, httpx.Client(base_url=platform.url, timeout=60) as http:
        directory = ldap.Slapd(Path(tmp))
        directory.start()
        try:
            _seed(directory, DIRECTORY_USERS)
            body = _post(http, LOGIN, {"u": "admin", "p": ADMIN_PASSWORD, "d": "default", "pr": "admin"})
            token = body["data"]["tokenCreate"]["token"]  # type: ignore[index]
            http.headers["authorization"] = f"Bearer {token}"
            figures = _quota_figures(http, platform, token)
            figures += _ldap_figures(http, directory, platform)
        finally:
            directory.stop()
    return figures


if __name__ == "__main__":
    from bench.harness import platform as _platform

    with _platform() as p:
        for name, value in run(p):
            print(f"  {name}  {value}")
