"""Tests of the VMware integration against govmomi's vCenter simulator."""
