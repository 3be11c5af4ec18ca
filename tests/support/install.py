"""Helpers for the install tests (metal_image, nestos_install): run a task through the real
ansible-playbook, hash files and partitions, serve files over HTTP."""
import contextlib
import functools
import hashlib
import http.server
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading

TOP = pathlib.Path(__file__).resolve().parents[2]


def ansible_env():
    env = dict(os.environ)
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(TOP / ".build" / "collections"),
                "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "ANSIBLE_HOST_KEY_CHECKING": "false",
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "false",
                "ANSIBLE_LOCAL_TEMP": str(TOP / ".build" / "ansible-tmp")})
    return env


def run_task(module, args, hosts="localhost", inventory=None, flags=(), become=False, timeout=600):
    """Run one task of ``module`` through ansible-playbook; returns (task result dict, stdout).
    The result is written by a second task (``copy`` on the controller) as JSON."""
    with tempfile.TemporaryDirectory(prefix="nestos-install-test-") as work:
        result_file = pathlib.Path(work) / "result.json"
        play = [{"hosts": hosts, "gather_facts": False, "become": become, "tasks": [
            {"name": "under test", "nestos.lifecycle." + module: args, "register": "out", "ignore_errors": True},
            {"name": "keep the result", "delegate_to": "localhost", "become": False,
             "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
             "ansible.builtin.copy": {"content": "{{ out | to_json }}", "dest": str(result_file)},
             "check_mode": False, "diff": False}]}]
        book = pathlib.Path(work) / "play.yml"
        book.write_text(json.dumps(play))
        cmd = [str(pathlib.Path(sys.executable).with_name("ansible-playbook")), "-i",
               str(inventory or "localhost,"), str(book)]
        if inventory is None:
            cmd += ["-c", "local", "-e", "ansible_python_interpreter=" + sys.executable]
        proc = subprocess.run(cmd + list(flags), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=ansible_env(), timeout=timeout, check=False, cwd=str(TOP))
        if not result_file.is_file():
            raise AssertionError("the play kept no result:\n%s" % proc.stdout[-4000:])
        return json.loads(result_file.read_text()), proc.stdout


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def partitions(disk):
    """util-linux sfdisk's view of a disk image (an independent GPT reader)."""
    out = subprocess.run(["sfdisk", "--json", str(disk)], check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)["partitiontable"]["partitions"]


def partition_sha256(disk, part):
    h = hashlib.sha256()
    with open(disk, "rb") as handle:
        handle.seek(int(part["start"]) * 512)
        left = int(part["size"]) * 512
        while left:
            block = handle.read(min(left, 1 << 20))
            h.update(block)
            left -= len(block)
    return h.hexdigest()


@contextlib.contextmanager
def http_folder(folder):
    """Serve ``folder`` on 127.0.0.1 (guests on user-mode networking reach it at 10.0.2.2)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
