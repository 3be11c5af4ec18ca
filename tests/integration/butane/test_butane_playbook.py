"""The nestos.lifecycle.butane action and filter through a real ansible-playbook run
against localhost (ansible_connection=local): write, idempotence, check mode, diff mode,
mode 0600, warnings, strict failure, and the filter in a template."""
import json
import os
import pathlib
import re
import stat
import subprocess
import sys

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import mask_config
from tests.support.ignition_validate import assert_real_valid

TOP = pathlib.Path(__file__).resolve().parents[3]
PLAYBOOK_BIN = str(pathlib.Path(sys.executable).with_name("ansible-playbook"))

BUTANE = """variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      password_hash: $6$salt$hash
      ssh_authorized_keys:
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyOfNestSecret nest@lab
storage:
  files:
    - path: /etc/motd
      mode: 0644
      contents:
        local: motd.txt
"""


def run_playbook(workdir, playbook, *extra):
    env = dict(os.environ)
    env.update(ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    cmd = [PLAYBOOK_BIN, "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
           str(workdir / playbook)] + list(extra)
    proc = subprocess.run(cmd, cwd=str(workdir), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=300, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def recap(output):
    m = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert m, output
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, m.groups())))


@pytest.fixture
def play(tmp_path):
    (tmp_path / "files" / "bfiles").mkdir(parents=True)
    (tmp_path / "files" / "node.bu").write_text(BUTANE)
    (tmp_path / "files" / "bfiles" / "motd.txt").write_text("Welcome to NestOS\n")
    dest = tmp_path / "out" / "node.ign"
    dest.parent.mkdir()
    (tmp_path / "write.yml").write_text("""
- hosts: all
  gather_facts: false
  tasks:
    - name: translate and write
      nestos.lifecycle.butane:
        src: node.bu
        files_dir: bfiles
        dest: %s
      register: res
    - name: keep the result
      ansible.builtin.copy:
        content: "{{ res | to_json }}"
        dest: %s
        mode: "0600"
      check_mode: false
      diff: false
      changed_when: false
""" % (dest, tmp_path / "res.json"))
    return tmp_path, dest


def test_write_idempotent_mode_0600(play):
    workdir, dest = play
    rc, out = run_playbook(workdir, "write.yml")
    assert rc == 0, out
    assert recap(out)["changed"] == 1
    expected = translate(BUTANE, files_dir=str(workdir / "files" / "bfiles")).output()
    assert dest.read_text() == expected
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert_real_valid(dest.read_bytes())
    res = json.loads((workdir / "res.json").read_text())
    assert res["ignition"] == mask_config(json.loads(expected))
    assert res["ignition"]["passwd"]["users"][0]["passwordHash"] == "********"
    assert res["dest"] == str(dest)
    # no temp files left next to dest
    assert sorted(p.name for p in dest.parent.iterdir()) == ["node.ign"]
    # second run: nothing to do
    rc, out = run_playbook(workdir, "write.yml")
    assert rc == 0, out
    assert recap(out)["changed"] == 0


def test_mode_is_repaired(play):
    workdir, dest = play
    assert run_playbook(workdir, "write.yml")[0] == 0
    os.chmod(str(dest), 0o644)
    rc, out = run_playbook(workdir, "write.yml")
    assert rc == 0 and recap(out)["changed"] == 1, out
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_check_mode_predicts_without_writing(play):
    workdir, dest = play
    rc, out = run_playbook(workdir, "write.yml", "--check")
    assert rc == 0, out
    assert recap(out)["changed"] == 1
    assert not dest.exists()
    assert run_playbook(workdir, "write.yml")[0] == 0
    rc, out = run_playbook(workdir, "write.yml", "--check")
    assert recap(out)["changed"] == 0


def test_no_secret_at_vvv_with_diff(play):
    """-vvv shows every result in full: the hash and the SSH key must appear nowhere."""
    workdir, dest = play
    for extra in (("-vvv", "--diff"), ("-vvv", "--diff", "--check")):
        rc, out = run_playbook(workdir, "write.yml", *extra)
        assert rc == 0, out
        assert '"ignition"' in out and "********" in out
        assert "$6$salt$hash" not in out and "KeyOfNestSecret" not in out
    assert "$6$salt$hash" in dest.read_text()   # the written config keeps them


def test_diff_mode_shows_json_before_after_and_masks_hashes(play):
    workdir, dest = play
    assert run_playbook(workdir, "write.yml")[0] == 0
    (workdir / "files" / "bfiles" / "motd.txt").write_text("Changed\n")
    rc, out = run_playbook(workdir, "write.yml", "--diff", "--check")
    assert rc == 0, out
    assert "data:,Welcome%20to%20NestOS%0A" in out   # before
    assert "data:,Changed%0A" in out                 # after
    assert "$6$salt$hash" not in out
    assert "KeyOfNestSecret" not in out
    assert "********" in out
    # check mode did not touch the file
    assert "Welcome" in dest.read_text() or "Welcome%20" in dest.read_text()


def test_warnings_strict_and_errors(tmp_path):
    (tmp_path / "p.yml").write_text("""
- hosts: all
  gather_facts: false
  tasks:
    - name: warning only
      nestos.lifecycle.butane:
        content: |
          variant: nestos
          version: 1.0.0
          colour: blue
      register: warn
    - name: record
      ansible.builtin.copy:
        content: "{{ warn | to_json }}"
        dest: %s
        mode: "0600"
    - name: strict fails
      nestos.lifecycle.butane:
        content: |
          variant: nestos
          version: 1.0.0
          colour: blue
        strict: true
""" % (tmp_path / "warn.json"))
    rc, out = run_playbook(tmp_path, "p.yml")
    assert rc != 0
    assert "warning at $.colour, line 3 col 1: Unused key colour" in out
    assert "Config produced warnings and --strict was specified" in out
    assert "Traceback" not in out
    warn = json.loads((tmp_path / "warn.json").read_text())
    assert warn["ignition"] == {"ignition": {"version": "3.3.0"}}
    assert warn["warnings"] == ["warning at $.colour, line 3 col 1: Unused key colour"]
    assert warn["changed"] is False


def test_filter_in_template(tmp_path):
    (tmp_path / "node.bu.j2").write_text("variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n"
                                         "    - path: /etc/hostname\n      mode: 0644\n      contents:\n"
                                         "        inline: {{ node_name }}\n")
    (tmp_path / "p.yml").write_text("""
- hosts: all
  gather_facts: false
  vars:
    node_name: node7
  tasks:
    - name: filter
      ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.template', 'node.bu.j2') | nestos.lifecycle.butane | to_json }}"
        dest: %s
        mode: "0600"
    - name: filter on a dict
      ansible.builtin.copy:
        content: "{{ {'variant': 'fcos', 'version': '1.3.0'} | nestos.lifecycle.butane | to_json }}"
        dest: %s
        mode: "0600"
    - name: bad input fails cleanly
      ansible.builtin.debug:
        msg: "{{ 'variant: fcos' | nestos.lifecycle.butane }}"
""" % (tmp_path / "f.json", tmp_path / "g.json"))
    rc, out = run_playbook(tmp_path, "p.yml")
    assert rc != 0
    assert "butane: error parsing version; must be a valid semver" in out
    assert json.loads((tmp_path / "f.json").read_text()) == {
        "ignition": {"version": "3.3.0"},
        "storage": {"files": [{"path": "/etc/hostname", "contents": {"compression": "", "source": "data:,node7"},
                               "mode": 420}]}}
    assert json.loads((tmp_path / "g.json").read_text()) == {"ignition": {"version": "3.2.0"}}
