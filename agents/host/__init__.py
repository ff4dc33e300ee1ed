"""The KVM host agent: libvirt domains and qemu-img disks for the servers placed on this host."""
