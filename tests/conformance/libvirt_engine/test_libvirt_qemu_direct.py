"""Plain qemu mode with a real qemu (TCG): daemonized start, pid file, stop, idempotence, removal."""
import json
import os
import shutil

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.fileutil import sha256_file
from ansible_collections.nestos.lifecycle.plugins.module_utils.libvirt import domainxml, machine, qemu_direct

QEMU = shutil.which("qemu-system-x86_64")
pytestmark = pytest.mark.skipif(QEMU is None, reason="qemu-system-x86 is in mk/libvirt.mk APT_PACKAGES")

IGN = json.dumps({"ignition": {"version": "3.3.0"}}).encode()
IGN2 = json.dumps({"ignition": {"version": "3.3.0"}, "passwd": {"users": [{"name": "x"}]}}).encode()


def request(name, base, workdir, **kw):
    args = dict(name=name, image=base, storage_dir=str(workdir), ignition_bytes=IGN, memory=128, vcpus=1,
                domain_type="qemu", stop_timeout=5, networks=[{"user": True}])
    args.update(kw)
    return machine.Request(**args)


@pytest.fixture()
def cleanup():
    started = []
    yield started
    for pidfile in started:
        try:
            with open(pidfile) as handle:
                os.kill(int(handle.read()), 9)
        except (OSError, ValueError):
            continue


def test_argv_matches_the_guide(base, workdir):
    req = request("q-argv", base, workdir, networks=[{"user": True, "ssh_forward": 2222}])
    paths = qemu_direct._paths(req)
    nics = qemu_direct._nics(req, None)
    argv = qemu_direct.build_argv(req, paths, nics, "tcg")
    joined = " ".join(argv)
    assert "-fw_cfg name=opt/com.coreos/config,file=%s" % paths["ignition"] in joined
    assert "-drive if=virtio,format=qcow2,file=%s" % paths["overlay"] in joined
    assert "-accel tcg" in joined and "-daemonize" in argv and "-pidfile" in argv
    assert "hostfwd=tcp:127.0.0.1:2222-:22" in joined
    assert "mac=%s" % domainxml.derive_mac("q-argv", 0) in joined


def test_lifecycle_with_real_qemu(base, workdir, cleanup):
    before = sha256_file(base)
    req = request("q-life", base, workdir)
    cleanup.append(str(workdir / "q-life.pid"))
    checked = qemu_direct.ensure(req, check_mode=True, binary=QEMU)
    assert checked["changed"] is True and not (workdir / "q-life.qcow2").exists()

    first = qemu_direct.ensure(request("q-life", base, workdir), binary=QEMU)
    assert first["changed"] is True and first["state"] == "running" and first["pid"]
    assert os.path.exists("/proc/%d" % first["pid"])
    assert oct(os.stat(str(workdir / "q-life.ign")).st_mode & 0o777) == oct(0o600)

    again = qemu_direct.ensure(request("q-life", base, workdir), binary=QEMU)
    assert again["changed"] is False and again["pid"] == first["pid"] and again["mac"] == first["mac"]

    changed = qemu_direct.ensure(request("q-life", base, workdir, ignition_bytes=IGN2), binary=QEMU)
    assert changed["changed"] is False and changed["reprovision_required"] is True
    with pytest.raises(NestosError) as err:
        qemu_direct.ensure(request("q-life", base, workdir, ignition_bytes=IGN2, on_config_change="fail"),
                           binary=QEMU)
    assert err.value.path == "recreate"

    stopped = qemu_direct.ensure(request("q-life", base, workdir, state="stopped"), binary=QEMU)
    assert stopped["changed"] is True and stopped["state"] == "shutoff"
    assert not os.path.exists("/proc/%d" % first["pid"]) or open("/proc/%d/stat" % first["pid"]).read().split()[2] == "Z"
    assert qemu_direct.ensure(request("q-life", base, workdir, state="stopped"), binary=QEMU)["changed"] is False

    recreated = qemu_direct.ensure(request("q-life", base, workdir, ignition_bytes=IGN2, recreate=True),
                                   binary=QEMU)
    assert recreated["changed"] is True and recreated["state"] == "running"
    assert recreated["mac"] == first["mac"]
    assert (workdir / "q-life.ign").read_bytes() == IGN2

    gone = qemu_direct.ensure(request("q-life", base, workdir, state="absent"), binary=QEMU)
    assert gone["changed"] is True
    assert sorted(os.listdir(str(workdir))) == ["q-life-console.log"]  # the console log is kept
    assert sha256_file(base) == before


def test_files_not_ours_are_left_alone(base, workdir):
    stray = workdir / "q-stray.qcow2"
    stray.write_bytes(b"someone else's disk")
    for state in ("running", "absent"):
        with pytest.raises(NestosError, match="not created by nestos.lifecycle"):
            qemu_direct.ensure(request("q-stray", base, workdir, state=state), binary=QEMU)
    assert stray.read_bytes() == b"someone else's disk"


@pytest.mark.parametrize("networks,path", [
    ([{"network": "default"}], "networks[0]"),
    ([{"user": True, "bridge": "br0"}], "networks[0]"),
    ([{"bridge": "br0", "ssh_forward": 2222}], "networks[0].ssh_forward"),
])
def test_qemu_network_errors(base, workdir, networks, path):
    with pytest.raises(NestosError) as err:
        qemu_direct.ensure(request("q-net", base, workdir, networks=networks), binary=QEMU)
    assert err.value.path == path
