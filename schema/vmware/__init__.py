"""VMware accounts and VMware-only server operations in the schema."""
