"""The esxi agent: pyvmomi against vCenter/ESXi, for one or more VMware accounts."""
