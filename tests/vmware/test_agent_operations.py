"""The agent's operations on their own against the simulator: resent jobs find their work done."""

from __future__ import annotations

import uuid

import pytest

from agents.esxi import operations as ops
from agents.esxi.inventory import Inventory
from agents.esxi.protocol import AccountConf, VmSpec
from agents.esxi.session import Session, VsphereError
from domain.vmware.accounts import password_box
from tests.vmware.vcsim import Vcsim

SECRET = "platform-secret"


def _session(sim: Vcsim) -> Session:
    sealed = password_box(SECRET).seal(sim.password)
    return Session(AccountConf("a", sim.url, sim.username, sealed), SECRET)


def test_create_is_idempotent_and_a_failed_create_is_cleaned_up(vcsim: Vcsim) -> None:
    session = _session(vcsim)
    progress: list[int] = []
    try:
        inventory = Inventory(session.si, ())
        hosts = inventory.snapshot() if inventory.wait(0) else {}
        host = hosts["host"][0]["moref"]
        inventory.close()
        server_id = str(uuid.uuid4())
        spec = VmSpec(server_id, "agent-made", 2, 128, 1, host=host)
        first = ops.create(session.si, spec, progress.append)
        again = ops.create(session.si, spec, progress.append)  # arq may deliver a job twice
        assert first["moref"] == again["moref"]
        assert first["power"] == "poweredOn"

        assert ops.destroy_server(session.si, server_id, progress.append)["power"] == "gone"
        assert ops.destroy_server(session.si, server_id, progress.append)["power"] == "gone"
        content = session.si.RetrieveContent()
        assert content.searchIndex.FindByUuid(None, server_id, True, True) is None
    finally:
        session.close()


def test_a_vsphere_fault_comes_back_with_its_message(vcsim: Vcsim) -> None:
    session = _session(vcsim)
    try:
        inventory = Inventory(session.si, ())
        inventory.wait(0)
        host = inventory.snapshot()["host"][0]["moref"]
        inventory.close()
        # vCenter refuses a VM without a name: InvalidVmConfig, in the simulator's words.
        with pytest.raises(VsphereError, match="InvalidVmConfig"):
            ops.create(session.si, VmSpec(str(uuid.uuid4()), "", 1, 64, 1, host=host), lambda _: None)
    finally:
        session.close()
