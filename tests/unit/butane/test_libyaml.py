"""PyYAML's parser loaded alone for the Butane CLI (plugins/module_utils/butane/libyaml.py).

Every case runs in a fresh interpreter: the light load only happens before anything imported
PyYAML, and it lasts for the rest of the process. The corpus-wide check (light load against the
whole PyYAML, byte for byte, 280 cases) is in tests/conformance/butane/test_butane_differential.py.
"""
import json
import os
import pathlib
import subprocess
import sys

from tests.support.light_yaml import TREE

TOP = pathlib.Path(__file__).resolve().parents[3]
COLLROOT = TOP / ".build" / "collections"
LIBYAML = "ansible_collections.nestos.lifecycle.plugins.module_utils.butane.libyaml"
YAMLIN = "ansible_collections.nestos.lifecycle.plugins.module_utils.butane.yamlin"

PRELUDE = """
import sys
sys.path.insert(0, %r)
from %s import libyaml
from %s import yamlin
""" % (str(COLLROOT), LIBYAML.rsplit(".", 1)[0], YAMLIN.rsplit(".", 1)[0])

DOC = b"a: [1, 'x', {b: !!binary aGk=}]\n? [k]\n: &anchor v\nc: *anchor\nd: |\n  text\n"


def run(body, as_json=True):
    """JSON printed by ``body`` (after PRELUDE) in a fresh interpreter; with ``as_json`` False,
    its lines (``json`` imports ``re``: a test about ``re`` cannot use it)."""
    # without PYTHONWARNINGS (the Makefile sets one): filters from the environment import re at start-up
    env = dict((k, v) for k, v in os.environ.items() if k != "PYTHONWARNINGS")
    code = PRELUDE + ("import json\n" if as_json else "") + body
    proc = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return json.loads(proc.stdout) if as_json else proc.stdout.decode().splitlines()


INPUTS = [DOC, b"", b"# only a comment\n", b"a: [\n", b"a: b: c\n", b"\x00", b"\xff\xfe", b"a:\n\t- x\n",
          b"x: " + b"[" * 10001 + b"]" * 10001 + b"\n", b"- *nope\n", b"a: 'unterminated\n", b"--- a\n--- b\n"]


def outcomes(light):
    body = TREE + ("libyaml.light_load()\n" if light else "") + \
        "print(json.dumps({'out': [outcome(bytes.fromhex(h)) for h in %r], 'loaded': libyaml.how_loaded()}))" \
        % [d.hex() for d in INPUTS]
    return run(body)


def test_light_and_whole_pyyaml_build_the_same_trees_and_errors():
    light, whole = outcomes(True), outcomes(False)
    assert light["loaded"] == "light" and whole["loaded"] == "full"
    assert light["out"] == whole["out"]
    kinds = [o[0] for o in light["out"]]
    assert kinds.count("error") >= 6 and kinds.count("tree") >= 3     # both kinds are compared
    assert light["out"][1] == ["tree", None]


def test_light_load_needs_no_regular_expressions():
    out = run("""
libyaml.light_load()
yamlin.compose(b"a: [1, 2]\\n")
print(libyaml.how_loaded())
print(" ".join(sorted(m for m in sys.modules if m in ("re", "enum", "datetime") or m.startswith("yaml"))))
""", as_json=False)
    assert out[0] == "light"
    assert out[1].split() == ["yaml", "yaml._yaml", "yaml.composer", "yaml.constructor", "yaml.emitter",
                              "yaml.error", "yaml.events", "yaml.nodes", "yaml.parser", "yaml.reader",
                              "yaml.representer", "yaml.scanner", "yaml.serializer", "yaml.tokens"]


def test_pyyaml_after_a_light_load_says_so_instead_of_half_working():
    out = run("""
libyaml.light_load()
yamlin.compose(b"a: 1\\n")
import yaml
try:
    yaml.safe_load("a: 1")
    said = None
except AttributeError as exc:
    said = str(exc)
try:
    libyaml.full()
    full = None
except libyaml.Unavailable as exc:
    full = str(exc)
print(json.dumps({"said": said, "full": full}))
""")
    assert "PyYAML is loaded lightly in this process" in out["said"] and "yaml.safe_load" in out["said"]
    assert "loaded lightly" in out["full"]


def test_no_light_load_once_pyyaml_is_imported():
    out = run("""
import yaml
libyaml.light_load()
yamlin.compose(b"a: 1\\n")
print(json.dumps({"how": libyaml.how_loaded(), "dump": yaml.safe_dump({"a": 1})}))
""")
    assert out == {"how": "full", "dump": "a: 1\n"}


def test_an_unexpected_pyyaml_layout_falls_back_to_the_normal_import_and_leaves_nothing_behind():
    # the extension asks for an error class the light load does not provide: it must fail,
    # forget its placeholders, and import PyYAML as usual
    out = run("""
libyaml._EXT_ERRORS = libyaml._EXT_ERRORS[1:]
libyaml.light_load()
node = yamlin.compose(b"a: [1]\\n")
import yaml
print(json.dumps({"how": libyaml.how_loaded(), "value": node.value[0][0].value,
                  "load": yaml.safe_load("a: [1]"), "reader": yaml.reader.Reader.__name__}))
""")
    assert out == {"how": "full", "value": "a", "load": {"a": [1]}, "reader": "Reader"}


def test_without_libyaml_the_normal_import_is_used(tmp_path):
    # a PyYAML without its C extension (pure-Python install): no light load is tried
    fake = tmp_path / "yaml"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('fake PyYAML without libyaml')\n")
    out = run("""
sys.path.insert(0, %r)
libyaml.light_load()
print(json.dumps({"has": yamlin.has_yaml(), "how": libyaml.how_loaded()}))
""" % str(tmp_path))
    assert out == {"has": False, "how": None}
