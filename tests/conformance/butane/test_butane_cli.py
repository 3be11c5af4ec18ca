"""tools/nestos-butane: upstream butane's flags, streams and exit codes."""
import os
import pathlib
import stat
import subprocess
import sys

import pytest

from tests.support.ignition_validate import assert_real_valid

TOP = pathlib.Path(__file__).resolve().parents[3]
CLI = str(TOP / "tools" / "nestos_butane.py")
WRAPPER = str(TOP / "tools" / "nestos-butane")
OK = b"variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/motd\n      contents:\n        local: motd\n"


def run(args, stdin=b"", cwd=None):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, CLI] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=cwd, env=env, timeout=60, check=False)
    return proc.returncode, proc.stdout, proc.stderr.decode()


def test_stdin_to_stdout_compact_with_newline(tmp_path):
    (tmp_path / "motd").write_text("hi\n")
    rc, out, err = run(["-d", str(tmp_path)], OK)
    assert (rc, err) == (0, "")
    assert out == (b'{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/etc/motd","contents":'
                   b'{"compression":"","source":"data:,hi%0A"}}]}}\n')
    assert_real_valid(out)


def test_pretty_file_input_matches_upstream(upstream):
    d = upstream / "coreos-installer" / "fixtures" / "customize"
    rc, out, err = run(["--pretty", str(d / "dest.bu")])
    assert (rc, err) == (0, "")
    assert out == (d / "dest.ign").read_bytes()


def test_output_file_mode_0600_and_check(tmp_path):
    (tmp_path / "motd").write_text("x")
    dest = tmp_path / "o.ign"
    rc, out, err = run(["--files-dir", str(tmp_path), "-o", str(dest)], OK)
    assert err == ""
    assert rc == 0 and out == b""
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert_real_valid(dest.read_bytes())
    rc, out, err = run(["-c", "-d", str(tmp_path), "-o", str(tmp_path / "never.ign")], OK)
    assert (rc, out, err) == (0, b"", "")
    assert not (tmp_path / "never.ign").exists()


def test_warnings_on_stderr_and_strict():
    text = b"variant: fcos\nversion: 1.3.0\nextra: 1\n"
    rc, out, err = run([], text)
    assert rc == 0 and out == b'{"ignition":{"version":"3.2.0"}}\n'
    assert err == "warning at $.extra, line 3 col 1: Unused key extra\n"
    rc, out, err = run(["--strict"], text)
    assert rc == 1 and out == b""
    assert err == ("warning at $.extra, line 3 col 1: Unused key extra\n"
                   "Config produced warnings and --strict was specified\n")


@pytest.mark.parametrize("stdin,expected", [
    (b"variant: fcos\nversion: 2.0.0\n", "Error translating config: No translator exists for variant fcos with "
                                         "version 2.0.0\n"),
    (OK, "error at $.storage.files.0.contents.local, line 7 col 16: local file paths are relative to a files "
         "directory that must be specified with -d/--files-dir\nError translating config: source config is invalid\n"),
    (b"variant: nestos\nversion: 1.0.0\nsystemd:\n  units:\n    - name: x.unit\n",
     "error at $.systemd.units.0.name, line 5 col 13: invalid systemd unit extension\n"
     "Error translating config: config generated was invalid\n"),
])
def test_errors_exit_1(stdin, expected):
    rc, out, err = run([], stdin)
    assert (rc, out, err) == (1, b"", expected)


@pytest.mark.parametrize("args,code", [(["a", "b"], 2), (["--no-such-flag"], 2), (["-h"], 0), (["--version"], 0),
                                       (["/nonexistent/x.bu"], 1)])
def test_usage_exit_codes(args, code):
    rc, out, err = run(args)
    assert rc == code
    if args == ["-h"]:
        assert b"--files-dir" in out and b"--strict" in out
    if code == 1:
        assert err.startswith("failed to open /nonexistent/x.bu")


def test_shell_wrapper_runs_the_cli():
    proc = subprocess.run([WRAPPER, "-p"], input=b"variant: nestos\nversion: 1.0.0\n", stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60, check=False,
                          env=dict(os.environ, NESTOS_BUTANE_PYTHON=sys.executable))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b'{\n  "ignition": {\n    "version": "3.3.0"\n  }\n}\n',
                                                           b"")


SMALL = (b"variant: nestos\nversion: 1.0.0\npasswd:\n  users:\n    - name: nest\n      ssh_authorized_keys: [ssh-ed25519 AAAA]\n"
         b"storage:\n  files:\n    - path: /etc/hostname\n      mode: 0644\n      contents:\n        inline: node1\n"
         b"systemd:\n  units:\n    - name: hello.service\n      enabled: true\n      contents: |\n"
         b"        [Service]\n        ExecStart=/bin/echo hello\n        [Install]\n        WantedBy=multi-user.target\n")


def test_shell_wrapper_start_up_imports_only_what_a_translation_needs(tmp_path):
    """The start-up figure of benchmarks/butane rests on this: for an ordinary config the CLI
    loads PyYAML's parser alone (no yaml.reader/resolver/constructor regular expressions, no
    datetime), no re/enum, no argparse, no json; and its output is what the engine gives in process."""
    from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate

    env = dict((k, v) for k, v in os.environ.items() if k != "PYTHONWARNINGS")   # it imports re at start-up
    env.update(NESTOS_BUTANE_PYTHON=sys.executable, PYTHONPROFILEIMPORTTIME="1")
    proc = subprocess.run([WRAPPER], input=SMALL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                          check=False, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == translate(SMALL).json.encode() + b"\n"
    imported = set(line.rsplit("|", 1)[1].strip() for line in proc.stderr.decode().splitlines()
                   if line.startswith("import time:") and "|" in line)
    assert {"yaml._yaml", "yaml.nodes", "nestos_butane"} <= imported     # the list is the real one
    assert not imported & {"re", "enum", "argparse", "json", "datetime", "yaml.reader", "yaml.resolver",
                           "yaml.constructor", "yaml.loader", "base64", "urllib.parse"}
