"""jsonpos.loads: what the fast read (C json) hands to the positioned parser, and lazy positions."""
import math

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import jsonpos


def test_positions_are_found_on_first_lookup():
    _v, pos = jsonpos.loads('{"a": [ {"b": 1} ]}')
    assert pos._values is None                      # fast read: nothing located yet
    assert pos.lookup(("a", 0, "b")) == (1, 15)
    assert pos.values[("a",)] == 7


def test_key_written_twice_goes_to_the_positioned_parser():
    v, pos = jsonpos.loads('{"a": 1, "b": {"c": 2}, "a": [3]}')
    assert pos.has_duplicates is True
    assert isinstance(v["a"], jsonpos.DupValues) and list(v["a"]) == [1, [3]]
    assert pos.lookup(("a",)) == (1, 31)            # after the last occurrence's "[", as Ignition's tree


@pytest.mark.parametrize("text, message, offset", [
    ('{"a": NaN}', "invalid character 'N' looking for beginning of value", 6),
    ('[Infinity]', "invalid character 'I' looking for beginning of value", 1),
    ('[-Infinity]', "invalid character 'I' in numeric literal", 2),
    ("[" * 402 + "]" * 402, "exceeded max depth", 401),
    ('{"a": 1} {}', "invalid character '{' after top-level value", 9),
    ('[01]', "invalid character '1' after array element", 2),
])
def test_what_c_json_reads_differently_fails_as_go(text, message, offset):
    with pytest.raises(jsonpos.JSONSyntaxError) as info:
        jsonpos.loads(text)
    assert (info.value.message, info.value.offset) == (message, offset)


def test_depth_limit_is_exact():
    v, _pos = jsonpos.loads("[" * 401 + "]" * 401)  # the innermost (empty) array is at depth 400
    depth = 0
    while v:
        v = v[0]
        depth += 1
    assert depth == 400


def test_integer_beyond_python_digits_limit_reads_as_out_of_range_number():
    v, _pos = jsonpos.loads("[" + "9" * 5000 + "]")
    assert isinstance(v[0], float) and math.isinf(v[0])
