"""serialize.dumps writes what Go's encoder writes for Ignition's structs."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.serialize import dumps, encode_string


def cfg(version="3.3.0", **kw):
    d = {"ignition": {"version": version}}
    d.update(kw)
    return d


def test_minimal_compact_and_newline():
    assert dumps(cfg()) == '{"ignition":{"version":"3.3.0"}}\n'
    assert dumps(cfg(), newline=False) == '{"ignition":{"version":"3.3.0"}}'


def test_minimal_pretty():
    assert dumps(cfg(), pretty=True) == '{\n  "ignition": {\n    "version": "3.3.0"\n  }\n}\n'


def test_key_order_follows_go_structs():
    c = {"systemd": {"units": [{"name": "a.service", "enabled": True, "contents": "x"}]},
         "storage": {"files": [{"mode": 420, "path": "/f", "contents": {"source": "data:,a"}, "overwrite": True}]},
         "passwd": {"users": [{"sshAuthorizedKeys": ["k"], "name": "core"}]},
         "kernelArguments": {"shouldNotExist": ["b"], "shouldExist": ["a"]},
         "ignition": {"version": "3.3.0"}}
    assert dumps(c) == (
        '{"ignition":{"version":"3.3.0"},'
        '"kernelArguments":{"shouldExist":["a"],"shouldNotExist":["b"]},'
        '"passwd":{"users":[{"name":"core","sshAuthorizedKeys":["k"]}]},'
        '"storage":{"files":[{"overwrite":true,"path":"/f","contents":{"source":"data:,a"},"mode":420}]},'
        '"systemd":{"units":[{"contents":"x","enabled":true,"name":"a.service"}]}}\n')


def test_omitempty_rules():
    c = cfg(storage={"files": [], "disks": [{"device": "/dev/sda", "partitions": [{"number": 0, "label": "x"}]}]},
            passwd={}, systemd={"units": [{"name": "u.service", "enabled": False, "mask": None}]})
    c["storage"]["files"] = []
    out = json.loads(dumps(c))
    assert "passwd" not in out
    assert out["storage"] == {"disks": [{"device": "/dev/sda", "partitions": [{"label": "x"}]}]}
    assert out["systemd"]["units"][0] == {"enabled": False, "name": "u.service"}


def test_explicit_empty_compression_kept_and_empty_structs_dropped():
    c = cfg(storage={"files": [{"path": "/a", "contents": {"compression": "", "source": "data:,x",
                                                           "verification": {}, "httpHeaders": []},
                                "user": {}, "group": {"name": None}}]})
    assert dumps(c) == ('{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/a",'
                        '"contents":{"compression":"","source":"data:,x"}}]}}\n')


def test_required_strings_always_written():
    # Go writes "path" (no omitempty) even when empty; a missing one too
    assert '"path":""' in dumps(cfg(storage={"directories": [{"mode": 493}]}))


def test_go_string_escaping():
    assert encode_string(u"<a>&\b\f\x01\x7f\u2028\u2029é\t\n\r\"\\") == \
        u'"\\u003ca\\u003e\\u0026\\u0008\\u000c\\u0001\x7f\\u2028\\u2029é\\t\\n\\r\\"\\\\"'
    assert encode_string(u"\ud800") == u'"\ufffd"'


def test_version_specific_fields():
    # 3.0 config references write "source" even when null (pointer without omitempty)
    out = dumps(cfg("3.0.0", ignition={"version": "3.0.0", "config": {"merge": [{"verification": {"hash": "sha512-x"}}]}}))
    assert out == '{"ignition":{"config":{"merge":[{"source":null,"verification":{"hash":"sha512-x"}}]},"version":"3.0.0"}}\n'
    # 3.2 links: target is a plain string, written even when empty
    assert '"target":""' in dumps(cfg("3.2.0", storage={"links": [{"path": "/l"}]}))
    assert '"target"' not in dumps(cfg("3.3.0", storage={"links": [{"path": "/l"}]}))


@pytest.mark.parametrize("bad, where", [
    (cfg(foo=1), "$.foo"),
    (cfg("3.2.0", kernelArguments={"shouldExist": ["a"]}), "$.kernelArguments"),
    (cfg(storage={"files": [{"path": "/a", "mode": "0644"}]}), "$.storage.files.0.mode"),
    (cfg(storage={"files": [{"path": "/a", "overwrite": 1}]}), "$.storage.files.0.overwrite"),
    (cfg(systemd={"units": [{"name": "x", "enabled": True, "bogus": 1}]}), "$.systemd.units.0.bogus"),
    (cfg("3.4.0"), "$.ignition.version"),
])
def test_unknown_keys_and_wrong_types_raise(bad, where):
    with pytest.raises(NestosError) as ei:
        dumps(bad)
    assert ei.value.path == where


# encode_string escapes the common characters with str.replace and keeps a regular expression for
# the rest (so the Butane CLI starts without the re module). It must write what Go writes for any
# string: the reference below is written from Go's encoding/json rules (HTML-safe), char by char.
def _go_reference(s):
    out = []
    for c in s:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif o < 0x20 or c in "<>&" or o in (0x2028, 0x2029):
            out.append("\\u%04x" % o)
        elif 0xD800 <= o <= 0xDFFF:     # a lone surrogate (invalid UTF-8 kept by surrogateescape)
            out.append("\ufffd")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def test_encode_string_against_gos_rules_on_chosen_strings():
    for s in ["", "plain", 'q"uote\\', "a\nb\r\tc", "<a href='x'>&amp;</a>", "\x00\x01\x1f\x7f", "\u2028\u2029",
              "caf\u00e9 \u00a0nbsp \u200bzw", "bad \udcff byte", "\ud83d\ude00 emoji", "mix \x08\x0c<\n\udc80"]:
        assert encode_string(s) == _go_reference(s), repr(s)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60) |
       st.text(alphabet='ab"\\\n\r\t<>&\x00\x1f\x7f\u00a0\u2028\u2029\ud800\udfff\u200b', max_size=30))
def test_encode_string_against_gos_rules(s):
    assert encode_string(s) == _go_reference(s)
