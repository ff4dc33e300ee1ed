"""Identity providers: where a domain's users and groups come from (SQL, LDAP/AD or OIDC)."""
