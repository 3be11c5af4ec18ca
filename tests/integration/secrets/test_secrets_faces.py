"""No secret in any output (issue 11): every module and action of the collection that can carry
Ignition content runs under ``ansible-playbook -vvv --diff`` with a config holding a password hash
and an SSH key; the test fails when either shows up in the output, or when a face did not run.
(``nestos_install`` runs only against a live-booted installer host of the lab; it is not here.)

One playbook per face, so a failure names the face. Faces owned by other areas (the butane
action, libvirt_vm) are included as they are: this test says whether they mask, it does not
decide it.
"""
import json
import os
import subprocess

import pytest
import yaml

from tests.support.live_media import build_iso, live_initramfs

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HASH = "$y$j9T$SecretSaltValue$SecretHashValueThatMustNeverBeShown0123"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecretKeyThatMustNeverBeShown secret@example"
CONFIG = {"ignition": {"version": "3.3.0"},
          "passwd": {"users": [{"name": "core", "passwordHash": HASH, "sshAuthorizedKeys": [KEY]}]}}
BUTANE = "variant: fcos\nversion: 1.4.0\npasswd:\n  users:\n    - name: core\n      password_hash: '%s'\n" \
         "      ssh_authorized_keys:\n        - %s\n" % (HASH, KEY)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    work = tmp_path_factory.mktemp("secrets")
    iso = work / "live.iso"
    build_iso(str(iso), str(work))
    ign = work / "config.ign"
    ign.write_text(json.dumps(CONFIG))
    ign.chmod(0o600)
    initramfs = live_initramfs(work)
    return {"work": work, "iso": str(iso), "ign": str(ign), "initramfs": str(initramfs)}


def faces(i):
    w = str(i["work"])
    return {
        "iso_ignition": [
            {"nestos.lifecycle.iso_ignition": {"src": i["iso"], "dest": w + "/ign.iso", "ignition_content": CONFIG}},
            {"nestos.lifecycle.iso_ignition": {"src": w + "/ign.iso", "ignition": i["ign"], "force": True}},
            {"nestos.lifecycle.iso_ignition": {"src": w + "/ign.iso", "state": "query"}},
            {"nestos.lifecycle.iso_ignition": {"src": w + "/ign.iso", "state": "absent"}},
        ],
        "iso_customize": [
            {"nestos.lifecycle.iso_customize": {"src": i["iso"], "dest": w + "/c.iso", "dest_ignition": [i["ign"]],
                                                "live_ignition": [i["ign"]], "butane": BUTANE,
                                                "ignition_target": "live"}},
        ],
        "pxe_ignition": [
            {"nestos.lifecycle.pxe_ignition": {"dest": w + "/wrap.img", "butane": BUTANE}},
            {"nestos.lifecycle.pxe_ignition": {"dest": w + "/wrap.img", "ignition": i["ign"]}},
            {"nestos.lifecycle.pxe_ignition": {"state": "unwrap", "src": w + "/wrap.img", "dest": w + "/back.ign"}},
        ],
        "pxe_customize": [
            {"nestos.lifecycle.pxe_customize": {"src": i["initramfs"], "dest": w + "/pxe.img",
                                                "dest_ignition": [i["ign"]], "live_ignition": [i["ign"]]}},
        ],
        "butane_action": [
            {"nestos.lifecycle.butane": {"content": BUTANE, "dest": w + "/from-butane.ign"}},
            {"nestos.lifecycle.butane": {"content": BUTANE}},
        ],
        "metal_image": [
            {"nestos.lifecycle.metal_image": {"dest": w + "/node.raw", "image_file": "@metal_xz@",
                                              "gpg_keyring": "@metal_keyring@", "ignition": CONFIG}},
        ],
        "libvirt_vm": [
            {"nestos.lifecycle.libvirt_vm": {"name": "secrets-test", "uri": "qemu:///system",
                                             "image": w + "/disk.qcow2", "ignition_content": CONFIG},
             "check_mode": True},
        ],
    }


FACES = ["iso_ignition", "iso_customize", "pxe_ignition", "pxe_customize", "butane_action", "metal_image",
         "libvirt_vm"]


@pytest.mark.parametrize("face", FACES)
def test_no_secret_at_vvv_diff(inputs, face):
    tasks = faces(inputs)[face]
    if face == "metal_image":
        from tests.lab import metal
        lab = metal.build(log=lambda *_a: None)
        args = tasks[0]["nestos.lifecycle.metal_image"]
        args.update(image_file=lab["xz"], gpg_keyring=lab["keyring"])
    if face == "libvirt_vm":
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(inputs["work"] / "disk.qcow2"), "64M"],
                       check=True)
    for idx, task in enumerate(tasks):
        task["name"] = "%s step %d" % (face, idx)
    book = inputs["work"] / ("%s.yml" % face)
    book.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    cmd = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-vvv", "--diff", "-i", "localhost,",
           "-c", "local", "-e", "ansible_python_interpreter=" + os.path.join(TOP, ".venv", "bin", "python"), str(book)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
                          check=False)
    out = proc.stdout
    leaks = [name for name, secret in (("password hash", HASH), ("SSH key", KEY),
                                       ("password hash (JSON)", json.dumps(HASH)[1:-1])) if secret in out]
    assert not leaks, "%s shows %s:\n%s" % (face, ", ".join(leaks), out[-6000:])
    assert proc.returncode == 0, "%s did not run through:\n%s" % (face, out[-6000:])
    for idx in range(len(tasks)):
        assert "TASK [%s step %d]" % (face, idx) in out
