"""LDAP/AD sign-in and sync against a real OpenLDAP server started for each test."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.identity.providers.contract import CredentialsRejected
from domain.identity.providers.ldap_config import LdapConfig, with_preset
from domain.identity.providers.ldap_driver import LdapDriver
from domain.identity.providers.models import IdentityProvider
from tests.conftest import TOKEN_CREATE, GraphQLClient
from tests.identity import slapd as ldap
from tests.identity.conftest import IDP_SYNC, corp_domain, create_provider, ldap_input, wait_task

ME = "{ me { user { name email } project { name } roles } }"
GROUPS = '{ groups(filter: {nameContains: "cloud"}) { edges { node { name } } } }'
USERS = "query($d: ID) { users(filter: {domainId: $d}) { edges { node { name enabled email } } } }"
PROVIDERS = "{ identityProviders { totalCount edges { node { id name hasSecret ldap { bindDn } } } } }"


async def sign_in(gql: GraphQLClient, user: str, password: str, project: str = "dev") -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.ok(TOKEN_CREATE, {"u": user, "p": password, "pr": project, "d": "corp"}))[
        "tokenCreate"
    ]
    return payload


async def test_sign_in_binds_as_the_user_and_mirrors_user_and_groups(
    gql: GraphQLClient, admin: GraphQLClient, corp: dict[str, Any]
) -> None:
    payload = await sign_in(gql, "alice", ldap.USER_PASSWORD)
    assert payload["errors"] == []
    assert payload["token"]
    me = (await gql.as_(payload["token"]).ok(ME))["me"]
    assert me["user"] == {"name": "alice", "email": "alice@example.org"}
    assert me["project"]["name"] == "dev"
    assert me["roles"] == ["member"]  # cloud-devs -> member on dev
    groups = {e["node"]["name"] for e in (await admin.ok(GROUPS))["groups"]["edges"]}
    assert groups == {"cloud-devs"}  # the groups alice is in, mirrored at sign-in


async def test_wrong_password_is_refused(gql: GraphQLClient, corp: dict[str, Any]) -> None:
    payload = await sign_in(gql, "alice", "not-her-password")
    assert payload["token"] is None
    assert [e["code"] for e in payload["errors"]] == ["INVALID_CREDENTIALS"]
    unknown = await sign_in(gql, "mallory", ldap.USER_PASSWORD)
    assert [e["code"] for e in unknown["errors"]] == ["INVALID_CREDENTIALS"]


async def test_empty_password_never_signs_in(gql: GraphQLClient, corp: dict[str, Any], slapd: ldap.Slapd) -> None:
    # This slapd accepts a DN with an empty password as an (unauthenticated) anonymous bind.
    whoami = ["ldapwhoami", "-x", "-H", slapd.url, "-D", f"uid=alice,{ldap.PEOPLE}", "-w", ""]
    probe = await asyncio.to_thread(subprocess.run, whoami, capture_output=True)
    assert probe.returncode == 0, probe.stderr

    payload = await sign_in(gql, "alice", "")
    assert payload["token"] is None
    assert [e["code"] for e in payload["errors"]] == ["INVALID_CREDENTIALS"]
    driver = LdapDriver(
        with_preset(LdapConfig(urls=(slapd.url,), user_base_dn=ldap.PEOPLE, bind_dn=ldap.SERVICE_DN)), ldap.SERVICE_PW
    )
    with pytest.raises(CredentialsRejected):
        driver.authenticate("alice", "")


async def test_user_disabled_in_ldap_loses_access(
    gql: GraphQLClient, admin: GraphQLClient, corp: dict[str, Any], slapd: ldap.Slapd, worker: None
) -> None:
    token = (await sign_in(gql, "alice", ldap.USER_PASSWORD))["token"]
    carol = (await sign_in(gql, "carol", ldap.USER_PASSWORD))["token"]
    slapd.lock("alice")
    refused = await sign_in(gql, "alice", ldap.USER_PASSWORD)
    assert [e["code"] for e in refused["errors"]] == ["DISABLED"]
    # The refused sign-in disabled her here too: the token she already holds stops at once.
    assert (await gql.as_(token).raw(ME)).status_code == 401
    # Removed from the directory: the next sign-in attempt ends the old token as well.
    slapd.delete(f"uid=carol,{ldap.PEOPLE}")
    gone = await sign_in(gql, "carol", ldap.USER_PASSWORD)
    assert [e["code"] for e in gone["errors"]] == ["INVALID_CREDENTIALS"]
    assert (await gql.as_(carol).raw(ME)).status_code == 401
    # A sync disables the mirrored user: the token she already holds stops working.
    task = (await admin.ok(IDP_SYNC, {"id": corp["provider"]["id"]}))["identityProviderSync"]["task"]
    assert (await wait_task(admin, task["id"]))["status"] == "SUCCEEDED"
    # The worker tells api replicas to drop cached token checks; that notice arrives by pub/sub.
    for _ in range(40):
        body = await gql.as_(token).raw(ME)
        if body.status_code == 401:
            break
        await asyncio.sleep(0.05)
    assert body.status_code == 401, body.text
    assert "disabled" in body.json()["errors"][0]["message"]


async def test_group_membership_maps_to_roles(
    gql: GraphQLClient, admin: GraphQLClient, corp: dict[str, Any], slapd: ldap.Slapd
) -> None:
    carol = await sign_in(gql, "carol", ldap.USER_PASSWORD)
    assert (await gql.as_(carol["token"]).ok(ME))["me"]["roles"] == ["reader"]  # cloud-ops -> reader
    bob = await sign_in(gql, "bob", ldap.USER_PASSWORD)
    assert (await gql.as_(bob["token"]).ok(ME))["me"]["roles"] == ["member"]
    # Out of cloud-devs in the directory: no role left in dev at the next sign-in.
    slapd.modify(
        f"dn: cn=cloud-devs,{ldap.GROUPS}\nchangetype: modify\ndelete: member\nmember: uid=bob,{ldap.PEOPLE}\n"
    )
    again = await sign_in(gql, "bob", ldap.USER_PASSWORD)
    assert again["token"] is None
    assert [e["code"] for e in again["errors"]] == ["INVALID_CREDENTIALS"]
    # That sign-in mirrored the directory even though it was refused: bob's older token has
    # lost the role at once, without waiting for a sync.
    body = await gql.as_(bob["token"]).raw(ME)
    assert body.status_code == 401, body.text


async def test_sync_runs_as_a_task_with_progress(
    admin: GraphQLClient, corp: dict[str, Any], slapd: ldap.Slapd, worker: None, engine: AsyncEngine
) -> None:
    payload = (await admin.ok(IDP_SYNC, {"id": corp["provider"]["id"]}))["identityProviderSync"]
    assert payload["errors"] == []
    assert payload["task"]["kind"] == "identity.provider_sync"
    task = await wait_task(admin, payload["task"]["id"])
    assert task["status"] == "SUCCEEDED"
    assert task["progress"] == 100
    assert task["result"]["users_created"] == 3
    assert task["result"]["groups"] == 2
    users = {e["node"]["name"]: e["node"] for e in (await admin.ok(USERS, {"d": corp["domain_id"]}))["users"]["edges"]}
    assert set(users) == {"alice", "bob", "carol"}
    assert all(u["enabled"] for u in users.values())
    assert {e["node"]["name"] for e in (await admin.ok(GROUPS))["groups"]["edges"]} == {"cloud-devs", "cloud-ops"}

    slapd.delete(f"uid=carol,{ldap.PEOPLE}")  # removed from the directory
    again = (await admin.ok(IDP_SYNC, {"id": corp["provider"]["id"]}))["identityProviderSync"]["task"]
    task = await wait_task(admin, again["id"])
    assert task["status"] == "SUCCEEDED"
    assert task["result"]["users_disabled"] == 1
    users = {e["node"]["name"]: e["node"] for e in (await admin.ok(USERS, {"d": corp["domain_id"]}))["users"]["edges"]}
    assert users["carol"]["enabled"] is False
    assert users["alice"]["enabled"] is True
    async with engine.connect() as conn:
        last = (await conn.execute(select(IdentityProvider.last_sync_at))).scalar_one()
    assert last is not None


async def test_periodic_sync_starts_one_task_per_due_provider(
    admin: GraphQLClient, slapd: ldap.Slapd, app: Any
) -> None:
    from domain.identity.providers.secrets import SecretBox
    from workers.deps import Deps
    from workers.directory_sync import schedule_due

    domain_id = await corp_domain(admin)
    created = await create_provider(admin, ldap_input(slapd, domain_id, syncIntervalS=60))
    assert created["errors"] == []
    assert created["identityProvider"]["syncIntervalS"] == 60
    services = app.state.services
    deps = Deps(services.sessions, services.redis, services.redis_prefix, secret_box=SecretBox("x"))
    assert await schedule_due(deps) == 1
    assert await schedule_due(deps) == 0  # one is queued already


async def test_directory_down_gives_a_clear_error_quickly(
    gql: GraphQLClient, admin: GraphQLClient, corp: dict[str, Any], slapd: ldap.Slapd, worker: None
) -> None:
    slapd.stop()
    started = time.monotonic()
    payload = await sign_in(gql, "alice", ldap.USER_PASSWORD)
    assert time.monotonic() - started < 5
    assert payload["token"] is None
    (error,) = payload["errors"]
    assert error["code"] == "PROVIDER_UNAVAILABLE"
    assert "No directory server is reachable" in error["message"]
    assert slapd.url in error["message"]
    task = (await admin.ok(IDP_SYNC, {"id": corp["provider"]["id"]}))["identityProviderSync"]["task"]
    failed = await wait_task(admin, task["id"])
    assert failed["status"] == "FAILED"
    assert "No directory server is reachable" in failed["error"]


async def test_a_silent_server_times_out_and_the_next_url_is_tried(
    gql: GraphQLClient, admin: GraphQLClient, slapd: ldap.Slapd
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never says a word
    stop = threading.Event()
    try:
        domain_id = await corp_domain(admin)
        silent_url = f"ldap://127.0.0.1:{silent.getsockname()[1]}"
        created = await create_provider(
            admin, ldap_input(slapd, domain_id, ldap={"urls": [silent_url, slapd.url], "timeoutS": 1.0})
        )
        assert created["errors"] == []
        started = time.monotonic()
        payload = await sign_in(gql, "alice", ldap.USER_PASSWORD)
        assert payload["errors"] == []
        assert payload["token"]
        slapd.stop()
        payload = await sign_in(gql, "alice", ldap.USER_PASSWORD)
        assert [e["code"] for e in payload["errors"]] == ["PROVIDER_UNAVAILABLE"]
        assert time.monotonic() - started < 15
    finally:
        stop.set()
        silent.close()


async def test_ldaps_verifies_the_server_certificate(
    gql: GraphQLClient, admin: GraphQLClient, slapd: ldap.Slapd
) -> None:
    domain_id = await corp_domain(admin)
    trusted = ldap_input(slapd, domain_id, ldap={"urls": [slapd.ldaps_url], "caCert": slapd.ca_pem})
    assert (await create_provider(admin, trusted))["errors"] == []
    assert (await sign_in(gql, "alice", ldap.USER_PASSWORD))["errors"] == []

    other = await admin.ok('mutation { domainCreate(input: {name: "corp2"}) { domain { id } } }')
    untrusted = ldap_input(
        slapd,
        other["domainCreate"]["domain"]["id"],
        name="corp2-ldap",
        ldap={"urls": [slapd.ldaps_url]},
        roleMappings=[],
    )
    assert (await create_provider(admin, untrusted))["errors"] == []
    payload = (await gql.ok(TOKEN_CREATE, {"u": "alice", "p": ldap.USER_PASSWORD, "pr": "x", "d": "corp2"}))[
        "tokenCreate"
    ]
    (error,) = payload["errors"]
    assert error["code"] == "PROVIDER_UNAVAILABLE"
    assert "certificate" in error["message"]


async def test_bind_password_is_sealed_and_never_returned(
    admin: GraphQLClient, corp: dict[str, Any], engine: AsyncEngine
) -> None:
    providers = await admin.raw(PROVIDERS)
    assert ldap.SERVICE_PW not in providers.text
    (node,) = [e["node"] for e in providers.json()["data"]["identityProviders"]["edges"]]
    assert node["hasSecret"] is True
    assert node["ldap"]["bindDn"] == ldap.SERVICE_DN
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT secret_encrypted FROM identity_provider"))).scalar_one()
    assert stored
    assert ldap.SERVICE_PW not in stored


async def test_bad_provider_input_is_a_payload_error(admin: GraphQLClient, slapd: ldap.Slapd) -> None:
    domain_id = await corp_domain(admin)
    cases = [
        ({"ldap": {"urls": ["http://example.org"]}}, "ldap.urls"),
        ({"ldap": {"userFilter": "objectClass=person"}}, "ldap.userFilter"),
        ({"ldap": {"preset": "novell"}}, "ldap.preset"),
        ({"secret": None}, "secret"),
        ({"roleMappings": [{"group": "g", "role": "no-such-role"}]}, "roleMappings"),
        ({"roleMappings": [{"group": "g", "role": "member", "project": "nope"}]}, "roleMappings"),
        ({"syncIntervalS": 5}, "syncIntervalS"),
    ]
    for overrides, field in cases:
        payload = await create_provider(admin, ldap_input(slapd, domain_id, **overrides))
        assert payload["identityProvider"] is None, overrides
        assert payload["errors"][0]["field"] == field, payload
    ok = await create_provider(admin, ldap_input(slapd, domain_id))
    assert ok["errors"] == []
    dup = await create_provider(admin, ldap_input(slapd, domain_id, name="second"))
    assert [e["code"] for e in dup["errors"]] == ["DUPLICATE"]


IDP_UPDATE = """mutation($in: IdentityProviderUpdateInput!) { identityProviderUpdate(input: $in) {
  identityProvider { enabled hasSecret roleMappings { group role project } } errors { field message code } } }"""
IDP_DELETE = """mutation($id: ID!) { identityProviderDelete(input: {id: $id}) { deletedId errors { code } } }"""


async def test_update_and_delete_a_provider(gql: GraphQLClient, admin: GraphQLClient, corp: dict[str, Any]) -> None:
    provider_id = corp["provider"]["id"]
    assert (await sign_in(gql, "carol", ldap.USER_PASSWORD))["errors"] == []

    # A rotated (here: wrong) bind password is used at once, and says what is wrong.
    rotated = await admin.ok(IDP_UPDATE, {"in": {"id": provider_id, "secret": "not-the-password"}})
    assert rotated["identityProviderUpdate"]["errors"] == []
    (error,) = (await sign_in(gql, "carol", ldap.USER_PASSWORD))["errors"]
    assert error["code"] == "PROVIDER_UNAVAILABLE"
    assert "bind DN or password" in error["message"]
    await admin.ok(IDP_UPDATE, {"in": {"id": provider_id, "secret": ldap.SERVICE_PW}})

    # New mappings replace the old: cloud-ops now gives member.
    mapped = await admin.ok(
        IDP_UPDATE,
        {"in": {"id": provider_id, "roleMappings": [{"group": "cloud-ops", "role": "member", "project": "dev"}]}},
    )
    assert mapped["identityProviderUpdate"]["identityProvider"]["roleMappings"] == [
        {"group": "cloud-ops", "role": "member", "project": "dev"}
    ]
    carol = await sign_in(gql, "carol", ldap.USER_PASSWORD)
    assert sorted((await gql.as_(carol["token"]).ok(ME))["me"]["roles"]) == ["member", "reader"]

    # Disabled: directory users no longer get in (their local password is unusable).
    off = await admin.ok(IDP_UPDATE, {"in": {"id": provider_id, "enabled": False}})
    assert off["identityProviderUpdate"]["identityProvider"]["enabled"] is False
    assert [e["code"] for e in (await sign_in(gql, "carol", ldap.USER_PASSWORD))["errors"]] == ["INVALID_CREDENTIALS"]

    deleted = (await admin.ok(IDP_DELETE, {"id": provider_id}))["identityProviderDelete"]
    assert deleted["deletedId"] == provider_id
    assert (await admin.ok(PROVIDERS))["identityProviders"]["totalCount"] == 0
    assert [e["code"] for e in (await sign_in(gql, "carol", ldap.USER_PASSWORD))["errors"]] == ["INVALID_CREDENTIALS"]


def test_active_directory_preset_fills_ad_attributes() -> None:
    config = with_preset(
        LdapConfig(
            urls=("ldaps://dc1.corp.example", "ldaps://dc2.corp.example"),
            user_base_dn="DC=corp",
            preset="active_directory",
        )
    )
    assert config.user_id_attr == "sAMAccountName"
    assert config.user_uuid_attr == "objectGUID"
    assert config.user_disabled_filter == "(userAccountControl:1.2.840.113556.1.4.803:=2)"
    assert config.group_filter == "(objectClass=group)"
    overridden = with_preset(
        LdapConfig(
            urls=("ldap://dc1",), user_base_dn="DC=corp", preset="active_directory", user_id_attr="userPrincipalName"
        )
    )
    assert overridden.user_id_attr == "userPrincipalName"
