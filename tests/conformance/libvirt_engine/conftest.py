"""Fixtures for the libvirt engine conformance tests: libvirt's in-process test driver and a real qcow2 base."""
import os
import subprocess

import pytest

libvirt = pytest.importorskip("libvirt", reason="libvirt-python is in requirements-dev.txt; `make venv` installs it")


@pytest.fixture()
def conn():
    """A private test:///default connection (state lives in this process)."""
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    handle = libvirt.open("test:///default")
    yield handle
    handle.close()


@pytest.fixture()
def base(tmp_path):
    """A real 64 MiB qcow2 base image, made by qemu-img, with a few bytes of content."""
    path = tmp_path / "base.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "64M"], check=True)
    return str(path)


@pytest.fixture()
def workdir(tmp_path):
    path = tmp_path / "images"
    path.mkdir()
    os.chmod(str(path), 0o755)
    return path
