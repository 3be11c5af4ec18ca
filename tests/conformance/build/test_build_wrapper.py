"""The nosa wrapper template of roles/build_host (guide section 3.1): rendered with Ansible's
templating, checked with shellcheck, then run with a recording stand-in for the engine."""
import os
import pathlib
import shutil
import subprocess

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "build_host"


def render(tmp_path, **overrides):
    import yaml
    variables = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    variables.update({"build_host_engine_name": "podman", "ansible_managed": "Ansible managed",
                      "build_host_engine_env": {"CONTAINERS_CONF": "/etc/nestos-build/containers.conf"}})
    variables.update(overrides)
    templar = Templar(loader=DataLoader(), variables=variables)
    text = templar.template(trust_as_template((ROLE / "templates" / "nosa.j2").read_text()))
    out = tmp_path / "nosa"
    out.write_text(text)
    out.chmod(0o755)
    return out


def fake_engine(tmp_path, name="podman"):
    """Records its argv (one per line) and CONTAINERS_CONF."""
    folder = tmp_path / "fakebin"
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text('#!/bin/sh\nprintf "%%s\\n" "$@" > %s/argv\necho "$CONTAINERS_CONF" > %s/env\n' % (tmp_path, tmp_path))
    script.chmod(0o755)
    return folder


def run(tmp_path, wrapper, args, env=None, cwd=None):
    path = "%s:%s" % (fake_engine(tmp_path), os.environ["PATH"])
    full = {"PATH": path}
    full.update(env or {})
    subprocess.run([str(wrapper)] + args, check=True, env=full, cwd=cwd or str(tmp_path), stdin=subprocess.DEVNULL)
    return (tmp_path / "argv").read_text().splitlines(), (tmp_path / "env").read_text().strip()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is in APT_PACKAGES; CI has it")
def test_wrapper_is_shellcheck_clean(tmp_path):
    subprocess.run(["shellcheck", "-s", "sh", str(render(tmp_path))], check=True)


def test_wrapper_default_matches_guide(tmp_path):
    wrapper = render(tmp_path)
    work = tmp_path / "my work"
    work.mkdir()
    argv, env = run(tmp_path, wrapper, ["build", "qemu", "metal"], cwd=str(work))
    assert argv[:4] == ["run", "--rm", "-i", "--security-opt"]
    joined = " ".join(argv)
    assert "--privileged --user=root" in joined
    assert argv[argv.index("-v") + 1] == "%s:/srv/" % work  # spaces survive
    assert "--device /dev/kvm --device /dev/fuse" in joined
    assert "--network=host" in joined and "--tmpfs /tmp" in joined
    assert "-v /var/tmp:/var/tmp" in joined and "-v /root/.ssh/:/root/.ssh/" in joined
    assert argv[-4:] == ["hub.oepkgs.net/nestos/nestos-assembler:24.03-LTS.20240903.0-x86_64", "build", "qemu", "metal"]
    assert env == "/etc/nestos-build/containers.conf"
    assert "-e" not in argv  # passthrough variables unset -> not passed


def test_wrapper_env_overrides(tmp_path):
    wrapper = render(tmp_path, build_host_nosa_privileged=False, build_host_nosa_network="none",
                     build_host_nosa_devices=[], build_host_nosa_volumes=["/a b:/lab:ro"])
    cfg = tmp_path / "cfg"
    argv, env = run(tmp_path, wrapper, ["fetch"], env={
        "COREOS_ASSEMBLER_CONTAINER": "localhost/other:1", "COREOS_ASSEMBLER_CONFIG_GIT": str(cfg),
        "COREOS_ASSEMBLER_CONTAINER_RUNTIME_ARGS": "--cpus 2", "COSA_NO_KVM": "1",
        "CONTAINERS_CONF": "/mine.conf"})
    joined = " ".join(argv)
    assert "--privileged" not in argv and "--device" not in argv
    assert "--network=none" in argv
    assert "/a b:/lab:ro" in argv
    assert "%s:/srv/src/config/:ro" % cfg in argv
    assert "--cpus 2" in joined
    assert argv[argv.index("-e") + 1] == "COSA_NO_KVM"
    assert argv[-2:] == ["localhost/other:1", "fetch"]
    assert env == "/mine.conf"
