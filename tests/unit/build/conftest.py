"""Fixtures for the build units: the lab assembler's entry point run directly on the host
(no container: the double is a POSIX sh script) and placeholder lab media."""
import pathlib
import stat

import pytest

DOUBLE = pathlib.Path(__file__).resolve().parents[2] / "lab" / "doubles" / "nestos-assembler"


@pytest.fixture
def media(tmp_path):
    """Placeholder media (unit tests only; integration tests use the real lab media)."""
    folder = tmp_path / "media"
    folder.mkdir()
    for name in ("disk.qcow2", "live.iso", "live-kernel", "live-initramfs.img", "live-rootfs.img"):
        (folder / name).write_bytes((name + "\n").encode() * 4096)
    return folder


@pytest.fixture
def nosa(tmp_path, media):
    """A nosa command that runs the double in the current directory (as the container would at /srv)."""
    script = tmp_path / "bin" / "nosa"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\nNOSA_SRV="$PWD" NOSA_LAB_MEDIA=%s exec sh %s "$@"\n' % (media, DOUBLE / "nosa.sh"))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.fixture
def config_src():
    return str(DOUBLE / "config")
