"""Run a module's main() in-process with given arguments; returns its JSON result."""
import contextlib
import importlib
import io
import json

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


def run_module(name, args, check=False, diff=False):
    mod = importlib.import_module("ansible_collections.nestos.lifecycle.plugins.modules.%s" % name)
    payload = dict(args)
    payload["_ansible_check_mode"] = check
    payload["_ansible_diff"] = diff
    payload["_ansible_remote_tmp"] = "/tmp"
    payload["_ansible_keep_remote_files"] = False
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": payload}))
    basic._ANSIBLE_PROFILE = "legacy"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            mod.main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())
