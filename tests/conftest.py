"""Test-wide set-up: make the collection importable as ansible_collections.nestos.lifecycle
and expose the shared upstream fixtures and the lab cache."""
import os
import pathlib
import sys

import pytest

TOP = pathlib.Path(__file__).resolve().parents[1]
COLLROOT = TOP / ".build" / "collections"
_link = COLLROOT / "ansible_collections" / "nestos" / "lifecycle"
if not _link.exists():
    _link.parent.mkdir(parents=True, exist_ok=True)
    _link.symlink_to(TOP)
if str(COLLROOT) not in sys.path:
    sys.path.insert(0, str(COLLROOT))
if str(TOP) not in sys.path:
    sys.path.insert(0, str(TOP))

SHARED = pathlib.Path(os.environ.get("NESTOS_SHARED", TOP.parent / "shared")).resolve()
FIXTURES = SHARED / "fixtures" / "upstream"
LAB_CACHE = pathlib.Path(os.environ.get("NESTOS_LAB_CACHE", TOP / ".cache" / "lab")).resolve()


@pytest.fixture(scope="session")
def upstream():
    """Path to ../shared/fixtures/upstream (real upstream test inputs)."""
    if not FIXTURES.is_dir():
        raise RuntimeError("upstream fixtures not found at %s (set NESTOS_SHARED)" % FIXTURES)
    return FIXTURES


@pytest.fixture(scope="session")
def lab_cache():
    return LAB_CACHE


@pytest.fixture(autouse=True)
def _blocking_std_streams():
    """Ansible refuses to start when stdin/stdout/stderr are non-blocking, and a child such as
    ssh that inherits them may leave them so (the flag lives on the shared open file). Put
    them back before every test, so that one test's child cannot break the next test."""
    for fd in (0, 1, 2):
        try:
            if not os.get_blocking(fd):
                os.set_blocking(fd, True)
        except OSError:
            pass  # closed or not a file descriptor that has the flag: nothing to restore
    yield
