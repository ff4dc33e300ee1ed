"""Resolvers of VMware accounts and of the operations only VMware servers have."""
