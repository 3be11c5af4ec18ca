"""Role build_host gets the nestos-assembler image by pull (from the lab registry) and by build
(from a checkout with a Dockerfile), into a private podman storage, and writes a working wrapper."""
import importlib.util
import json
import os
import pathlib
import subprocess

import pytest

TOP = pathlib.Path(__file__).resolve().parents[3]
HERE = pathlib.Path(__file__).resolve().parent
DOUBLE = TOP / "tests" / "lab" / "doubles" / "nestos-assembler"
VENV = TOP / ".venv" / "bin"

_spec = importlib.util.spec_from_file_location("nestos_lab_build_host", DOUBLE / "lab.py")
lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab)


@pytest.fixture(scope="module")
def registry_image():
    """The lab assembler image pushed to the lab registry (what a user would pull)."""
    subprocess.run([str(TOP / "tests" / "lab" / "registry" / "registry.sh"), "start"], check=True,
                   stdout=subprocess.DEVNULL)
    if not lab.ARCHIVE.is_file():
        subprocess.run(["sh", str(DOUBLE / "build-image.sh"), str(lab.ARCHIVE), str(lab.CACHE / "buildah"), lab.IMAGE],
                       check=True, stdout=subprocess.DEVNULL)
    ref = "%s/nestos-assembler:lab-%s" % (lab.REGISTRY, lab.VERSION)
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", "docker-archive:%s" % lab.ARCHIVE, "docker://" + ref],
                   check=True, stdout=subprocess.DEVNULL)
    return ref


def host_vars(tmp_path, **more):
    extra = {
        "build_host_engine": "podman",
        "build_host_install_engine": False,
        "build_host_disk_path": str(tmp_path),
        "build_host_min_disk_gb": 1,
        "build_host_require_kvm": False,
        "build_host_require_fuse": False,
        "build_host_config_dir": str(tmp_path / "etc"),
        "build_host_podman_storage": {"driver": "vfs", "graphroot": str(tmp_path / "storage" / "root"),
                                      "runroot": str(tmp_path / "storage" / "run")},
        "build_host_nosa_path": str(tmp_path / "bin" / "nosa"),
        "build_host_nosa_privileged": False,
        "build_host_nosa_network": "none",
        "build_host_nosa_devices": [],
        "build_host_nosa_volumes": [],
    }
    extra.update(more)
    return extra


def play(tmp_path, extra):
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(extra))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([str(VENV / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           "-e", "ansible_python_interpreter=%s" % (VENV / "python"), "-e", "@%s" % vars_file,
                           str(HERE / "host.yml")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                          timeout=300, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def wrapper_runs(tmp_path):
    """The written wrapper starts the image: `nosa basearch` prints the machine."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    proc = subprocess.run([str(tmp_path / "bin" / "nosa"), "basearch"], cwd=str(work), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False,
                          env=dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin"))
    return proc.returncode, proc.stdout.decode().strip()


def test_pull_from_registry(registry_image, tmp_path):
    rc, out = play(tmp_path, host_vars(tmp_path, build_host_image=registry_image, build_host_image_source="pull",
                                       build_host_registry_tls_verify=False))
    assert rc == 0, out[-4000:]
    assert "TASK [nestos.lifecycle.build_host : Pull the image]" in out
    assert wrapper_runs(tmp_path) == (0, os.uname().machine)
    rc, out = play(tmp_path, host_vars(tmp_path, build_host_image=registry_image, build_host_image_source="pull",
                                       build_host_registry_tls_verify=False))
    assert rc == 0 and "changed=0" in out, out[-4000:]


def test_build_from_checkout(tmp_path):
    checkout = tmp_path / "nestos-assembler"
    checkout.mkdir()
    (checkout / "nosa").write_text("#!/bin/sh\necho built-from-checkout \"$@\"\n")
    # a stand-in for nestos-assembler's Dockerfile (the real one installs packages with dnf)
    (checkout / "Dockerfile").write_text("FROM scratch\nCOPY nosa /nosa\nENTRYPOINT [\"/nosa\"]\n")
    rc, out = play(tmp_path, host_vars(tmp_path, build_host_image="localhost/nestos-assembler:from-checkout",
                                       build_host_image_source="build", build_host_image_checkout=str(checkout),
                                       build_host_image_build_args=["--network", "none"]))
    assert rc == 0, out[-4000:]
    assert "TASK [nestos.lifecycle.build_host : Build the image from a nestos-assembler checkout]" in out
    env = {"CONTAINERS_CONF": str(tmp_path / "etc" / "containers.conf"),
           "CONTAINERS_STORAGE_CONF": str(tmp_path / "etc" / "storage.conf")}
    proc = subprocess.run(["podman", "image", "exists", "localhost/nestos-assembler:from-checkout"],
                          env=dict(os.environ, **env), check=False)
    assert proc.returncode == 0


def test_present_source_fails_clearly_when_missing(tmp_path):
    rc, out = play(tmp_path, host_vars(tmp_path, build_host_image="localhost/not-there:1",
                                       build_host_image_source="present"))
    assert rc != 0
    assert "Image localhost/not-there:1 is not present in podman" in out
    assert not (tmp_path / "bin" / "nosa").exists()
