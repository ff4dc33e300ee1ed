"""The baremetal agent: power, boot and inventory of physical machines through their BMCs."""
