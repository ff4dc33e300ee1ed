"""cloudAccountCreate/Update refuse what cannot work, with a code per field; only system admins manage accounts."""

from __future__ import annotations

from typing import Any

from tests.cloud.conftest import ACCOUNT_CREATE, ACCOUNT_SYNC, Moto, create_account, credentials, sync
from tests.compute.conftest import Cloud
from tests.compute.test_compute_isolation import tenant
from tests.conftest import GraphQLClient

UPDATE = """mutation($in: CloudAccountUpdateInput!) { cloudAccountUpdate(input: $in) {
  cloudAccount { id enabled regions syncIntervalS } errors { field message code } } }"""


def _spec(**overrides: Any) -> dict[str, Any]:
    return {"name": "acct", "provider": "aws", "regions": ["us-east-1"], "credentials": credentials(), **overrides}


async def _refusal(client: GraphQLClient, document: str, spec: dict[str, Any], key: str) -> tuple[str, str]:
    errors = (await client.ok(document, {"in": spec}))[key]["errors"]
    assert len(errors) == 1, errors
    return errors[0]["field"], errors[0]["code"]


async def test_create_refusals(admin: GraphQLClient, gql: GraphQLClient, moto: Moto) -> None:
    create = "cloudAccountCreate"
    assert await _refusal(admin, ACCOUNT_CREATE, _spec(provider="nebula"), create) == ("provider", "UNKNOWN_PROVIDER")
    missing = _spec(credentials=[{"key": "access_key_id", "value": "AKID"}])
    assert await _refusal(admin, ACCOUNT_CREATE, missing, create) == ("credentials", "REQUIRED")
    assert await _refusal(admin, ACCOUNT_CREATE, _spec(regions=[]), create) == ("regions", "REQUIRED")
    assert await _refusal(admin, ACCOUNT_CREATE, _spec(syncIntervalS=5), create) == ("syncIntervalS", "OUT_OF_RANGE")
    assert await _refusal(admin, ACCOUNT_CREATE, _spec(name="bad name"), create) == ("name", "INVALID")
    await create_account(admin, moto, name="acct")
    assert await _refusal(admin, ACCOUNT_CREATE, _spec(), create) == ("name", "DUPLICATE")

    member = await tenant(admin, gql, "blue", "bob")
    denied = await member(ACCOUNT_CREATE, {"in": _spec(name="mine")})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_update_disable_and_new_credentials(admin: GraphQLClient, moto: Moto, worker: Cloud) -> None:
    account = await create_account(admin, moto)
    bad = await _refusal(admin, UPDATE, {"id": account["id"], "regions": []}, "cloudAccountUpdate")
    assert bad == ("regions", "REQUIRED")

    off = await admin.ok(UPDATE, {"in": {"id": account["id"], "enabled": False, "syncIntervalS": 600}})
    assert off["cloudAccountUpdate"]["cloudAccount"]["enabled"] is False
    assert off["cloudAccountUpdate"]["cloudAccount"]["syncIntervalS"] == 600
    refused = (await admin.ok(ACCOUNT_SYNC, {"id": account["id"]}))["cloudAccountSync"]["errors"]
    assert refused[0]["code"] == "NOT_ALLOWED"

    moto.require_auth_after(0)
    await admin.ok(UPDATE, {"in": {"id": account["id"], "enabled": True}})
    assert "AuthFailure" in (await sync(admin, account["id"]))["error"]
    # New credentials take effect on the next sync (here: back to an open endpoint).
    moto.require_auth_after(None)
    changed = await admin.ok(UPDATE, {"in": {"id": account["id"], "credentials": credentials("AKIDROTATED")}})
    assert changed["cloudAccountUpdate"]["errors"] == []
    assert (await sync(admin, account["id"]))["status"] == "SUCCEEDED"
