"""The repository as an AWX project: what AWX's project update installs from
collections/requirements.yml, every playbook AWX lists passing --syntax-check with only those
collections, inside the EE (ansible-runner + podman), and what `ansible-builder introspect`
says the collection needs."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import awx_runner

pytestmark = [pytest.mark.registry, pytest.mark.slow]

TOP = awx_runner.TOP
PLAYBOOKS = sorted(p.name for p in (TOP / "playbooks").glob("*.yml"))


def test_project_update_installs_this_collection_from_the_project(project_collections):
    galaxy = yaml.safe_load((TOP / "galaxy.yml").read_text())
    manifest = json.loads((project_collections / "ansible_collections" / "nestos" / "lifecycle" / "MANIFEST.json")
                          .read_text())["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (
        galaxy["namespace"], galaxy["name"], galaxy["version"])
    installed = project_collections / "ansible_collections" / "nestos" / "lifecycle"
    assert not installed.is_symlink()  # a copy made by ansible-galaxy, not the checkout's .build symlink
    assert (installed / "roles" / "build_host" / "tasks").is_dir()
    assert (installed / "plugins" / "action" / "rpm_ostree_rebase.py").is_file()


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_syntax_in_the_ee_with_project_collections(ee_image, pdd, playbook):
    job = awx_runner.run_job(pdd, "playbooks/" + playbook, "localhost ansible_connection=local\n",
                             image=ee_image, cmdline="--syntax-check", ident="syntax-" + playbook)
    assert job.status == "successful" and job.rc == 0, job.summary()
    # the job saw the collection from the project update, not one baked into the image
    env = json.loads((job.artifacts.parent.parent / "env" / "envvars").read_text())
    assert env["ANSIBLE_COLLECTIONS_PATH"].startswith("/runner/%s" % awx_runner.REQ_COLLECTIONS)


def test_without_the_project_update_build_yml_fails_as_the_issue_describes(tmp_path):
    """The failure a new AWX user hit (no collections/requirements.yml): role not found. Run on the
    host with an empty collections path, it proves the check above can fail."""
    pdd = tmp_path / "bare"
    (pdd / awx_runner.REQ_COLLECTIONS).mkdir(parents=True)
    (pdd / "project" / "playbooks").mkdir(parents=True)
    (pdd / "project" / "playbooks" / "build.yml").write_text((TOP / "playbooks" / "build.yml").read_text())
    job = awx_runner.run_job(pdd, "playbooks/build.yml", "localhost ansible_connection=local\n",
                             cmdline="--syntax-check", ident="bare", process_isolation=False)
    assert job.status == "failed"
    assert "nestos.lifecycle.build_host" in job.stdout and "not found" in job.stdout, job.stdout[-2000:]


def test_introspect_lists_what_the_modules_and_engines_need(project_collections):
    proc = subprocess.run([str(Path(sys.executable).with_name("ansible-builder")), "introspect",
                           str(project_collections)], check=True, stdout=subprocess.PIPE, text=True)
    data = yaml.safe_load(proc.stdout)
    python = sorted(line.split("#")[0].strip() for line in data["python"])
    # PyYAML is in requirements.txt too; ansible-builder drops it on purpose (ansible-core brings it)
    assert python == ["libvirt-python>=9.0", "ruamel.yaml>=0.18"], python
    system = {line.split("#")[0].strip() for line in data["system"]}
    for wanted in ("libvirt0 [platform:dpkg]", "qemu-utils [platform:dpkg]", "qemu-img [platform:rpm]",
                   "skopeo [platform:dpkg platform:rpm]", "buildah [platform:dpkg platform:rpm]",
                   "xz-utils [platform:dpkg]", "zstd [platform:dpkg platform:rpm]", "openssh-client [platform:dpkg]",
                   "gcc [compile platform:dpkg platform:rpm]", "libvirt-dev [compile platform:dpkg]",
                   "python3-dev [compile platform:dpkg]"):
        assert wanted in system, (wanted, sorted(system))
    assert "PyYAML>=6.0" in (TOP / "requirements.txt").read_text()
