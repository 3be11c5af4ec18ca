"""The execution environment image `make ee` built: in the lab registry under the name AWX's
job templates use, smaller than the stock awx-ee (under 1 GiB), with every binary and Python
library the collection's metadata asks for, and the collection itself installed."""
import json
import subprocess

import pytest

from tests.support import awx_runner

pytestmark = [pytest.mark.registry, pytest.mark.slow]

GIB = 1 << 30


def podman_run(image, *cmd):
    return subprocess.run(["podman", "run", "--rm", "--pull=never", "--network=none"] + awx_runner.LAB_ULIMITS + [image] + list(cmd),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=300)


def test_registry_holds_the_ee_under_both_tags(ee_image):
    """Both names AWX may be given: the content-hash tag (what ee_image pulled back) and :latest
    (which another checkout sharing the lab registry may have moved, so only its presence counts)."""
    state = awx_runner.ee_state()
    for tag in (state["hash"], "latest"):
        out = subprocess.run(["skopeo", "inspect", "--tls-verify=false",
                              "docker://%s/%s:%s" % (awx_runner.REGISTRY, awx_runner.REGISTRY_REPO, tag)],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        assert json.loads(out)["Labels"].get("ansible-execution-environment") == "true", tag
    assert ee_image.endswith(":" + state["hash"])


def test_image_is_under_one_gib(ee_image):
    size = int(subprocess.run(["podman", "image", "inspect", "--format", "{{.Size}}", ee_image],
                              stdout=subprocess.PIPE, text=True, check=True).stdout)
    assert size < GIB, size


def test_ee_has_what_the_collection_needs(ee_image):
    r = podman_run(ee_image, "sh", "-c",
                   "for b in qemu-img skopeo buildah xz zstd ssh ssh-agent ansible-playbook ansible-runner; do "
                   "command -v $b >/dev/null || { echo missing $b; exit 1; }; done; "
                   "python3 -c 'import libvirt, ruamel.yaml, yaml; print(\"libvirt\", libvirt.getVersion())' && "
                   "ansible-galaxy collection list nestos.lifecycle")
    assert r.returncode == 0, r.stdout
    assert "libvirt " in r.stdout and "nestos.lifecycle" in r.stdout, r.stdout
    # build-only packages stayed in the builder stage
    r = podman_run(ee_image, "sh", "-c", "command -v gcc || echo no-gcc")
    assert "no-gcc" in r.stdout, r.stdout


def test_ee_runs_as_awx_expects(ee_image):
    """uid 1000 by default, HOME and workdir /runner, ansible-runner's entrypoint."""
    inspect = json.loads(subprocess.run(["podman", "image", "inspect", ee_image], stdout=subprocess.PIPE,
                                        text=True, check=True).stdout)[0]["Config"]
    assert inspect["User"] == "1000" and inspect["WorkingDir"] == "/runner"
    assert "entrypoint" in " ".join(inspect["Entrypoint"])
