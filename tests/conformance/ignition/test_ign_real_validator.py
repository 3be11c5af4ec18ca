"""Our validator against the real one: Debian's ignition-validate 2.14.0 (/usr/bin/ignition-validate).

For every corpus config (hand-written cases in ign_corpus.py plus the upstream
coreos-installer .ign fixtures) both must agree on accept/reject, and, when the real
validator got as far as validating (no JSON/version error), on every entry that carries a
path: kind, JSON path, line, column and message.  Every config our serializer writes for a
valid case is accepted by the real validator too.
"""
import subprocess

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps
from tests.conformance.ignition.ign_corpus import CASES, NEWER
from tests.support.ignition_validate import IGNITION_VALIDATE, NO_PATH, real_validate


def our_entries(report):
    return set((e.kind, e.path_string, e.message,
                None if e.line is None else str(e.line), None if e.column is None else str(e.column))
               for e in report if e.path)


def test_real_validator_present():
    p = subprocess.run([IGNITION_VALIDATE, "-version"], capture_output=True, timeout=60, check=False)
    assert b"2.14.0" in p.stdout + p.stderr


def _compare(name, text, newer_checks):
    rc, theirs, out = real_validate(text)
    config, report = parse(text, newer_checks=newer_checks)
    assert (rc == 0) == (not report.is_fatal()), "%s: real rc=%d\n%s\nours:\n%s" % (name, rc, out, report.format())
    validated = "couldn't parse config" not in out and "json: " not in out and "error at line" not in out
    if validated:
        assert our_entries(report) == theirs, "%s\nreal:\n%s\nours:\n%s" % (name, out, report.format())
    unpositioned = [m.group(1) for m in map(NO_PATH.match, out.splitlines()) if m]
    if unpositioned:
        # JSON syntax and type errors: Go prints only the first, without a path
        assert report.errors and report.errors[0].message == unpositioned[0], "%s\nreal:\n%s\nours:\n%s" % (
            name, out, report.format())
    return rc, config


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_agrees(name):
    _compare(name, CASES[name], newer_checks=name not in NEWER)


def test_corpus_has_both_outcomes():
    outcomes = [real_validate(CASES[n])[0] == 0 for n in sorted(CASES)[::7]]
    assert any(outcomes) and not all(outcomes)


@pytest.mark.parametrize("name", sorted(NEWER))
def test_newer_rule_is_stricter(name):
    """With the newer rule we reject (naming the conflict); without it we agree with 2.14.0,
    whichever way the real validator decides."""
    rc, _entries, out = real_validate(CASES[name])
    _config, report = parse(CASES[name])
    assert any(e.message == "path conflicts with systemd unit or dropin" for e in report.errors), report.format()
    _config, old_rules = parse(CASES[name], newer_checks=False)
    assert (rc == 0) == (not old_rules.is_fatal()), "real rc=%d\n%s\nours:\n%s" % (rc, out, old_rules.format())


@pytest.mark.parametrize("fixture", ["live", "live-2", "dest", "dest-2"])
def test_upstream_fixtures_agree(upstream, fixture):
    text = (upstream / "coreos-installer" / "fixtures" / "customize" / (fixture + ".ign")).read_text(encoding="utf-8")
    rc, config = _compare(fixture, text, newer_checks=True)
    assert rc == 0 and config is not None


def _serializable(name):
    """Cases our parser accepts without unknown keys (dumps refuses unknown keys)."""
    config, report = parse(CASES[name], newer_checks=name not in NEWER)
    return config is not None and not report.is_fatal() and not any(
        e.message.startswith("Unused key") for e in report)


SERIALIZABLE = [n for n in sorted(CASES) if _serializable(n)]


def test_enough_serializable_cases():
    assert len(SERIALIZABLE) > 200


@pytest.mark.parametrize("name", SERIALIZABLE[::2])
def test_our_output_passes_real_validator(name):
    newer = name not in NEWER
    config, _report = parse(CASES[name], newer_checks=newer)
    for pretty in (False, True):
        text = dumps(config, pretty=pretty)
        rc, _entries, out = real_validate(text)
        assert rc == 0, out
        again, rep2 = parse(text, newer_checks=newer)
        assert not rep2.is_fatal()
        assert dumps(again) == dumps(config)
