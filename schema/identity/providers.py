"""Identity providers in the schema: types, inputs, payloads, and their Query and Mutation fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from domain.identity.providers import models
from domain.identity.providers.contract import RoleMapping as RoleMappingSpec
from domain.identity.providers.ldap_config import LdapConfig
from domain.identity.providers.oidc_config import OidcConfig
from domain.identity.providers.services import ProviderChange, ProviderSpec
from resolvers.identity import loaders
from resolvers.identity import providers as queries
from resolvers.identity.mutations.identity_provider_create import identity_provider_create
from resolvers.identity.mutations.identity_provider_delete import identity_provider_delete
from resolvers.identity.mutations.identity_provider_sync import identity_provider_sync
from resolvers.identity.mutations.identity_provider_update import identity_provider_update
from resolvers.ids import to_global_id
from resolvers.loaders import load_converted
from resolvers.mutation import Result
from resolvers.pagination import ListArgs
from schema.base import After, Connection, First, Node, OrderDirection, filter_kwargs
from schema.identity.enums import NamedOrderField
from schema.identity.filters import NamedOrder
from schema.identity.payloads import identity_errors
from schema.identity.types import Domain, IdentityError, NimbusInfo
from schema.payload_errors import deleted_id
from schema.task.types import Task


@strawberry.enum(description="Where a domain's users come from.")
class IdentityProviderDriver(Enum):
    SQL = "SQL"
    LDAP = "LDAP"
    OIDC = "OIDC"


@strawberry.type(description="Members of a directory group get a role on a project, or on the whole domain.")
class RoleMapping:
    group: str = strawberry.field(description="The directory group's name (cn, or an OIDC groups claim value).")
    role: str = strawberry.field(description="The role's name.")
    project: str | None = strawberry.field(description="A project of the provider's domain; null: the domain.")


@strawberry.type(description="How Nimbus reads an LDAP/AD directory. The bind password is never returned.")
class LdapSettings:
    urls: list[str] = strawberry.field(description="Servers, tried in this order (failover).")
    preset: str = strawberry.field(description="`openldap` or `active_directory`: defaults for the rest.")
    user_base_dn: str = strawberry.field(description="Where users are searched.")
    group_base_dn: str = strawberry.field(description="Where groups are searched; empty: no groups.")
    bind_dn: str = strawberry.field(description="The service account searches run as; empty: anonymous.")
    user_filter: str = strawberry.field(description="Which entries are users.")
    user_id_attr: str = strawberry.field(description="The attribute users sign in with (uid, sAMAccountName).")
    user_uuid_attr: str = strawberry.field(description="A stable id (entryUUID, objectGUID).")
    user_email_attr: str = strawberry.field(description="E-mail attribute.")
    user_disabled_filter: str = strawberry.field(description="Matches disabled accounts.")
    group_filter: str = strawberry.field(description="Which entries are groups.")
    group_name_attr: str = strawberry.field(description="Group name attribute.")
    group_uuid_attr: str = strawberry.field(description="A stable group id.")
    group_member_attr: str = strawberry.field(description="Attribute listing member DNs.")
    start_tls: bool = strawberry.field(description="Upgrade ldap:// connections with StartTLS.")
    ca_cert: str = strawberry.field(description="PEM of the CA servers' certificates are verified against.")
    timeout_s: float = strawberry.field(description="Connect and answer timeout per server, in seconds.")


@strawberry.type(description="How Nimbus signs users in through an OIDC provider.")
class OidcSettings:
    issuer: str = strawberry.field(
        description="The issuer URL (discovery document at /.well-known/openid-configuration)."
    )
    client_id: str = strawberry.field(description="Nimbus' client id at the provider.")
    scopes: str = strawberry.field(description="Requested scopes.")
    username_claim: str = strawberry.field(description="Claim that becomes the user name.")
    email_claim: str = strawberry.field(description="Claim that becomes the e-mail address.")
    groups_claim: str = strawberry.field(description="Claim listing the user's groups.")
    redirect_uri: str = strawberry.field(description="Callback URL registered at the provider; derived when empty.")
    algorithms: list[str] = strawberry.field(description="Accepted ID-token signing algorithms.")
    login_path: str = strawberry.field(description="Send browsers here to sign in (add ?project=&returnTo=).")


@strawberry.type(description="Where a domain's users and groups come from, and how they sign in.")
class IdentityProvider(Node):
    name: str = strawberry.field(description="Unique name; part of the OIDC login path.")
    driver: IdentityProviderDriver = strawberry.field(description="SQL, LDAP or OIDC.")
    enabled: bool = strawberry.field(description="Disabled providers sign nobody in.")
    sync_interval_s: int = strawberry.field(description="Seconds between periodic syncs; 0: on demand only.")
    last_sync_at: datetime | None = strawberry.field(description="When the last sync ended.")
    last_sync_error: str | None = strawberry.field(description="Why the last sync failed, if it did.")
    has_secret: bool = strawberry.field(description="A bind password or client secret is stored (never shown).")
    ldap: LdapSettings | None = strawberry.field(description="LDAP settings (LDAP providers).")
    oidc: OidcSettings | None = strawberry.field(description="OIDC settings (OIDC providers).")
    role_mappings: list[RoleMapping] = strawberry.field(description="Directory groups and the roles they give.")
    created_at: datetime = strawberry.field(description="Creation time.")
    domain_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The domain this provider backs.")
    def domain(self, info: NimbusInfo) -> Domain | None:
        return load_converted(info.context, "domain_by_id", loaders.DomainByIdLoader, Domain.from_model, self.domain_id)

    @classmethod
    def from_model(cls, m: models.IdentityProvider) -> IdentityProvider:
        config = m.config or {}
        ldap = oidc = None
        if m.driver is models.ProviderDriver.LDAP:
            c = LdapConfig.from_dict(config)
            fields = {k: getattr(c, k) for k in LdapSettings.__annotations__}
            ldap = LdapSettings(**{**fields, "urls": list(c.urls)})
        elif m.driver is models.ProviderDriver.OIDC:
            o = OidcConfig.from_dict(config)
            oidc = OidcSettings(
                issuer=o.issuer,
                client_id=o.client_id,
                scopes=o.scopes,
                username_claim=o.username_claim,
                email_claim=o.email_claim,
                groups_claim=o.groups_claim,
                redirect_uri=o.redirect_uri,
                algorithms=list(o.algorithms),
                login_path=f"/auth/oidc/{m.name}/login",
            )
        return cls(
            id=strawberry.ID(to_global_id("IdentityProvider", m.id)),
            name=m.name,
            driver=IdentityProviderDriver(m.driver.value),
            enabled=m.enabled,
            sync_interval_s=m.sync_interval_s,
            last_sync_at=m.last_sync_at,
            last_sync_error=m.last_sync_error,
            has_secret=bool(m.secret_encrypted),
            ldap=ldap,
            oidc=oidc,
            role_mappings=[RoleMapping(**r) for r in config.get("role_mappings", [])],
            created_at=m.created_at,
            domain_id=m.domain_id,
        )


@strawberry.input(description="A directory group and the role its members get.")
class RoleMappingInput:
    group: str = strawberry.field(description="The directory group's name.")
    role: str = strawberry.field(description="The role's name.")
    project: str | None = strawberry.field(default=None, description="A project of the domain; omit for the domain.")


@strawberry.input(description="LDAP/AD settings; empty filters and attributes come from the preset.")
class LdapSettingsInput:
    urls: list[str] = strawberry.field(description="ldap:// or ldaps:// URLs, tried in order.")
    user_base_dn: str = strawberry.field(description="Where users are searched.")
    group_base_dn: str = strawberry.field(default="", description="Where groups are searched.")
    bind_dn: str = strawberry.field(default="", description="Service account DN (its password goes in `secret`).")
    preset: str = strawberry.field(default="openldap", description="`openldap` or `active_directory`.")
    user_filter: str = strawberry.field(default="", description="Which entries are users.")
    user_id_attr: str = strawberry.field(default="", description="Sign-in name attribute.")
    user_uuid_attr: str = strawberry.field(default="", description="Stable id attribute.")
    user_email_attr: str = strawberry.field(default="", description="E-mail attribute.")
    user_disabled_filter: str = strawberry.field(default="", description="Matches disabled accounts.")
    group_filter: str = strawberry.field(default="", description="Which entries are groups.")
    group_name_attr: str = strawberry.field(default="", description="Group name attribute.")
    group_uuid_attr: str = strawberry.field(default="", description="Stable group id attribute.")
    group_member_attr: str = strawberry.field(default="", description="Member DN attribute.")
    start_tls: bool = strawberry.field(default=False, description="Use StartTLS on ldap:// URLs.")
    ca_cert: str = strawberry.field(default="", description="PEM CA to verify servers with; system CAs when empty.")
    timeout_s: float = strawberry.field(default=5.0, description="Per-server timeout in seconds.")


@strawberry.input(description="OIDC settings; the client secret goes in `secret`.")
class OidcSettingsInput:
    issuer: str = strawberry.field(description="Issuer URL.")
    client_id: str = strawberry.field(description="Client id.")
    scopes: str = strawberry.field(default="openid profile email", description="Scopes to request.")
    username_claim: str = strawberry.field(default="preferred_username", description="User name claim.")
    email_claim: str = strawberry.field(default="email", description="E-mail claim.")
    groups_claim: str = strawberry.field(default="groups", description="Groups claim.")
    redirect_uri: str = strawberry.field(default="", description="Registered callback URL; derived when empty.")
    algorithms: list[str] = strawberry.field(
        default_factory=lambda: ["RS256", "ES256"], description="Accepted algorithms."
    )


@strawberry.input(description="Create an identity provider for a domain (system admins).")
class IdentityProviderCreateInput:
    name: str = strawberry.field(description="Unique name.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="The domain; the caller's by default.")
    driver: IdentityProviderDriver = strawberry.field(
        default=IdentityProviderDriver.SQL, description="SQL, LDAP or OIDC."
    )
    enabled: bool = strawberry.field(default=True, description="Sign users in through it.")
    sync_interval_s: int = strawberry.field(default=0, description="Periodic sync every N seconds (LDAP; 0: off).")
    secret: str | None = strawberry.field(default=None, description="Bind password or client secret; stored encrypted.")
    ldap: LdapSettingsInput | None = strawberry.field(default=None, description="For LDAP providers.")
    oidc: OidcSettingsInput | None = strawberry.field(default=None, description="For OIDC providers.")
    role_mappings: list[RoleMappingInput] = strawberry.field(default_factory=list, description="Group → role.")


@strawberry.input(description="Sync a directory now.")
class IdentityProviderSyncInput:
    id: strawberry.ID = strawberry.field(description="The identity provider.")


@strawberry.input(description="Change an identity provider (system admins); omitted fields stay as they are.")
class IdentityProviderUpdateInput:
    id: strawberry.ID = strawberry.field(description="The identity provider.")
    enabled: bool | None = strawberry.field(default=None, description="Sign users in through it, or not.")
    sync_interval_s: int | None = strawberry.field(default=None, description="Periodic sync every N s (0: off).")
    secret: str | None = strawberry.field(default=None, description="A new bind password or client secret.")
    ldap: LdapSettingsInput | None = strawberry.field(default=None, description="New LDAP settings, whole.")
    oidc: OidcSettingsInput | None = strawberry.field(default=None, description="New OIDC settings, whole.")
    role_mappings: list[RoleMappingInput] | None = strawberry.field(
        default=None, description="New group → role mappings, replacing the old ones."
    )


@strawberry.input(description="Delete an identity provider.")
class IdentityProviderDeleteInput:
    id: strawberry.ID = strawberry.field(description="The identity provider.")


@strawberry.type(description="Result of identityProviderUpdate.")
class IdentityProviderUpdatePayload:
    identity_provider: IdentityProvider | None = strawberry.field(default=None, description="The provider.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of identityProviderDelete.")
class IdentityProviderDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the deleted provider.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of identityProviderCreate.")
class IdentityProviderCreatePayload:
    identity_provider: IdentityProvider | None = strawberry.field(default=None, description="The new provider.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Result of identityProviderSync.")
class IdentityProviderSyncPayload:
    identity_provider: IdentityProvider | None = strawberry.field(default=None, description="The provider.")
    task: Task | None = strawberry.field(default=None, description="The sync; follow it with taskUpdated.")
    errors: list[IdentityError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.input(description="Filter identity providers.")
class IdentityProviderFilter:
    name: str | None = strawberry.field(default=None, description="Exact name.")
    domain_id: strawberry.ID | None = strawberry.field(default=None, description="The provider of this domain.")
    driver: IdentityProviderDriver | None = strawberry.field(default=None, description="Only this driver.")


def _ldap(value: LdapSettingsInput | None) -> LdapConfig | None:
    if value is None:
        return None
    values: dict[str, Any] = dict(value.__dict__)
    return LdapConfig(**{**values, "urls": tuple(value.urls)})


def _oidc(value: OidcSettingsInput | None) -> OidcConfig | None:
    return None if value is None else OidcConfig(**{**value.__dict__, "algorithms": tuple(value.algorithms)})


def _mappings(values: list[RoleMappingInput]) -> list[RoleMappingSpec]:
    return [RoleMappingSpec(m.group, m.role, m.project) for m in values]


def _spec(input: IdentityProviderCreateInput) -> ProviderSpec:
    ldap, oidc = _ldap(input.ldap), _oidc(input.oidc)
    return ProviderSpec(
        name=input.name,
        domain_id=None,
        driver=models.ProviderDriver(input.driver.value),
        enabled=input.enabled,
        sync_interval_s=input.sync_interval_s,
        ldap=ldap,
        oidc=oidc,
        secret=input.secret,
        role_mappings=_mappings(input.role_mappings),
    )


def _change(input: IdentityProviderUpdateInput) -> ProviderChange:
    return ProviderChange(
        enabled=input.enabled,
        sync_interval_s=input.sync_interval_s,
        secret=input.secret,
        ldap=_ldap(input.ldap),
        oidc=_oidc(input.oidc),
        role_mappings=None if input.role_mappings is None else _mappings(input.role_mappings),
    )


def _provider(r: Result[Any]) -> IdentityProvider | None:
    value = r.value[0] if isinstance(r.value, tuple) else r.value
    return None if value is None else IdentityProvider.from_model(value)


@strawberry.type
class ProviderQuery:
    @strawberry.field(description="Identity providers the caller may administer.")
    async def identity_providers(
        self,
        info: NimbusInfo,
        first: First = None,
        after: After = None,
        filter: IdentityProviderFilter | None = None,
        order_by: NamedOrder | None = None,
    ) -> Connection[IdentityProvider]:
        field = order_by.field if order_by else NamedOrderField.NAME
        descending = bool(order_by and order_by.direction is OrderDirection.DESC)
        kwargs = filter_kwargs(filter, driver=models.ProviderDriver)
        page = await queries.list_providers(info.context, ListArgs(first, after, field.value, descending), **kwargs)
        return Connection.from_page(page, IdentityProvider.from_model)


@strawberry.type
class ProviderMutation:
    @strawberry.mutation(description="Back a domain with SQL, LDAP/AD or OIDC (system admins).")
    async def identity_provider_create(
        self, info: NimbusInfo, input: IdentityProviderCreateInput
    ) -> IdentityProviderCreatePayload:
        r = await identity_provider_create(info.context, _spec(input), domain_id=input.domain_id)
        return IdentityProviderCreatePayload(identity_provider=_provider(r), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Change a provider's settings, secret or role mappings (system admins).")
    async def identity_provider_update(
        self, info: NimbusInfo, input: IdentityProviderUpdateInput
    ) -> IdentityProviderUpdatePayload:
        r = await identity_provider_update(info.context, id=input.id, change=_change(input))
        return IdentityProviderUpdatePayload(identity_provider=_provider(r), errors=identity_errors(r.errors))

    @strawberry.mutation(description="Delete a provider; its mirrored users stay, without a usable password.")
    async def identity_provider_delete(
        self, info: NimbusInfo, input: IdentityProviderDeleteInput
    ) -> IdentityProviderDeletePayload:
        r = await identity_provider_delete(info.context, id=input.id)
        return IdentityProviderDeletePayload(
            deleted_id=deleted_id("IdentityProvider", r.value), errors=identity_errors(r.errors)
        )

    @strawberry.mutation(description="Sync an LDAP/AD directory's users and groups now; returns the task.")
    async def identity_provider_sync(
        self, info: NimbusInfo, input: IdentityProviderSyncInput
    ) -> IdentityProviderSyncPayload:
        r = await identity_provider_sync(info.context, id=input.id)
        task = Task.from_model(r.value[1]) if r.value is not None else None
        return IdentityProviderSyncPayload(identity_provider=_provider(r), task=task, errors=identity_errors(r.errors))
