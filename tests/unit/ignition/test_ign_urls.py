"""urls.parse: Go's url.Parse check for control characters (before the fragment only).

The check skips its character loop when ``str.isprintable()`` says there is nothing unusual;
the reference here is the rule itself, written char by char."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import urls


def _has_control_before_fragment(raw):
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw.partition("#")[0])


@pytest.mark.parametrize("raw", ["data:,a\x00b", "http://h/p\x7f", "\x1fhttp://h/", "https://h/a\tb", "data:,\n"])
def test_control_character_before_the_fragment_is_refused(raw):
    with pytest.raises(urls.URLError) as ei:
        urls.parse(raw)
    assert str(ei.value) == "invalid control character in URL"


@pytest.mark.parametrize("raw", ["https://h/p#frag\x01", "data:,caf\u00e9\u00a0x", "http://h/\u200b", "data:,%0A"])
def test_no_control_character_before_the_fragment_passes_that_check(raw):
    urls.parse(raw)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ah:/#%\x00\x1f\x7f\t\u00a0\u200b\u2028\ud800 .", max_size=16))
def test_control_check_against_the_rule(raw):
    try:
        urls.parse(raw)
        refused = None
    except urls.URLError as exc:
        refused = str(exc)
    assert (refused == "invalid control character in URL") == _has_control_before_fragment(raw)
