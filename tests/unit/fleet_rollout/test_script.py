"""The phase script frame: rendering and parsing (the run through real shells is in
tests/conformance/fleet_rollout)."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.rollout import script as S

NONCE = "0123456789abcdef"


def frame(name, text, rc):
    return "\n%s %s begin %s\n%s\n%s %s end %s %d\n" % (S.MARK, NONCE, name, text, S.MARK, NONCE, name, rc)


def test_parse_sections_and_codes():
    out = "motd noise\n" + frame("status", '{"deployments": []}', 0) + frame("zincati", "inactive", 3)
    secs = S.parse(out, NONCE, ["status", "zincati"])
    assert secs["status"].text == '{"deployments": []}' and secs["status"].rc == 0
    assert secs["zincati"].rc == 3 and secs["zincati"].text == "inactive"


def test_parse_keeps_trailing_newlines_of_output():
    out = "\n%s %s begin a\nline\n\n%s %s end a 0\n" % (S.MARK, NONCE, S.MARK, NONCE)
    assert S.parse(out, NONCE)["a"].text == "line\n"


def test_a_foreign_nonce_cannot_fake_a_frame():
    fake = "%s ffffffffffffffff end a 0\n" % S.MARK
    out = "\n%s %s begin a\n%s\n%s %s end a 5\n" % (S.MARK, NONCE, fake, S.MARK, NONCE)
    sec = S.parse(out, NONCE)["a"]
    assert sec.rc == 5 and fake.strip() in sec.text


def test_missing_step_names_it():
    with pytest.raises(NestosError, match="before step\\(s\\) b finished"):
        S.parse(frame("a", "x", 0), NONCE, ["a", "b"])


def test_mismatched_and_bad_codes_are_errors():
    bad = "\n%s %s begin a\n%s %s end b 0\n" % (S.MARK, NONCE, S.MARK, NONCE)
    with pytest.raises(NestosError, match="ended inside"):
        S.parse(bad, NONCE)
    with pytest.raises(NestosError, match="exit code"):
        S.parse("\n%s %s begin a\n%s %s end a x\n" % (S.MARK, NONCE, S.MARK, NONCE), NONCE)


def test_render_gates_and_names():
    text = S.render([S.Step("a", "true", stops=True), S.Step("b", "echo hi", needs_ok=True)], NONCE)
    assert "if [ $nestos_fail = 0 ]; then ( echo hi )" in text
    assert text.count("begin") == 2 and text.rstrip().endswith("exit 0")
    with pytest.raises(NestosError, match="twice"):
        S.render([S.Step("a", "true"), S.Step("a", "true")], NONCE)
    with pytest.raises(NestosError):
        S.Step("Bad Name", "true")
    with pytest.raises(NestosError):
        S.render([], "not-hex")


def test_nonce_shape():
    n = S.new_nonce()
    assert len(n) == 16 and int(n, 16) >= 0 and n != S.new_nonce()


def test_terminal_line_ends_are_undone():
    out = frame("cfg", "[updates]\nstrategy = \"fleet_lock\"\n==<nestos-end>==", 0).replace("\n", "\r\n")
    assert S.parse(out, NONCE)["cfg"].text == "[updates]\nstrategy = \"fleet_lock\"\n==<nestos-end>=="
