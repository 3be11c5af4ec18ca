"""A process where PyYAML's parser is loaded lightly (plugins/module_utils/butane/libyaml.py),
serving ``yamlin.compose`` outcomes, to compare with the whole PyYAML in the test process.

The light load lasts for the rest of a process, so it cannot happen in the pytest process.
"""
import json
import os
import pathlib
import subprocess
import sys

TOP = pathlib.Path(__file__).resolve().parents[2]
COLLROOT = TOP / ".build" / "collections"

# the node tree as plain data (kind, tag, value, style, start and end marks), or the error
TREE = """
def tree(node):
    if node is None:
        return None
    mark = [node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column]
    if node.id == "scalar":
        return [node.id, node.tag, node.value, node.style, mark]
    if node.id == "sequence":
        return [node.id, node.tag, [tree(n) for n in node.value], node.flow_style, mark]
    return [node.id, node.tag, [[tree(k), tree(v)] for k, v in node.value], node.flow_style, mark]


def outcome(data):
    try:
        return ["tree", tree(yamlin.compose(data))]
    except yamlin.YamlSyntaxError as exc:
        return ["error", exc.message, exc.line]
"""

_SERVER = """
import json, sys
sys.path.insert(0, %r)
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import libyaml, yamlin
""" % str(COLLROOT) + TREE + """
libyaml.light_load()
for line in sys.stdin:
    result = outcome(bytes.fromhex(line.strip()))
    sys.stdout.write(json.dumps([libyaml.how_loaded(), result], ensure_ascii=True) + "\\n")
    sys.stdout.flush()
"""


def outcome_here(data):
    """The outcome in this process (whole PyYAML)."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane import yamlin

    scope = {"yamlin": yamlin}
    exec(TREE, scope)   # noqa: S102 - the test's own code, shared with the server
    return json.loads(json.dumps(scope["outcome"](data)))


class LightServer(object):
    """``outcome(data)`` -> (how PyYAML was loaded there, outcome)."""

    def __init__(self):
        env = dict((k, v) for k, v in os.environ.items() if k != "PYTHONWARNINGS")
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True)

    def outcome(self, data):
        self.proc.stdin.write(data.hex() + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the light-loaded process died on %r" % data[:200]
        how, result = json.loads(line)
        return how, result

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
