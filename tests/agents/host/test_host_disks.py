"""qcow2 disks made with the real qemu-img in a temporary storage directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agents.host import disks
from agents.host.driver import DriverError
from agents.host.protocol import DiskSpec

GIB = 1024**3
SERVER = "5e1d7c3a-0000-4000-8000-000000000001"


def test_blank_disk(tmp_path: Path) -> None:
    path = disks.create_disk(tmp_path, SERVER, DiskSpec(id="root", size_gb=3))

    assert path == tmp_path / SERVER / "root.qcow2"
    info = disks.image_info(path)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == 3 * GIB
    assert "backing-filename" not in info
    assert [p.name for p in path.parent.iterdir()] == ["root.qcow2"]  # no partial file left


def test_creating_again_keeps_the_existing_disk(tmp_path: Path) -> None:
    spec = DiskSpec(id="root", size_gb=1)
    path = disks.create_disk(tmp_path, SERVER, spec)
    path.write_bytes(b"guest data")  # stands for what the guest wrote since

    assert disks.create_disk(tmp_path, SERVER, spec) == path
    assert path.read_bytes() == b"guest data"


@pytest.mark.parametrize("image_format", ["raw", "qcow2"])
def test_overlay_on_an_image_records_its_format(tmp_path: Path, image_format: str) -> None:
    image = tmp_path / f"base.{image_format}"
    subprocess.run(["qemu-img", "create", "-q", "-f", image_format, str(image), "1G"], check=True)

    path = disks.create_disk(tmp_path / "storage", SERVER, DiskSpec(id="root", size_gb=5, image_path=str(image)))

    info = disks.image_info(path)
    assert info["format"] == "qcow2"
    assert info["backing-filename"] == str(image)
    assert info["backing-filename-format"] == image_format
    assert info["virtual-size"] == 5 * GIB  # grown to what the server asked for


def test_overlay_never_shrinks_below_the_image(tmp_path: Path) -> None:
    image = tmp_path / "base.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(image), "4G"], check=True)

    path = disks.create_disk(tmp_path / "storage", SERVER, DiskSpec(id="root", size_gb=1, image_path=str(image)))

    assert disks.image_info(path)["virtual-size"] == 4 * GIB


def test_missing_image_is_a_driver_error_with_qemu_img_message(tmp_path: Path) -> None:
    spec = DiskSpec(id="root", size_gb=1, image_path=str(tmp_path / "nope.qcow2"))

    with pytest.raises(DriverError, match=r"qemu-img info failed: .*nope\.qcow2.*No such file"):
        disks.create_disk(tmp_path, SERVER, spec)
    assert list((tmp_path / SERVER).iterdir()) == []


def test_delete_removes_the_server_directory(tmp_path: Path) -> None:
    disks.create_disk(tmp_path, SERVER, DiskSpec(id="a", size_gb=1))
    disks.create_disk(tmp_path, SERVER, DiskSpec(id="b", size_gb=1))

    disks.delete_disks(tmp_path, SERVER)

    assert not (tmp_path / SERVER).exists()
    disks.delete_disks(tmp_path, SERVER)  # nothing left: fine


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", ".hidden", "x" * 200])
def test_ids_cannot_escape_the_storage_directory(tmp_path: Path, bad: str) -> None:
    with pytest.raises(DriverError, match="invalid id"):
        disks.create_disk(tmp_path, bad, DiskSpec(id="root", size_gb=1))
    with pytest.raises(DriverError, match="invalid id"):
        disks.disk_path(tmp_path, SERVER, bad)
