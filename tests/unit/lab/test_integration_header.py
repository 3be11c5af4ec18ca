"""The integration suite's header names the lab pieces that are missing (tests/integration/conftest.py)."""
import importlib.util
import pathlib
import socket

HERE = pathlib.Path(__file__).resolve().parents[2] / "integration" / "conftest.py"
SPEC = importlib.util.spec_from_file_location("integration_conftest", str(HERE))
CONFTEST = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(CONFTEST)


def test_a_closed_registry_port_and_no_collection_path_are_named(monkeypatch):
    with socket.socket() as probe:      # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        monkeypatch.setenv("EE_REGISTRY", "127.0.0.1:%d" % port)
        monkeypatch.delenv("ANSIBLE_COLLECTIONS_PATH", raising=False)
        header = CONFTEST.pytest_report_header(None)
    assert header.startswith("lab: NOT READY")
    assert "the registry at 127.0.0.1:%d" % port in header and "ANSIBLE_COLLECTIONS_PATH" in header
    assert "make integration" in header


def test_a_listening_registry_is_not_named(monkeypatch):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        monkeypatch.setenv("EE_REGISTRY", "127.0.0.1:%d" % server.getsockname()[1])
        monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", "/somewhere")
        missing = CONFTEST.lab_missing()
    assert not any("registry" in m for m in missing) and not any("COLLECTIONS" in m for m in missing)
