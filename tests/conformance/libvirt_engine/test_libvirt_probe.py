"""The KVM boot probe under a real qemu (TCG)."""
import shutil

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import host

QEMU = shutil.which("qemu-system-x86_64")


@pytest.mark.skipif(QEMU is None, reason="qemu-system-x86 is in mk/libvirt.mk APT_PACKAGES")
def test_probe_reaches_long_mode_under_tcg():
    # The same probe that vets KVM must pass on a CPU that surely works (TCG), else it proves nothing.
    assert host.boot_probe(QEMU, accel="tcg") is True
