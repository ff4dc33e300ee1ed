"""Identity and access (keystone): domains, projects, users, groups, roles, tokens and scoping."""
