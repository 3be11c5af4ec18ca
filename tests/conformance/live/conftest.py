import hashlib
import shutil

import pytest

from tests.support.live_media import build_iso


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture(scope="session")
def nestos_iso_master(tmp_path_factory):
    work = tmp_path_factory.mktemp("nestos-iso")
    path = work / "nestos-live.x86_64.iso"
    info = build_iso(str(path), str(work))
    return path, info


@pytest.fixture(scope="session")
def coreos_iso_master(tmp_path_factory):
    work = tmp_path_factory.mktemp("coreos-iso")
    path = work / "fcos-live.x86_64.iso"
    info = build_iso(str(path), str(work), volid="fedora-coreos-38.20230718.dev.0", flavour="coreos")
    return path, info


@pytest.fixture
def nestos_iso(nestos_iso_master, tmp_path):
    src, info = nestos_iso_master
    dest = tmp_path / "live.iso"
    shutil.copyfile(str(src), str(dest))
    return dest, info


@pytest.fixture
def coreos_iso(coreos_iso_master, tmp_path):
    src, info = coreos_iso_master
    dest = tmp_path / "fcos.iso"
    shutil.copyfile(str(src), str(dest))
    return dest, info
