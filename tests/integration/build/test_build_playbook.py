"""playbooks/build.yml end to end in the lab: the lab assembler image (podman, runc,
--network none), the real lab media, Debian's docker-registry on 127.0.0.1 and skopeo/buildah."""
import gzip
import hashlib
import importlib.util
import io
import json
import os
import pathlib
import re
import subprocess
import tarfile
import urllib.request

import pytest

TOP = pathlib.Path(__file__).resolve().parents[3]
HERE = pathlib.Path(__file__).resolve().parent
DOUBLE = TOP / "tests" / "lab" / "doubles" / "nestos-assembler"
VENV = TOP / ".venv" / "bin"

_spec = importlib.util.spec_from_file_location("nestos_lab_build", DOUBLE / "lab.py")
lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab)

ACCEPT = ", ".join(["application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.oci.image.index.v1+json"])


def registry_get(path, accept=ACCEPT):
    req = urllib.request.Request("http://%s%s" % (lab.REGISTRY, path), headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers, resp.read()


@pytest.fixture(scope="module")
def lab_ready():
    subprocess.run([str(TOP / "tests" / "lab" / "registry" / "registry.sh"), "start"], check=True,
                   stdout=subprocess.DEVNULL)
    if not lab.ARCHIVE.is_file():
        subprocess.run(["sh", str(DOUBLE / "build-image.sh"), str(lab.ARCHIVE), str(lab.CACHE / "buildah"), lab.IMAGE],
                       check=True, stdout=subprocess.DEVNULL)
    return lab.media_paths()  # raises "run `make lab`" when the lab media are missing


def play(tmp_path, extra, playbook="dump.yml", args=()):
    vars_file = tmp_path / ("vars-%d.json" % len(list(tmp_path.glob("vars-*.json"))))
    vars_file.write_text(json.dumps(extra))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0")
    cmd = [str(VENV / "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % (VENV / "python"), "-e", "@%s" % vars_file,
           str(HERE / playbook) if playbook == "dump.yml" else str(TOP / "playbooks" / playbook)] + list(args)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=600, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def recap(output):
    match = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output)
    assert match, output[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def built(lab_ready, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    dump = tmp / "facts.json"
    extra = lab.lab_vars(str(tmp / "nestos-build"), media=lab_ready, delay=12)
    extra["dump_path"] = str(dump)
    rc, out = play(tmp, extra)
    assert rc == 0, out[-5000:]
    return {"facts": json.loads(dump.read_text()), "output": out, "tmp": tmp, "extra": extra, "media": lab_ready}


def test_build_artifacts_are_facts(built):
    facts = built["facts"]["build"]
    assert facts["build_id"].startswith("24.03-LTS.") and facts["arch"] == os.uname().machine
    arts = facts["artifacts"]
    assert set(arts) == {"ostree", "oci-manifest", "qemu", "metal", "metal4k", "live-iso", "live-kernel",
                         "live-initramfs", "live-rootfs"}
    for rec in arts.values():
        assert os.path.isabs(rec["path"]) and rec["verified"]
        assert sha256(rec["path"]) == rec["sha256"] and os.path.getsize(rec["path"]) == rec["size"]
        assert os.path.basename(rec["path"]).startswith("nestos-%s-" % facts["build_id"])
    media = built["media"]
    # the live media are the lab's real media, under nestos-assembler's names
    assert arts["live-iso"]["sha256"] == sha256(media["iso"]) and not arts["live-iso"]["compressed"]
    assert arts["live-kernel"]["sha256"] == sha256(media["kernel"])
    assert arts["live-initramfs"]["sha256"] == sha256(media["initramfs"])
    assert arts["live-rootfs"]["sha256"] == sha256(media["rootfs"])
    assert arts["live-kernel"]["file"] == "nestos-%s-live-kernel-%s" % (facts["build_id"], facts["arch"])
    # compress gzipped the qcow2; it decompresses to the lab disk
    qemu = arts["qemu"]
    assert qemu["compressed"] and qemu["compression"] == "gzip" and qemu["path"].endswith(".qcow2.gz")
    with gzip.open(qemu["path"]) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == sha256(media["qcow2"]) == qemu["uncompressed_sha256"]
    # meta.json is valid against nestos-assembler's own schema
    import jsonschema
    schema = json.loads((pathlib.Path(os.environ.get("NESTOS_FIXTURES", TOP.parent / "shared" / "fixtures" / "upstream"))
                         / "nestos-assembler" / "src" / "v1.json").read_text())
    jsonschema.Draft7Validator(schema).validate(json.loads(pathlib.Path(facts["meta_path"]).read_text()))


def test_pushed_digest_matches_registry(built):
    pushed = built["facts"]["pushed"]
    build = built["facts"]["build"]
    tag = "%s-%s" % (build["build_id"], build["arch"])
    assert pushed["tag"] == tag
    assert pushed["reference"] == "%s/nestos:%s" % (lab.REGISTRY, tag)
    assert pushed["rebase_ref"] == "ostree-unverified-registry:%s/nestos:%s" % (lab.REGISTRY, tag)
    headers, body = registry_get("/v2/nestos/manifests/%s" % tag)
    assert headers["Docker-Content-Digest"] == pushed["digest"]
    assert "sha256:" + hashlib.sha256(body).hexdigest() == pushed["digest"]
    meta = json.loads(pathlib.Path(build["meta_path"]).read_text())
    assert meta["base-oscontainer"] == {"image": "%s/nestos" % lab.REGISTRY, "digest": pushed["digest"]}


def layer_files(manifest_body, repo):
    manifest = json.loads(manifest_body)
    files = {}
    for layer in manifest["layers"]:
        _h, blob = registry_get("/v2/%s/blobs/%s" % (repo, layer["digest"]), accept="*/*")
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            for member in tar.getmembers():
                if member.isfile():
                    files[member.name.lstrip("./")] = tar.extractfile(member).read()
    return manifest, files


def test_config_edits_reach_the_image(built):
    _manifest, files = layer_files(registry_get("/v2/nestos/manifests/%s" % built["facts"]["pushed"]["tag"])[1],
                                   "nestos")
    assert files["etc/test/test.txt"] == b"This is a test message !\n"  # overlay.d file from build_config
    assert b'VERSION_ID="24.03-LTS"' in files["usr/lib/os-release"]
    config = (built["tmp"] / "nestos-build" / "src" / "config")
    assert "  - nano\n  - strace\n" in (config / "manifests" / "nestos.yaml").read_text()
    assert "[lab-extra]" in (config / "nestos-pool.repo").read_text()


def test_derived_image_built_and_pushed(built):
    derived = built["facts"]["derived"]
    assert derived["reference"] == "%s/nestos-derived:lab" % lab.REGISTRY
    assert derived["rebase_ref"] == "ostree-unverified-registry:%s/nestos-derived:lab" % lab.REGISTRY
    assert derived["base"] == built["facts"]["pushed"]["reference"]
    headers, body = registry_get("/v2/nestos-derived/manifests/lab")
    assert headers["Docker-Content-Digest"] == derived["digest"]
    manifest, files = layer_files(body, "nestos-derived")
    assert files["etc/nestos-lab-derived"].startswith(b"layered: strace")
    assert files["etc/test/test.txt"] == b"This is a test message !\n"  # base layer carried over
    _h, cfg = registry_get("/v2/nestos-derived/blobs/%s" % manifest["config"]["digest"], accept="*/*")
    labels = json.loads(cfg)["config"]["Labels"]
    assert labels["org.nestos.lifecycle.input-sha256"] == derived["input_hash"]


def test_progress_is_reported(built):
    # each nosa step is followed through its status file and ends with the log path
    # (the lab build is slowed down by 12 s after its commit step; the role polls every 2 s)
    log = built["tmp"] / "nestos-build-logs" / "nosa-build.log"
    assert re.search(r'"msg": "nosa build: Committing rootfs for nestos 24\.03-LTS\.\d+\.0 \([0-9.]+ s; log %s\)"'
                     % re.escape(str(log)), built["output"]), built["output"][-8000:]
    status = json.loads((built["tmp"] / "nestos-build-logs" / "nosa-build.log.status.json").read_text())
    assert status["finished"] and status["rc"] == 0 and status["step"].startswith("Building qemu image")
    assert "New build " in log.read_text()


def test_second_run_changes_nothing(built):
    meta = pathlib.Path(built["facts"]["build"]["meta_path"])
    before = meta.read_bytes()
    rc, out = play(built["tmp"], built["extra"], args=["--check", "--diff"])
    assert rc == 0, out[-5000:]
    assert recap(out)["changed"] == 0, out[-6000:]
    rc, out = play(built["tmp"], built["extra"])
    assert rc == 0, out[-5000:]
    assert recap(out)["changed"] == 0, out[-6000:]
    assert meta.read_bytes() == before
    assert json.loads((built["tmp"] / "facts.json").read_text())["pushed"]["digest"] == built["facts"]["pushed"]["digest"]


def test_check_mode_on_a_fresh_host_changes_nothing(lab_ready, tmp_path):
    extra = lab.lab_vars(str(tmp_path / "nestos-build"), media=lab_ready)
    extra.update({"build_host_config_dir": str(tmp_path / "etc"), "build_host_nosa_path": str(tmp_path / "bin" / "nosa")})
    rc, out = play(tmp_path, extra, playbook="build.yml", args=["--check"])
    assert rc == 0, out[-5000:]
    assert recap(out)["changed"] > 0  # it predicts the work
    assert not (tmp_path / "etc").exists() and not (tmp_path / "bin").exists()
    assert not (tmp_path / "nestos-build").exists() and not (tmp_path / "nestos-build-logs").exists()


def test_failing_build_step_fails_with_log_tail(lab_ready, tmp_path):
    extra = lab.lab_vars(str(tmp_path / "nestos-build"), media=lab_ready, push=False, derive=False, fail="build")
    extra["dump_path"] = str(tmp_path / "facts.json")
    rc, out = play(tmp_path, extra)
    assert rc != 0
    assert recap(out)["failed"] == 1
    assert "nosa build failed with exit code 1" in out
    assert "error: Packages not found: lab-injected-failure" in out
    assert str(tmp_path / "nestos-build-logs" / "nosa-build.log") in out
    assert not (tmp_path / "facts.json").exists()
    assert not (tmp_path / "nestos-build" / "builds" / "builds.json").exists()


def test_host_missing_requirements_fails_before_installing(lab_ready, tmp_path):
    extra = lab.lab_vars(str(tmp_path / "nestos-build"), media=lab_ready, push=False, derive=False)
    extra.update({"build_host_min_disk_gb": 10 ** 9, "build_host_supported_arches": ["aarch64"]
                  if os.uname().machine == "x86_64" else ["x86_64"],
                  "build_host_install_engine": True,
                  "build_host_require_kvm": True,
                  "build_host_kvm_device": str(tmp_path / "no-kvm"),
                  "build_host_config_dir": str(tmp_path / "etc"),
                  "build_host_nosa_path": str(tmp_path / "bin" / "nosa"),
                  "dump_path": str(tmp_path / "facts.json")})
    rc, out = play(tmp_path, extra)
    assert rc != 0
    assert "This host cannot build NestOS (nothing was installed)" in out
    assert "is not supported (NestOS builds" in out and "a build needs 1000000000 GB" in out
    assert "%s is missing: enable virtualization" % (tmp_path / "no-kvm") in out
    # nothing after the check ran: no engine install, no configuration, no wrapper, no workdir
    assert "Install the container engine" not in out
    assert not (tmp_path / "etc").exists() and not (tmp_path / "bin").exists()
    assert not (tmp_path / "nestos-build").exists()


def test_derive_with_podman_builder(built):
    """The same derive step with podman instead of buildah (runc, --network none), then idempotent."""
    import sys
    sys.path.insert(0, str(TOP / ".build" / "collections"))
    from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import images
    params = {"operation": "derive", "name": "%s/nestos-derived-podman:lab" % lab.REGISTRY, "builder": "podman",
              "tls_verify": False, "environment": lab.container_env(),
              "containerfile_content": "FROM %s\nRUN echo podman-layer > /etc/podman-layer\n"
                                       % built["facts"]["pushed"]["reference"]}
    first = images.execute(params)
    headers, body = registry_get("/v2/nestos-derived-podman/manifests/lab")
    assert headers["Docker-Content-Digest"] == first["digest"]
    _manifest, files = layer_files(body, "nestos-derived-podman")
    assert files["etc/podman-layer"] == b"podman-layer\n"
    second = images.execute(params)
    assert not second["changed"] and second["digest"] == first["digest"]
