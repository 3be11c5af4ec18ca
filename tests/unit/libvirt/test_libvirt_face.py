"""libvirt_vm's face: the module's result and diff never show the Ignition config's password hashes or SSH keys."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces import libvirt as face
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import machine

HASH = "$6$rounds=4096$saltsalt$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFaceTestKeyFaceTestKeyFaceTestKey0000 face@test"
CONFIG = {"ignition": {"version": "3.3.0"},
          "passwd": {"users": [{"name": "nest", "passwordHash": HASH, "sshAuthorizedKeys": [KEY]}]}}


class Done(Exception):
    pass


class FakeModule(object):
    """What run_module uses of AnsibleModule; exit_json/fail_json end the run like the real ones."""

    def __init__(self, params, diff=True):
        self.params = dict((k, v.get("default")) for k, v in face.ARGSPEC.items())
        self.params.update(params)
        self.check_mode = False
        self._diff = diff
        self.warnings = []
        self.out = None

    def warn(self, text):
        self.warnings.append(text)

    def exit_json(self, **kw):
        self.out = kw
        raise Done()

    def fail_json(self, **kw):
        self.out = dict(kw, failed=True)
        raise Done()


def run(params, monkeypatch, engine_result):
    def fake_ensure(req, check_mode=False, conn=None):
        assert req.ignition_bytes is not None and HASH.encode() in req.ignition_bytes
        return engine_result(req)
    monkeypatch.setattr(machine, "ensure", fake_ensure)
    monkeypatch.setattr(machine, "HAS_LIBVIRT", True)
    module = FakeModule(params)
    with pytest.raises(Done):
        face.run_module(module)
    return module


def test_secrets_an_engine_would_echo_are_masked_in_result_diff_and_warnings(monkeypatch):
    """Whatever the engine puts in the result (here: the whole config, in the diff, a fact and a warning),
    the module's output holds neither the password hash nor the SSH key."""
    def echo(req):
        text = req.ignition_bytes.decode()
        return {"changed": True, "actions": ["write Ignition"], "warnings": ["config was %s" % text],
                "diff": {"before": "", "after": text}, "xml": text, "name": req.name}
    module = run({"name": "m-secret", "image": "/b.qcow2", "ignition_content": json.dumps(CONFIG)}, monkeypatch, echo)
    shown = json.dumps(module.out) + json.dumps(module.warnings)
    assert module.out["changed"] is True and "diff" in module.out
    assert HASH not in shown and KEY not in shown
    assert "********" in module.out["diff"]["after"]


def test_secrets_in_an_error_are_masked(monkeypatch):
    from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

    def boom(req):
        raise NestosError("refused %s" % req.ignition_bytes.decode(), path="ignition")
    module = run({"name": "m-err", "image": "/b.qcow2", "ignition_content": json.dumps(CONFIG)}, monkeypatch, boom)
    assert module.out["failed"] is True and "refused" in module.out["msg"]
    assert HASH not in json.dumps(module.out) and KEY not in json.dumps(module.out)


def test_ignition_inputs_are_no_log():
    for key in ("ignition_content", "butane"):
        assert face.ARGSPEC[key].get("no_log") is True
