"""The AWX API double, a git copy of this checkout as the AWX project, and ansible-playbook
running the awx_config role with awx.awx added to the collections path for this run only."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from tests.support.awx_api import TOP, AwxDouble, install_awx_collection

ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).with_name("ansible-playbook")
SITE = pathlib.Path(__file__).with_name("site.yml")
# secrets of the lab credentials: they must never show in any output
REGISTRY_PASSWORD = "lab-registry-s3cret-7f1c"
SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nlab-key-5d2e9a\n-----END OPENSSH PRIVATE KEY-----\n"
RECAP = re.compile(r"^localhost\s+:\s+(.*)$", re.M)
SECRETS = (REGISTRY_PASSWORD, "lab-key-5d2e9a", "lab-password")


@pytest.fixture(scope="module")
def awx_collections():
    return install_awx_collection()


@pytest.fixture(scope="module")
def project_repo(tmp_path_factory):
    """This checkout's files (tracked and new, not ignored) committed to a fresh git repository,
    as the AWX project's source (AWX clones it at every project update)."""
    repo = tmp_path_factory.mktemp("project") / "nestos-lifecycle"
    names = subprocess.run(["git", "-C", str(TOP), "ls-files", "-z", "-co", "--exclude-standard"],
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        src = TOP / name
        if src.is_file() and not src.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / name)
    git = ["git", "-C", str(repo), "-c", "user.name=lab", "-c", "user.email=lab@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "project"], check=True)
    return repo


@pytest.fixture(scope="module")
def awx(tmp_path_factory):
    double = AwxDouble(tmp_path_factory.mktemp("awx")).start()
    yield double
    double.stop()


def role_vars(awx, repo):
    return {
        "awx_config_controller_host": awx.url,
        "awx_config_controller_username": awx.user,
        "awx_config_controller_password": awx.password,
        "awx_config_validate_certs": False,
        "awx_config_project": {"name": "NestOS lifecycle", "scm_type": "git", "scm_url": "file://%s" % repo,
                               "scm_branch": "main", "scm_update_on_launch": True, "scm_clean": True},
        "awx_config_credentials": [
            {"name": "NestOS lab registry", "credential_type": "NestOS registry",
             "inputs": {"registry": "127.0.0.1:5005", "username": "lab", "password": REGISTRY_PASSWORD}},
            {"name": "NestOS fleet SSH", "credential_type": "Machine",
             "inputs": {"username": "nest", "ssh_key_data": SSH_KEY, "become_method": "sudo"}},
            {"name": "NestOS lab signatures", "credential_type": "NestOS image signature policy",
             "inputs": {"policy_json": '{"default": [{"type": "reject"}]}'}},
        ],
        "awx_config_credential_names": {"machine": "NestOS fleet SSH", "registry": "NestOS lab registry",
                                        "signature": "NestOS lab signatures"},
        "awx_config_hosts": [
            {"name": "nestos-01", "groups": ["nestos_canary"], "variables": {"ansible_host": "192.0.2.11"}},
            {"name": "nestos-02", "groups": ["nestos"]},
            {"name": "nestos-03", "groups": ["nestos"]},
            {"name": "media-01", "groups": ["media_hosts"]},
            {"name": "hv-01", "groups": ["hypervisors"]},
        ],
    }


def run_role(awx, repo, workdir, collections, extra=None, args=(), env_extra=None):
    """ansible-playbook site.yml; returns (rc, the PLAY RECAP counters of localhost, the whole output)."""
    variables = role_vars(awx, repo)
    variables.update(extra or {})
    vars_file = workdir / "vars.json"
    vars_file.write_text(json.dumps(variables))
    vars_file.chmod(0o600)
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (collections, TOP / ".build" / "collections"),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
        "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
    })
    env.update(env_extra or {})
    proc = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(SITE), "-e", "@%s" % vars_file]
                          + list(args), capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                          timeout=900, check=False)
    recap = RECAP.search(proc.stdout)
    counts = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", recap.group(1))} if recap else None
    return proc.returncode, counts, proc.stdout + proc.stderr
