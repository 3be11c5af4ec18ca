import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.kargs import edit_kargs


@pytest.mark.parametrize("delete,expected", [
    (["foo"], "bar foobar"), (["bar"], "foo foobar"), (["foobar"], "foo bar"),
    (["foo bar"], "foobar"), (["bar", "foo"], "foobar"),
])
def test_delete_cases_from_upstream(delete, expected):
    assert edit_kargs("foo bar foobar", delete=delete) == expected


def test_delete_trims_argument():
    assert edit_kargs("foo=val bar baz=val", delete=["   foo=val"]) == "bar baz=val"
    assert edit_kargs("foo=val bar baz=val", delete=["baz=val  "]) == "foo=val bar"


def test_fixed_order_delete_append_if_missing():
    cur = "foo mitigations=auto,nosmt console=tty0 bar console=ttyS0,115200n8 baz"
    out = edit_kargs(cur, delete=["mitigations=auto,nosmt", "console=ttyS0,115200n8"],
                     append=["console=ttyS1,115200n8  "],
                     append_if_missing=["bar", "console=ttyS1,115200n8", "boo"])
    assert out == "foo console=tty0 bar baz console=ttyS1,115200n8 boo"


def test_replace_and_order_independence():
    cur = "foo mitigations=auto,nosmt console=tty0 bar console=ttyS0,115200n8 baz"
    out = edit_kargs(cur, append=["console=ttyS1,115200n8"], replace=["mitigations=auto,nosmt=auto"],
                     delete=["console=ttyS0,115200n8"])
    assert out == "foo mitigations=auto console=tty0 bar baz console=ttyS1,115200n8"


def test_replace_absent_is_noop_and_bad_format_errors():
    assert edit_kargs("a=1 b", replace=["c=1=2"]) == "a=1 b"
    with pytest.raises(NestosError, match="KEY=OLD=NEW"):
        edit_kargs("a", replace=["a=b"])


def test_delete_if_present_and_adjacent_duplicates():
    assert edit_kargs("x y", delete_if_present=["z"]) == "x y"
    # non-overlapping replace: two adjacent copies lose only one per pass
    assert edit_kargs("a a a", delete=["a"]) == "a"
