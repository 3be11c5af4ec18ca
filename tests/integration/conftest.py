"""Integration tests run against the lab that `make lab` builds and starts (registry on
127.0.0.1:5005, libvirtd, the execution environment image, media). Run by hand without it,
they fail; the header says what is missing and which command brings it up, before any test runs."""
import os
import socket


def _registry_up(address):
    host, _sep, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except (OSError, ValueError):
        return False


def lab_missing():
    """What of the Makefile-started lab is not there (empty when all is)."""
    missing = []
    registry = os.environ.get("EE_REGISTRY", "127.0.0.1:5005")
    if not _registry_up(registry):
        missing.append("the registry at %s" % registry)
    if not os.path.exists("/run/libvirt/libvirt-sock"):
        missing.append("libvirtd (/run/libvirt/libvirt-sock)")
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        missing.append("ANSIBLE_COLLECTIONS_PATH (the Makefile exports it)")
    return missing


def pytest_report_header(config):
    missing = lab_missing()
    if not missing:
        return "lab: registry, libvirtd and the collection path are there"
    return ("lab: NOT READY, missing %s. These tests need the lab `make lab` starts: run `make integration` "
            "(or `make lab` once, then pytest with the Makefile's environment)" % ", ".join(missing))
