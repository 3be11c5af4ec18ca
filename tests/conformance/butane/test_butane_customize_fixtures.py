"""Butane -> Ignition against the only upstream byte pairs: coreos-installer's
fixtures/customize/*.bu -> *.ign (made with upstream `butane -p`, fcos 1.4.0)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from tests.support.ignition_validate import assert_real_valid

NAMES = ["live", "live-2", "dest", "dest-2"]


@pytest.mark.parametrize("name", NAMES)
def test_pretty_bytes_match_upstream(upstream, name):
    d = upstream / "coreos-installer" / "fixtures" / "customize"
    expected = (d / ("%s.ign" % name)).read_text()
    result = translate((d / ("%s.bu" % name)).read_text(), pretty=True, source="%s.bu" % name)
    assert result.output() == expected
    assert result.warnings == []
    assert_real_valid(result.output())


@pytest.mark.parametrize("name", NAMES)
def test_compact_is_the_same_document(upstream, name):
    d = upstream / "coreos-installer" / "fixtures" / "customize"
    expected = json.loads((d / ("%s.ign" % name)).read_text())
    result = translate((d / ("%s.bu" % name)).read_text())
    assert json.loads(result.json) == expected
    # Go's compact form of the same document (the fixtures hold no characters Go escapes
    # differently from Python, and json keeps the fixture's key order)
    assert result.json == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("name", NAMES)
def test_nestos_variant_gives_the_same_bytes(upstream, name):
    d = upstream / "coreos-installer" / "fixtures" / "customize"
    text = (d / ("%s.bu" % name)).read_text().replace("variant: fcos\nversion: 1.4.0", "variant: nestos\nversion: 1.0.0")
    assert "variant: nestos" in text
    assert translate(text, pretty=True).output() == (d / ("%s.ign" % name)).read_text()
