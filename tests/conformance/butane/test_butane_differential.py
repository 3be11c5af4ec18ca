"""Our Butane against upstream Butane v0.19.0 on the differential corpus.

``differential/cases/*.bu`` are inputs written for this comparison; ``differential/expected.json``
holds what upstream printed for each (stdout, stderr, exit code; plain and ``--strict``),
recorded with ``differential/record.py`` (docs/butane.md, "Differential corpus"). The oracle
never runs here: only the recorded expectations. Every case must agree byte for byte, except
the few in :data:`KNOWN` whose difference is a documented choice.
"""
import contextlib
import importlib.util
import io
import json
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent / "differential"
TOP = HERE.parents[3]
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8", errors="surrogateescape"))
CASES = sorted(name for name in EXPECTED if not name.startswith("_"))

# Differences we keep on purpose (docs/butane.md, "Where we differ").
KNOWN = {
    "gen_15": "fcos 1.5.0 (Ignition 3.4.0) is not supported: NestOS's Ignition takes specs up to 3.3.0",
    "gen_replace_inline_bad": "the warning for a merge/replace config of unknown version comes from Butane >= 0.20",
    "label_root_small": "the root-partition size warning comes from Butane >= 0.20 (kept: it saves a failed boot)",
    "alias_struct": "an alias standing for a whole struct: upstream's context tree cannot follow it and warns",
    "alias_struct_dup": "an alias standing for a whole struct: upstream's context tree cannot follow it and warns",
}


def _cli():
    spec = importlib.util.spec_from_file_location("nestos_butane_cli", str(TOP / "tools" / "nestos_butane.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CLI = _cli()


def _record():
    spec = importlib.util.spec_from_file_location("butane_differential_record", str(HERE / "record.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORD = _record()


def _case_path(name):
    plain = HERE / "cases" / (name + ".bu")
    return plain if plain.exists() else HERE / "cases" / (name + ".bu.b64")


class _Stdin(object):
    def __init__(self, data):
        self.buffer = io.BytesIO(data)


class _Out(io.StringIO):
    def __init__(self):
        super(_Out, self).__init__()
        self.buffer = io.BytesIO()


def ours(data, strict, monkeypatch):
    """(rc, stdout, stderr) of tools/nestos_butane.py run in-process on ``data``."""
    monkeypatch.chdir(str(HERE))
    out, err = _Out(), _Out()
    monkeypatch.setattr("sys.stdin", _Stdin(data))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = CLI.main(["-d", "files"] + (["--strict"] if strict else []))
    return rc, out.buffer.getvalue().decode("utf-8", "surrogateescape") + out.getvalue(), err.getvalue()


def test_corpus_size():
    assert len(CASES) >= 280
    assert EXPECTED["_oracle"] == "Butane v0.19.0"


@pytest.mark.parametrize("strict", [False, True], ids=["plain", "strict"])
@pytest.mark.parametrize("name", CASES)
def test_agrees_with_upstream(name, strict, monkeypatch):
    want = EXPECTED[name]["strict" if strict else "plain"]
    data = RECORD.case_input(_case_path(name))[1]
    rc, stdout, stderr = ours(data, strict, monkeypatch)
    if name in KNOWN:
        # a documented difference must still be one (else drop it from KNOWN)
        assert (rc, stdout, sorted(stderr.splitlines())) != (want["rc"], want["stdout"],
                                                             sorted(want["stderr"].splitlines())), KNOWN[name]
        return
    # Upstream lists the unused keys of one map in Go's random map order: compare the lines
    # as a multiset, and the final (error) line exactly.
    assert (rc, sorted(stderr.splitlines())) == (want["rc"], sorted(want["stderr"].splitlines()))
    assert stderr.splitlines()[-1:] == want["stderr"].splitlines()[-1:] or not want["stderr"]
    assert stdout == want["stdout"]


# The same corpus through the CLI's own start-up: a fresh interpreter where PyYAML's parser is
# loaded alone (plugins/module_utils/butane/libyaml.py, "light load"). One process runs every
# case (as ours() does in-process) and reports how PyYAML was loaded.
_LIGHT_RUNNER = r"""
import base64, contextlib, io, json, os, sys
sys.path.insert(0, sys.argv[1])
import nestos_butane
cases = json.load(sys.stdin)
class Out(io.StringIO):
    def __init__(self):
        io.StringIO.__init__(self)
        self.buffer = io.BytesIO()
class In(object):
    def __init__(self, data):
        self.buffer = io.BytesIO(data)
results = {}
os.chdir(sys.argv[2])
for key, data in sorted(cases.items()):
    out, err = Out(), Out()
    sys.stdin = In(base64.b64decode(data))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = nestos_butane.main(["-d", "files"] + (["--strict"] if key.endswith("/strict") else []),
                                own_process=True)
    results[key] = [rc, out.buffer.getvalue().decode("utf-8", "surrogateescape") + out.getvalue(), err.getvalue()]
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import libyaml
sys.__stdout__.write(json.dumps({"how": libyaml.how_loaded(), "results": results}))
"""


@pytest.fixture(scope="module")
def light_results():
    import base64
    import subprocess
    import sys

    cases = {}
    for name in CASES:
        data = base64.b64encode(RECORD.case_input(_case_path(name))[1]).decode("ascii")
        cases[name + "/plain"] = cases[name + "/strict"] = data
    proc = subprocess.run([sys.executable, "-c", _LIGHT_RUNNER, str(TOP / "tools"), str(HERE)],
                          input=json.dumps(cases).encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return json.loads(proc.stdout.decode("utf-8", "surrogateescape"))


def test_light_load_was_used(light_results):
    assert light_results["how"] == "light"


@pytest.mark.parametrize("strict", [False, True], ids=["plain", "strict"])
@pytest.mark.parametrize("name", CASES)
def test_light_load_agrees_with_in_process(name, strict, monkeypatch, light_results):
    """The light-loaded CLI gives, byte for byte, what the in-process run (whole PyYAML) gives
    (which test_agrees_with_upstream holds against upstream)."""
    rc, stdout, stderr = light_results["results"]["%s/%s" % (name, "strict" if strict else "plain")]
    data = RECORD.case_input(_case_path(name))[1]
    assert (rc, stdout, stderr) == ours(data, strict, monkeypatch)
