"""The assembler engine (runner + facts) driven against the lab assembler's entry point."""
import hashlib
import json
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import runner
from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler.meta import Workdir, build_facts
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


def nosa_run(nosa, wd, command, args=(), check=False, **extra):
    params = {"workdir": str(wd), "command": command, "args": list(args), "nosa": nosa, "collect": "auto"}
    params.update(extra)
    return runner.execute(params, check_mode=check)


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_full_flow_facts_and_idempotence(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    assert nosa_run(nosa, wd, "init", [config_src])["changed"]
    again = nosa_run(nosa, wd, "init", [config_src])
    assert not again["changed"] and "already initialised" in again["skipped_reason"]
    assert not nosa_run(nosa, wd, "fetch")["changed"]
    first = nosa_run(nosa, wd, "build")
    assert first["changed"]
    build = first["build"]
    assert build["arch"] == os.uname().machine
    assert build["build_id"].startswith("24.03-LTS.")
    assert first["diff"]["after"] == build["build_id"] + "\n"
    # a rebuild without input changes makes no new build
    second = nosa_run(nosa, wd, "build")
    assert not second["changed"]
    assert second["build"]["builds"] == [build["build_id"]]
    for ext in ("metal", "metal4k", "live"):
        assert nosa_run(nosa, wd, "buildextend-" + ext)["changed"]
    skipped = nosa_run(nosa, wd, "buildextend-live")
    assert not skipped["changed"] and "already has the live-iso image" in skipped["skipped_reason"]
    comp = nosa_run(nosa, wd, "compress", verify=True)
    assert comp["changed"]
    arts = comp["build"]["artifacts"]
    assert set(arts) >= {"ostree", "qemu", "metal", "metal4k", "live-iso", "live-kernel", "live-initramfs",
                         "live-rootfs"}
    for rec in arts.values():
        assert os.path.isabs(rec["path"]) and os.path.isfile(rec["path"])
        assert rec["verified"] and rec["sha256"] == sha(rec["path"])
        assert rec["size"] == os.path.getsize(rec["path"])
    assert arts["qemu"]["compressed"] and arts["qemu"]["path"].endswith(".qcow2.gz")
    assert not arts["live-iso"]["compressed"] and arts["live-iso"]["skip_compression"]
    assert comp["build"]["oci_archive"] == arts["ostree"]["path"]
    assert not nosa_run(nosa, wd, "compress")["changed"]
    assert not nosa_run(nosa, wd, "list")["changed"]


def test_config_change_makes_new_build(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    one = nosa_run(nosa, wd, "build")["build"]["build_id"]
    with open(wd / "src" / "config" / "manifest.yaml", "a") as handle:
        handle.write("# changed\n")
    two = nosa_run(nosa, wd, "build")
    assert two["changed"]
    assert two["build"]["builds"][0] != one and two["build"]["builds"][1] == one


def test_failure_returns_log_tail(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    with pytest.raises(NestosError) as err:
        nosa_run(nosa, wd, "build", environment={"NOSA_LAB_FAIL": "build"})
    assert err.value.rc == 1
    assert os.path.isfile(err.value.log)
    assert any("Packages not found: lab-injected-failure" in line for line in err.value.tail)
    assert "Packages not found" in str(err.value) and err.value.log in str(err.value)
    status = json.load(open(err.value.log + ".status.json"))
    assert status["finished"] and status["rc"] == 1
    assert status["step"].startswith("+ rpm-ostree compose tree")


def test_check_mode_does_not_run(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    result = nosa_run(nosa, wd, "build", check=True)
    assert result["changed"] and "would" in result["msg"]
    assert not (wd / "builds" / "builds.json").exists()


def test_removed_and_unknown_commands_refused(tmp_path, nosa):
    with pytest.raises(NestosError, match="not applicable to NestOS"):
        nosa_run(nosa, tmp_path, "buildextend-aws")
    with pytest.raises(NestosError, match="unknown nosa command"):
        nosa_run(nosa, tmp_path, "frobnicate")
    with pytest.raises(NestosError, match="unknown build target"):
        nosa_run(nosa, tmp_path, "build", ["vmware"])


def test_init_refuses_foreign_nonempty_dir(tmp_path, nosa, config_src):
    (tmp_path / "stuff").write_text("x")
    with pytest.raises(NestosError, match="not empty"):
        nosa_run(nosa, tmp_path, "init", [config_src])


def test_live_needs_metal(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    nosa_run(nosa, wd, "build")
    with pytest.raises(NestosError, match="requires `metal` image"):
        nosa_run(nosa, wd, "buildextend-live")


def test_missing_nosa_is_clear(tmp_path, config_src):
    with pytest.raises(NestosError, match="build_host role"):
        nosa_run(str(tmp_path / "nope"), tmp_path / "wd", "init", [config_src])


def test_verify_detects_tampering(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    facts = nosa_run(nosa, wd, "build")["build"]
    with open(facts["artifacts"]["qemu"]["path"], "r+b") as handle:
        handle.write(b"X")
    with pytest.raises(NestosError) as err:
        build_facts(str(wd), verify=True)
    assert err.value.path == "$.images.qemu.sha256"
    os.unlink(facts["artifacts"]["qemu"]["path"])
    with pytest.raises(NestosError, match="missing"):
        build_facts(str(wd), verify=True)


def test_prune_keeps_newest(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    ids = []
    for n in range(3):
        ids.append(nosa_run(nosa, wd, "build", ["--force", "--version", "1.%d" % n])["build"]["build_id"])
    assert Workdir(str(wd)).build_ids() == ids[::-1]
    res = nosa_run(nosa, wd, "prune", ["--keep-last-n", "1"])
    assert res["changed"]
    assert Workdir(str(wd)).build_ids() == [ids[-1]]
    assert not (wd / "builds" / ids[0]).exists()


def test_check_mode_predictions(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    assert not nosa_run(nosa, wd, "fetch", check=True)["changed"]
    assert nosa_run(nosa, wd, "build", check=True)["changed"]  # no build yet
    assert not nosa_run(nosa, wd, "compress", check=True)["changed"]
    nosa_run(nosa, wd, "build")
    predicted = nosa_run(nosa, wd, "build", check=True)
    assert not predicted["changed"] and "unchanged since build" in predicted["msg"]
    assert nosa_run(nosa, wd, "build", ["metal"], check=True)["changed"]  # metal image missing
    assert nosa_run(nosa, wd, "compress", check=True)["changed"]
    nosa_run(nosa, wd, "compress")
    assert not nosa_run(nosa, wd, "compress", check=True)["changed"]
    assert nosa_run(nosa, wd, "uncompress", check=True)["changed"]
    assert not nosa_run(nosa, wd, "prune", check=True)["changed"]
    # a config edit makes the next build predicted (and real)
    with open(wd / "src" / "config" / "manifest.yaml", "a") as handle:
        handle.write("# edited\n")
    assert nosa_run(nosa, wd, "build", check=True)["changed"]
    assert nosa_run(nosa, wd, "build")["changed"]


def test_uncompress_restores_artifacts(tmp_path, nosa, config_src):
    wd = tmp_path / "wd"
    nosa_run(nosa, wd, "init", [config_src])
    plain = nosa_run(nosa, wd, "build")["build"]["artifacts"]["qemu"]
    packed = nosa_run(nosa, wd, "compress")["build"]["artifacts"]["qemu"]
    assert packed["uncompressed_sha256"] == plain["sha256"] and packed["uncompressed_size"] == plain["size"]
    back = nosa_run(nosa, wd, "uncompress", verify=True)
    assert back["changed"]
    qemu = back["build"]["artifacts"]["qemu"]
    assert (qemu["path"], qemu["sha256"], qemu["compressed"]) == (plain["path"], plain["sha256"], False)
    assert not os.path.exists(packed["path"])


def test_nosa_run_points_to_the_role_entry_point(tmp_path, nosa):
    """nosa run is interactive: the module says where the same machine comes from instead of hanging."""
    with pytest.raises(NestosError) as err:
        nosa_run(nosa, tmp_path, "run", ["--qemu-image", "/x.qcow2"])
    assert "tasks_from: run" in str(err.value) and err.value.path == "command"
    assert not (tmp_path / "builds").exists()
