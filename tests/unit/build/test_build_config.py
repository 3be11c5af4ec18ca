"""The nestos-config editor: round trips keep comments and layout; a second run changes nothing."""
import os
import pathlib
import shutil

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.assembler import config
from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "lab" / "doubles" / "nestos-assembler" / "config"

EDITS = {
    "repos": [{"id": "extra", "name": "extra", "baseurl": "https://repo.example.com/x/", "enabled": True,
               "gpgcheck": False}],
    "packages": {"add": ["nano", "strace"], "remove": ["zincati"]},
    "packages_arch": {"x86_64": {"add": ["intel-cmt-cat"]}},
    "exclude_packages": {"remove": ["perl"], "add": ["nodejs"]},
    "remove_files": {"add": ["usr/share/doc"]},
    "releasever": "25.03-LTS",
    "rojig": {"name": "mynestos", "summary": "My NestOS"},
    "os_release": {"NAME": "openEuler NestOS", "VERSION_ID": "25.03-LTS", "PRETTY_NAME": 'My "NestOS"'},
    "overlay_files": [{"path": "15nestos/etc/test/test.txt", "content": "This is a test message !\n", "mode": "0640"}],
}


@pytest.fixture
def cfg(tmp_path):
    dest = tmp_path / "config"
    shutil.copytree(SAMPLE, dest)
    return dest


def run(path, check=False, **edits):
    params = dict(path=str(path))
    params.update(edits)
    return config.execute(params, check_mode=check)


def read(path):
    return (path).read_text()


def test_edits_apply_and_second_run_changes_nothing(cfg):
    first = run(cfg, **EDITS)
    assert first["changed"]
    snapshot = {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()}
    second = run(cfg, **EDITS)
    assert not second["changed"]
    assert second["diff"] == []
    assert {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()} == snapshot


def test_comments_and_layout_survive(cfg):
    run(cfg, **EDITS)
    text = read(cfg / "manifests" / "nestos.yaml")
    # comments, inline comments, blank lines and indentation are kept
    assert "# Repository IDs from the .repo files (the bracketed ID).\n" in text
    assert "  - docker-engine   # the container engine\n" in text
    assert "lockfile-repos:\n  - nestos\n  - extra\n\npackages:\n" in text
    assert "  - nano\n  - strace\n\nremove-files:\n" in text
    assert "zincati" not in text
    assert "rojig:\n  license: MIT\n  name: mynestos\n  summary: My NestOS\n" in text
    top = read(cfg / "manifest.yaml")
    assert '# The release version goes into the build id.\nreleasever: "25.03-LTS"\n' in top
    assert top.startswith("# Sample nestos-config")
    # the file with sequences at column 0 keeps that style
    sysconf = read(cfg / "manifests" / "system-configuration.yaml")
    assert sysconf.startswith("packages:\n- chrony\n- logrotate\n")
    assert "  # keep journald small\n" in sysconf
    # arch packages go to the file that already has the key
    assert "packages-x86_64:\n  - microcode_ctl\n  - intel-cmt-cat\n" in read(cfg / "manifests" / "nestos-base.yaml")


def test_untouched_files_are_byte_identical(cfg):
    before = read(cfg / "image-base.yaml"), read(cfg / "manifests" / "nestos-base.yaml")
    run(cfg, packages={"add": ["nano"]})
    assert (read(cfg / "image-base.yaml"), read(cfg / "manifests" / "nestos-base.yaml")) == before


def test_repo_file_and_lockfile_repos(cfg):
    run(cfg, repos=EDITS["repos"])
    repo = read(cfg / "nestos-pool.repo")
    assert repo.startswith("# Package pool of the lab build")
    assert "[extra]\nname=extra\nbaseurl=https://repo.example.com/x/\nenabled=1\ngpgcheck=0\n" in repo
    assert "  - extra\n" in read(cfg / "manifests" / "nestos.yaml")
    # changing one option rewrites only that line
    run(cfg, repos=[{"id": "nestos", "baseurl": "http://mirror.example.com/pool/"}])
    repo = read(cfg / "nestos-pool.repo")
    assert "[nestos]\nname=nestos\nbaseurl=http://mirror.example.com/pool/\nenabled=1\n" in repo
    # absent removes the section and the lockfile entry
    result = run(cfg, repos=[{"id": "extra", "state": "absent"}])
    assert result["changed"]
    assert "[extra]" not in read(cfg / "nestos-pool.repo")
    assert "extra" not in read(cfg / "manifests" / "nestos.yaml")


def test_exact_lockfile_repos(cfg):
    run(cfg, lockfile_repos=["a", "b"])
    text = read(cfg / "manifests" / "nestos.yaml")
    assert "lockfile-repos:\n  - a\n  - b\n" in text


def test_os_release_script_replaced_not_duplicated(cfg):
    run(cfg, os_release={"NAME": "One"})
    run(cfg, os_release={"NAME": "Two", "VERSION_ID": "2"}, os_release_buildid_date=True)
    text = read(cfg / "manifests" / "system-configuration.yaml")
    assert text.count(config.OS_RELEASE_MARKER) == 1
    assert 'NAME="Two"' in text and 'NAME="One"' not in text
    assert "BUILDID" in text
    assert "cp -f /usr/lib/os-release /etc/os-release" in text


def test_check_mode_writes_nothing_but_shows_diff(cfg):
    snapshot = {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()}
    result = run(cfg, check=True, **EDITS)
    assert result["changed"]
    headers = sorted(d["before_header"] for d in result["diff"])
    assert "manifests/nestos.yaml" in headers and "nestos-pool.repo" in headers
    assert "overlay.d/15nestos/etc/test/test.txt" in headers
    assert {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()} == snapshot


def test_overlay_file_mode_and_removal(cfg):
    run(cfg, overlay_files=EDITS["overlay_files"])
    target = cfg / "overlay.d" / "15nestos" / "etc" / "test" / "test.txt"
    assert target.read_text() == "This is a test message !\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert not run(cfg, overlay_files=EDITS["overlay_files"])["changed"]
    run(cfg, overlay_files=[{"path": "15nestos/etc/test/test.txt", "state": "absent"}])
    assert not target.exists()


def test_overlay_path_cannot_escape(cfg):
    with pytest.raises(NestosError, match="leaves"):
        run(cfg, overlay_files=[{"path": "../../etc/passwd", "content": "x"}])


def test_overrides(tmp_path):
    rpm = tmp_path / "foo-1.0-1.x86_64.rpm"
    rpm.write_bytes(b"\xed\xab\xee\xdbfake rpm lead")
    wd = tmp_path / "wd"
    params = {"workdir": str(wd), "overrides_rootfs": [{"path": "etc/motd", "content": "hi\n", "mode": "0644"}],
              "overrides_rpm": [{"src": str(rpm)}]}
    assert config.execute(params)["changed"]
    assert (wd / "overrides" / "rootfs" / "etc" / "motd").read_text() == "hi\n"
    assert (wd / "overrides" / "rpm" / rpm.name).read_bytes() == rpm.read_bytes()
    assert not config.execute(params)["changed"]


def test_bad_yaml_names_file_and_line(cfg):
    (cfg / "manifests" / "nestos-base.yaml").write_text("packages:\n  - a\n  b: [\n")
    with pytest.raises(NestosError) as err:
        run(cfg, packages={"add": ["nano"]})
    assert err.value.file == "manifests/nestos-base.yaml"
    assert err.value.line is not None and err.value.line >= 3


def test_wrong_type_names_field(cfg):
    broken = read(cfg / "manifests" / "nestos.yaml").replace(
        "exclude-packages:\n  - python\n  - python3\n  - perl\n", "exclude-packages: perl\n")
    (cfg / "manifests" / "nestos.yaml").write_text(broken)
    line = broken.splitlines().index("exclude-packages: perl") + 1
    with pytest.raises(NestosError) as err:
        run(cfg, exclude_packages={"add": ["nodejs"]})
    assert err.value.path == "$.exclude-packages"
    assert err.value.file == "manifests/nestos.yaml"
    assert err.value.line == line


def test_missing_include_is_reported(cfg):
    os.unlink(cfg / "manifests" / "nestos-base.yaml")
    with pytest.raises(NestosError, match="included file does not exist"):
        run(cfg, packages={"add": ["nano"]})


def test_bad_releasever_rejected(cfg):
    with pytest.raises(NestosError) as err:
        run(cfg, releasever="24.03 LTS")
    assert err.value.path == "releasever"
    assert read(cfg / "manifest.yaml") == read(SAMPLE / "manifest.yaml")


@pytest.mark.parametrize("text,expected", [
    ("", "[r]\nbaseurl=u\n"),
    ("[a]\nx=1", "[a]\nx=1\n\n[r]\nbaseurl=u\n"),
])
def test_repo_text_new_section(text, expected):
    assert config.edit_repo_text(text, "r", {"baseurl": "u"}) == expected


# ---- the nestos-config fields of guide 5.4 that had no option: remove-from-packages, extra-kargs,
# initramfs-args, default-target, named postprocess scripts

MORE = {
    "remove_from_packages": [{"package": "systemd", "paths": ["/usr/lib/systemd/system-generators/systemd-gpt-.*"]}],
    "extra_kargs": {"add": ["console=ttyS0,115200n8"], "remove": ["mitigations=auto,nosmt"]},
    "initramfs_args": {"add": ["--no-hostonly", "--add=ignition"]},
    "default_target": "graphical.target",
    "postprocess": [{"name": "motd", "script": "#!/usr/bin/env bash\nset -euo pipefail\necho hi > /etc/motd\n"}],
}


def test_more_fields_apply_keep_comments_and_are_idempotent(cfg):
    first = run(cfg, **MORE)
    assert first["changed"]
    base = read(cfg / "manifests" / "nestos-base.yaml")
    assert "default-target: graphical.target\n" in base and "multi-user" not in base
    assert "# core tools\n" in base
    image = read(cfg / "image-base.yaml")
    assert "extra-kargs:\n  - console=ttyS0,115200n8\n" in image and "mitigations" not in image
    top = read(cfg / "manifest.yaml")
    assert "remove-from-packages:\n- [systemd, /usr/lib/systemd/system-generators/systemd-gpt-.*]\n" in top
    assert "initramfs-args:\n- --no-hostonly\n- --add=ignition\n" in top
    sysconf = read(cfg / "manifests" / "system-configuration.yaml")
    assert "  # keep journald small\n" in sysconf
    assert "- |\n  #!/usr/bin/env bash\n  # nestos.lifecycle: postprocess motd\n  set -euo pipefail\n" in sysconf
    assert any("image-base.yaml: extra-kargs: added console=ttyS0,115200n8" == c for c in first["changes"])
    headers = sorted(d["before_header"] for d in first["diff"])
    assert headers == ["image-base.yaml", "manifest.yaml", "manifests/nestos-base.yaml",
                       "manifests/system-configuration.yaml"]
    snapshot = {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()}
    again = run(cfg, **MORE)
    assert not again["changed"] and again["diff"] == []
    assert {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()} == snapshot


def test_changed_postprocess_replaces_its_script_and_absent_removes_it(cfg):
    run(cfg, **MORE)
    newer = "#!/usr/bin/env bash\necho bye > /etc/motd\n"
    changed = run(cfg, postprocess=[{"name": "motd", "script": newer}])
    assert changed["changes"] == ["manifests/system-configuration.yaml: postprocess: script motd replaced"]
    text = read(cfg / "manifests" / "system-configuration.yaml")
    assert text.count("nestos.lifecycle: postprocess motd") == 1 and "echo bye" in text and "echo hi" not in text
    gone = run(cfg, postprocess=[{"name": "motd", "state": "absent"}])
    assert gone["changed"] and "postprocess motd" not in read(cfg / "manifests" / "system-configuration.yaml")
    # the scripts that were there before are untouched
    assert "mkdir -p /usr/lib/systemd/journald.conf.d" in read(cfg / "manifests" / "system-configuration.yaml")


def test_remove_from_packages_entry_replaced_then_dropped(cfg):
    run(cfg, **MORE)
    run(cfg, remove_from_packages=[{"package": "systemd", "paths": ["/usr/bin/systemd-analyze"]}])
    top = read(cfg / "manifest.yaml")
    assert "- [systemd, /usr/bin/systemd-analyze]\n" in top and "gpt" not in top
    run(cfg, remove_from_packages=[{"package": "systemd", "state": "absent"}])
    assert "[systemd" not in read(cfg / "manifest.yaml")


def test_check_mode_shows_the_new_fields_and_writes_nothing(cfg):
    snapshot = {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()}
    result = run(cfg, check=True, **MORE)
    assert result["changed"] and any("graphical.target" in d["after"] for d in result["diff"])
    assert {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()} == snapshot


@pytest.mark.parametrize("edits,path", [
    ({"default_target": "multi-user"}, "default_target"),
    ({"postprocess": [{"name": "x y", "script": "#!/bin/sh\n"}]}, "postprocess[0].name"),
    ({"postprocess": [{"name": "motd", "script": "echo no shebang\n"}]}, "postprocess[0].script"),
    ({"remove_from_packages": [{"package": "systemd"}]}, "remove_from_packages[0].paths"),
    ({"remove_from_packages": [{"paths": ["/x"]}]}, "remove_from_packages[0].package"),
    # found by `make fuzz` (build engine): YAML reads U+0085 as a line break, so the value did not read
    # back as written and every run "changed" the file again
    ({"initramfs_args": {"add": ["\x85"]}}, "initramfs_args.add[0]"),
    ({"extra_kargs": {"add": ["quiet", "a\u2028b"]}}, "extra_kargs.add[1]"),
    ({"packages": {"add": ["vim\x00"]}}, "packages.add[0]"),
    ({"remove_from_packages": [{"package": "systemd", "paths": ["/x\x1b"]}]}, "remove_from_packages[0].paths[0]"),
    ({"postprocess": [{"name": "motd", "script": "#!/bin/sh\necho a\u2029b\n"}]}, "postprocess[0].script"),
    ({"releasever": "1\n"}, "releasever"),
    ({"default_target": "multi-user.target\n"}, "default_target"),
])
def test_more_fields_bad_values_name_the_field(cfg, edits, path):
    snapshot = {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()}
    with pytest.raises(NestosError) as err:
        run(cfg, **edits)
    assert err.value.path == path
    assert {p: p.read_bytes() for p in cfg.rglob("*") if p.is_file()} == snapshot


def test_extra_kargs_without_image_yaml_is_a_clear_error(cfg):
    (cfg / "image.yaml").unlink()
    with pytest.raises(NestosError, match="image.yaml not found"):
        run(cfg, extra_kargs={"add": ["quiet"]})


def test_overlay_destination_symlink_is_refused_and_not_read(cfg, tmp_path):
    """The destination rule: a symlink at an overlay file's path is neither followed for the diff nor replaced."""
    secret = tmp_path / "outside.txt"
    secret.write_text("not yours\n")
    folder = cfg / "overlay.d" / "15nestos" / "etc"
    (folder / "link.txt").symlink_to(secret)
    with pytest.raises(NestosError, match="symbolic link"):
        run(cfg, overlay_files=[{"path": "15nestos/etc/link.txt", "content": "x\n"}])
    assert secret.read_text() == "not yours\n" and (folder / "link.txt").is_symlink()


def test_overlay_path_through_a_symlinked_folder_is_refused(cfg, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (cfg / "overlay.d" / "escape").symlink_to(outside)
    with pytest.raises(NestosError) as err:
        run(cfg, overlay_files=[{"path": "escape/x.txt", "content": "x\n"}])
    assert err.value.path == "overlay_files" and os.listdir(str(outside)) == []


def test_an_edit_ruamel_would_write_as_unreadable_yaml_is_refused(tmp_path):
    # found by `make fuzz` (build engine, seed 2168382134): a complex key after the edited one made
    # ruamel emit a manifest it cannot read back; the file must stay as it was
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "nestos.yaml").write_text("packages:\n  - bash\n")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("# top\nreleasever: \"1\"\ninclude: manifests/nestos.yaml\n"
                        "rojig: [1]\n# comment only\n? [a]\n: b\n")
    before = manifest.read_bytes()
    with pytest.raises(NestosError, match="would not read back as YAML") as err:
        run(tmp_path, default_target="multi-user.target")
    assert err.value.file == "manifest.yaml"
    assert manifest.read_bytes() == before


def test_an_anchor_name_used_twice_edits_without_warnings_on_stderr(tmp_path):
    # YAML lets a later anchor of the same name win; ruamel warned (ReusedAnchorWarning) on every load,
    # which lands on a module's stderr and filled the build fuzz output
    import warnings

    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "nestos.yaml").write_text("packages:\n  - bash\n")
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("releasever: \"1\"\ninclude: manifests/nestos.yaml\nx: &a 1\ny: &a 2\nz: *a\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(tmp_path, default_target="multi-user.target")
        run(tmp_path, default_target="multi-user.target")
    assert [str(w.message) for w in caught] == []
    text = manifest.read_text()
    assert "default-target: multi-user.target" in text and "y: &a 2\nz: *a\n" in text
