"""Push/derive logic: destinations, tags, idempotence decisions (skopeo calls recorded)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import oci
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError


@pytest.mark.parametrize("name,transport,tag,expected", [
    ("reg.example.com/nestos", "docker", None, ("reg.example.com/nestos:1.0-x86_64", "docker://reg.example.com/nestos:1.0-x86_64")),
    ("127.0.0.1:5005/nestos", "registry", None, ("127.0.0.1:5005/nestos:1.0-x86_64", "docker://127.0.0.1:5005/nestos:1.0-x86_64")),
    ("127.0.0.1:5005/nestos:mine", "docker", None, ("127.0.0.1:5005/nestos:mine", "docker://127.0.0.1:5005/nestos:mine")),
    ("localhost/nestos", "podman", "t", ("localhost/nestos:t", "containers-storage:localhost/nestos:t")),
    ("localhost/nestos", "docker-daemon", "t", ("localhost/nestos:t", "docker-daemon:localhost/nestos:t")),
    ("/tmp/out", "dir", None, ("/tmp/out", "dir:/tmp/out")),
    ("/tmp/out.tar", "docker-archive", "t", ("/tmp/out.tar:out.tar:t", "docker-archive:/tmp/out.tar:out.tar:t")),
])
def test_destination(name, transport, tag, expected):
    ref, dest, _tag = oci.destination(name, transport, tag, "1.0", "x86_64")
    assert (ref, dest) == expected


def test_tag_suffix_and_errors():
    assert oci.destination("r/n", "docker", None, "1", "aarch64", "dev")[2] == "1-aarch64-dev"
    with pytest.raises(NestosError, match="unsupported transport"):
        oci.destination("r/n", "ftp")
    with pytest.raises(NestosError, match="no tag"):
        oci.destination("r/n", "docker")
    assert oci.rebase_ref("r/n:t") == "ostree-unverified-registry:r/n:t"


class Recorder(object):
    def __init__(self, remote):
        self.calls = []
        self.remote = remote

    def __call__(self, cmd, check, stdin):
        self.calls.append(cmd)
        if cmd[:2] == ["skopeo", "inspect"]:
            if self.remote is None:
                return 1, "", "manifest unknown"
            return 0, self.remote + "\n", ""
        if cmd[:2] == ["skopeo", "copy"]:
            with open(cmd[cmd.index("--digestfile") + 1], "w") as handle:
                handle.write("sha256:" + "b" * 64)
            return 0, "", ""
        raise AssertionError(cmd)


def test_push_skips_when_registry_has_recorded_digest(tmp_path):
    archive = tmp_path / "a.ociarchive"
    archive.write_bytes(b"x")
    digest = "sha256:" + "a" * 64
    rec = Recorder(digest)
    changed, got = oci.push(oci.Tools(runner=rec), str(archive), "docker://r/n:t", known_digest=digest)
    assert (changed, got) == (False, digest)
    assert not [c for c in rec.calls if c[1] == "copy"]


def test_push_copies_and_returns_digest(tmp_path):
    archive = tmp_path / "a.ociarchive"
    archive.write_bytes(b"x")
    rec = Recorder(None)
    changed, got = oci.push(oci.Tools(runner=rec), str(archive), "docker://r/n:t", tls_verify=False,
                            creds="u:secret", authfile="/auth.json")
    assert changed and got == "sha256:" + "b" * 64
    copy = [c for c in rec.calls if c[1] == "copy"][0]
    assert "--dest-tls-verify=false" in copy and "--dest-authfile=/auth.json" in copy
    assert copy[-2:] == ["oci-archive:%s" % archive, "docker://r/n:t"]
    assert "secret" not in " ".join(oci._redact(copy))


def test_push_check_mode_copies_nothing(tmp_path):
    archive = tmp_path / "a.ociarchive"
    archive.write_bytes(b"x")
    rec = Recorder(None)
    assert oci.push(oci.Tools(runner=rec), str(archive), "docker://r/n:t", check_mode=True) == (True, None)
    assert not [c for c in rec.calls if c[1] == "copy"]


def test_missing_archive(tmp_path):
    with pytest.raises(NestosError, match="OCI archive not found"):
        oci.push(oci.Tools(runner=Recorder(None)), str(tmp_path / "none"), "docker://r/n:t")


def test_record_push_like_nosa(tmp_path):
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"buildid": "1", "images": {}}, indent=4))
    assert oci.record_push(str(meta), "r/n", "sha256:" + "c" * 64)
    text = meta.read_text()
    assert text == json.dumps(json.loads(text), sort_keys=True)  # compact, sorted, as push-container writes
    assert json.loads(text)["base-oscontainer"] == {"image": "r/n", "digest": "sha256:" + "c" * 64}
    assert not oci.record_push(str(meta), "r/n", "sha256:" + "c" * 64)


def test_base_image_and_input_hash(tmp_path):
    assert oci.base_image_of("# x\nFROM --platform=linux/amd64 r/n:t AS b\nRUN x\n") == "r/n:t"
    with pytest.raises(NestosError, match="no FROM"):
        oci.base_image_of("RUN x\n")
    one = oci.derive_inputs_hash("FROM a\n", "sha256:1", {}, None)
    assert one != oci.derive_inputs_hash("FROM a\n", "sha256:2", {}, None)
    assert one != oci.derive_inputs_hash("FROM a\n", "sha256:1", {"X": "1"}, None)
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "f").write_text("1")
    h1 = oci.derive_inputs_hash("FROM a\n", "sha256:1", {}, str(ctx))
    (ctx / "f").write_text("2")
    assert h1 != oci.derive_inputs_hash("FROM a\n", "sha256:1", {}, str(ctx))


class SameConfig(Recorder):
    """The registry holds an image whose config blob equals the archive's (pushed before, recompressed)."""

    def __call__(self, cmd, check, stdin):
        if cmd[:3] == ["skopeo", "inspect", "--raw"]:
            self.calls.append(cmd)
            return 0, json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:" + "e" * 64}}), ""
        return Recorder.__call__(self, cmd, check, stdin)


def test_push_skips_when_registry_has_same_image_content(tmp_path):
    archive = tmp_path / "a.ociarchive"
    archive.write_bytes(b"x")
    remote = "sha256:" + "d" * 64
    rec = SameConfig(remote)
    assert oci.push(oci.Tools(runner=rec), str(archive), "docker://r/n:t") == (False, remote)
    assert not [c for c in rec.calls if c[1] == "copy"]
    inspected = [c[-1] for c in rec.calls if c[:3] == ["skopeo", "inspect", "--raw"]]
    assert inspected == ["docker://r/n:t", "oci-archive:%s" % archive]
    # force copies anyway
    assert oci.push(oci.Tools(runner=SameConfig(remote)), str(archive), "docker://r/n:t", force=True)[0]
