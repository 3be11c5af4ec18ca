"""Hostile input and faults (issue 11): every one gives a ButaneError/NestosError naming
what to fix, never a traceback, a hang or a crash."""
import os
import threading

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.api import resolve_ignition
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition import limits
from ansible_collections.nestos.lifecycle.plugins.module_utils.ignition.parse import parse

HEAD = "variant: fcos\nversion: 1.4.0\n"


def local_cfg(local):
    return HEAD + "storage:\n  files:\n    - path: /etc/x\n      contents:\n        local: %s\n" % local


def test_depth_beyond_yaml_v3_limit_is_an_error_not_a_crash():
    # 50,000 levels killed the process (SIGSEGV in the YAML reader); yaml.v3 stops at 10,000
    text = HEAD + "x: " + "[" * 50000 + "]" * 50000 + "\n"
    with pytest.raises(ButaneError) as err:
        translate(text)
    assert "exceeded max depth of" in str(err.value)


def test_depth_through_the_resolver_too():
    with pytest.raises(NestosError):
        resolve_ignition(butane=HEAD + "x: " + "{a: " * 20000 + "}" * 20000 + "\n")


def test_alias_expansion_is_capped():
    # the reproducer: 2,000 aliases of a 100 KB string in a ~190 KB input made 202 MB of output
    text = HEAD + "s: &s " + "x" * 100000 + "\nkernel_arguments:\n  should_exist: [" + \
        ", ".join(["*s"] * 2000) + "]\n"
    with pytest.raises(ButaneError) as err:
        translate(text)
    assert "expands through aliases to more than %d bytes" % limits.MAX_EXPANDED_BYTES in str(err.value)


def test_alias_bomb_of_nodes_is_capped():
    lines = [HEAD, "a: &a [x, x, x, x, x, x, x, x, x, x]\n"]
    prev = "a"
    for level in "bcdefg":
        lines.append("%s: &%s [%s]\n" % (level, level, ", ".join(["*" + prev] * 10)))
        prev = level
    lines.append("passwd:\n  users:\n    - name: a\n      groups: *%s\n" % prev)
    with pytest.raises(ButaneError) as err:
        translate("".join(lines))
    assert "excessive aliasing" in str(err.value) or "unmarshal errors" in str(err.value)


@pytest.mark.parametrize("where", ["local", "tree", "merge"])
def test_nul_in_local_paths(tmp_path, where):
    cfg = {"local": local_cfg("\"a\\0b\""),
           "tree": HEAD + "storage:\n  trees:\n    - local: \"t\\0x\"\n",
           "merge": HEAD + "ignition:\n  config:\n    merge:\n      - local: \"c\\0.ign\"\n"}[where]
    with pytest.raises(ButaneError) as err:
        translate(cfg, files_dir=str(tmp_path))
    assert "NUL" in str(err.value)


def test_fifo_under_files_dir_does_not_hang(tmp_path):
    os.mkfifo(str(tmp_path / "pipe"))
    result = {}

    def run():
        try:
            translate(local_cfg("pipe"), files_dir=str(tmp_path))
        except ButaneError as exc:
            result["err"] = str(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the translator blocked on a FIFO"
    assert "not a regular file" in result["err"]


def test_fifo_in_a_tree_is_refused(tmp_path):
    (tmp_path / "t").mkdir()
    os.mkfifo(str(tmp_path / "t" / "pipe"))
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  trees:\n    - local: t\n", files_dir=str(tmp_path))
    assert "trees may only contain files, directories, and symlinks" in str(err.value)


def test_symlink_escaping_files_dir_is_refused(tmp_path):
    (tmp_path / "outside").write_text("secret")
    files = tmp_path / "files"
    files.mkdir()
    os.symlink(str(tmp_path / "outside"), str(files / "link"))
    os.symlink(str(tmp_path), str(files / "up"))
    for local in ("link", "up/outside"):
        with pytest.raises(ButaneError) as err:
            translate(local_cfg(local), files_dir=str(files))
        assert "traverses outside the files directory" in str(err.value)
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  trees:\n    - local: up\n", files_dir=str(files))
    assert "traverses outside" in str(err.value)


def test_symlink_inside_files_dir_is_fine(tmp_path):
    (tmp_path / "real").write_text("hi")
    os.symlink("real", str(tmp_path / "alias"))
    assert translate(local_cfg("alias"), files_dir=str(tmp_path)).config["storage"]["files"][0]["contents"]


def test_local_bytes_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LOCAL_BYTES", 10)
    (tmp_path / "big").write_bytes(b"x" * 11)
    with pytest.raises(ButaneError) as err:
        translate(local_cfg("big"), files_dir=str(tmp_path))
    assert "more than the limit of 10 bytes" in str(err.value)


def test_input_size_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 100)
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "#" * 200 + "\n")
    assert "limit of 100 bytes" in str(err.value)


def test_huge_integers():
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "passwd:\n  users:\n    - name: a\n      uid: %s\n" % ("1" * 5000))
    assert "cannot unmarshal !!str `1111111...` into int" in str(err.value)
    config, report = parse('{"ignition":{"version":"3.3.0"},"x":%s}' % ("9" * 5000))
    assert config is not None and "Unused key x" in report.format()
    config, report = parse('{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"a","uid":%s}]}}'
                           % ("9" * 5000))
    assert report.is_fatal() and "cannot unmarshal number 9999" in report.format()


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb"])
def test_lone_surrogates(value):
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "passwd:\n  users:\n    - name: %s\n" % value)
    assert "surrogate" in str(err.value)
    with pytest.raises(ButaneError):
        translate({"variant": "fcos", "version": "1.4.0", "passwd": {"users": [{"name": value}]}})
    with pytest.raises(NestosError) as err:
        resolve_ignition(ignition_content='{"ignition":{"version":"3.3.0"},"x":"%s"}' % value)
    assert "surrogate" in str(err.value)
    with pytest.raises(NestosError):
        resolve_ignition(ignition_content={"ignition": {"version": "3.3.0"}, "passwd": {"users": [{"name": value}]}})


def _self_ref():
    d = {"variant": "fcos", "version": "1.4.0"}
    d["storage"] = d
    return d


@pytest.mark.parametrize("make", [
    lambda: {"variant": "fcos", "version": "1.4.0", "storage": {"files": {"/a"}}},
    lambda: {"variant": "fcos", "version": "1.4.0", "x": 1j},
    lambda: {"variant": "fcos", "version": "1.4.0", ("a", "b"): 1},
    _self_ref,
    lambda: {"variant": "fcos", "version": "1.4.0", "x": 10 ** 5000},
], ids=["set", "complex", "tuple-key", "self-reference", "huge-int"])
def test_python_api_values(make):
    with pytest.raises(ButaneError) as err:
        translate(make())
    assert err.value.path
    with pytest.raises(NestosError):
        resolve_ignition(ignition_content=dict(make(), ignition={"version": "3.3.0"}))
