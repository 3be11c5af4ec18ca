"""Report entries print exactly like vcontext's report.Entry.String (butane/ignition-validate)."""
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.report import Entry, Report


def test_full_form():
    assert Entry("error", ("storage", "files", 0, "mode"), "illegal file mode", 7, 13).format() == \
        "error at $.storage.files.0.mode, line 7 col 13: illegal file mode"


def test_no_position():
    assert Entry("warning", ("systemd", "units", 1), "m").format() == "warning at $.systemd.units.1: m"


def test_no_path_with_position():
    # ignition-validate prints JSON syntax errors this way
    assert Entry("error", (), "unexpected end of JSON input", 0, 0).format() == \
        "error at line 0 col 0: unexpected end of JSON input"


def test_neither():
    assert Entry("info", (), "hello").format() == "info: hello"


def test_bad_kind():
    import pytest
    with pytest.raises(ValueError):
        Entry("fatal", (), "x")


def test_report_collection():
    r = Report()
    assert not r.is_fatal() and not r.is_fatal(strict=True)
    r.warning(("a",), "w")
    assert not r.is_fatal()
    assert r.is_fatal(strict=True)
    other = Report([Entry("error", ("b", 2), "e", 3, 4)])
    r.extend(other)
    assert r.is_fatal()
    assert len(r.errors) == 1 and len(r.warnings) == 1
    assert r.format() == "warning at $.a: w\nerror at $.b.2, line 3 col 4: e\n"
    assert r.to_list()[1] == {"kind": "error", "path": "$.b.2", "message": "e", "line": 3, "column": 4}
