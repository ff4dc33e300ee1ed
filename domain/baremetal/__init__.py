"""The baremetal context: physical machines managed through their BMCs."""
