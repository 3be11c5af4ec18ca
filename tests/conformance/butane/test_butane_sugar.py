"""storage.trees, with_mount_unit and boot_device (expectations from coreos/butane
base/v0_4/translate_test.go and config/fcos/v1_4/translate_test.go, written by hand)."""
import base64
import gzip
import os
import subprocess

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.errors import ButaneError
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.sugar import unit_path_escape
from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate

HEAD = "variant: nestos\nversion: 1.0.0\n"


def decode(res):
    src = res["source"]
    if src.startswith("data:;base64,"):
        raw = base64.b64decode(src[len("data:;base64,"):])
    else:
        from urllib.parse import unquote_to_bytes
        raw = unquote_to_bytes(src[len("data:,"):])
    return gzip.decompress(raw) if res.get("compression") == "gzip" else raw


# ---- trees ----------------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "files"
    (root / "tree" / "sub").mkdir(parents=True)
    (root / "tree" / "b.txt").write_text("b")
    (root / "tree" / "a.sh").write_text("#!/bin/sh\n")
    os.chmod(str(root / "tree" / "a.sh"), 0o750)
    (root / "tree" / "sub" / "c").write_text("c" * 500)
    os.symlink("../b.txt", str(root / "tree" / "sub" / "link"))
    return root


def test_tree_files_links_modes_and_order(tr_json, tree):
    out = tr_json(HEAD + "storage:\n  trees:\n    - local: tree\n      path: /etc/app\n", files_dir=str(tree))
    files = out["storage"]["files"]
    assert [f["path"] for f in files] == ["/etc/app/a.sh", "/etc/app/b.txt", "/etc/app/sub/c"]
    assert [f["mode"] for f in files] == [493, 420, 420]
    assert files[1]["contents"] == {"compression": "", "source": "data:,b"}
    assert decode(files[2]["contents"]) == b"c" * 500 and files[2]["contents"]["compression"] == "gzip"
    assert out["storage"]["links"] == [{"path": "/etc/app/sub/link", "target": "../b.txt"}]


def test_tree_default_path_is_root(tr_json, tree):
    out = tr_json(HEAD + "storage:\n  trees:\n    - local: tree/sub\n", files_dir=str(tree))
    assert [f["path"] for f in out["storage"]["files"]] == ["/c"]


def test_tree_fills_existing_entry_and_keeps_mode(tr_json, tree):
    out = tr_json(HEAD + "storage:\n  files:\n    - path: /etc/app/b.txt\n      mode: 0600\n"
                  "  trees:\n    - local: tree\n      path: /etc/app\n", files_dir=str(tree))
    first = out["storage"]["files"][0]
    assert first == {"path": "/etc/app/b.txt", "contents": {"compression": "", "source": "data:,b"}, "mode": 384}
    assert len(out["storage"]["files"]) == 3


@pytest.mark.parametrize("extra", [
    "  files:\n    - path: /etc/app/b.txt\n      contents:\n        source: https://e.com/x\n",
    "  directories:\n    - path: /etc/app/b.txt\n",
    "  links:\n    - path: /etc/app/sub/link\n      target: /x\n",
])
def test_tree_conflicts(tree, extra):
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n" + extra + "  trees:\n    - local: tree\n      path: /etc/app\n",
                  files_dir=str(tree))
    assert "error at $.storage.trees.0" in str(err.value)
    assert "matching filesystem node has existing contents or different type" in str(err.value)


@pytest.mark.parametrize("body,files_dir,message", [
    ("    - local: tree\n", None, "local file paths are relative to a files directory that must be specified "
                                  "with -d/--files-dir"),
    ("    - local: tree/b.txt\n", True, "root of tree must be a directory"),
    ("    - local: ../\n", True, "local file path traverses outside the files directory"),
    ("    - path: /x\n", True, "local is required"),
])
def test_tree_errors(tree, body, files_dir, message):
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  trees:\n" + body, files_dir=str(tree) if files_dir else None)
    assert "error at $.storage.trees.0" in str(err.value)
    assert message in str(err.value)


def test_tree_fifo_refused(tree):
    os.mkfifo(str(tree / "tree" / "fifo"))
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  trees:\n    - local: tree\n", files_dir=str(tree))
    assert "trees may only contain files, directories, and symlinks" in str(err.value)


# ---- mount units ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/var/lib/containers", "/", "/dev/disk/by-label/foo", "/var/.hidden//x/",
                                  "/.x", "/a b", "/var/\u00e9t\u00e9", "/srv/a:b_c.d", "/x\\y"])
def test_systemd_escape_path_matches_real_systemd_escape(path):
    real = subprocess.run(["systemd-escape", "--path", path], stdout=subprocess.PIPE, check=True)
    assert unit_path_escape(path) == real.stdout.decode().strip()


def test_mount_unit_local_with_options_user_override(tr_json):
    out = tr_json(HEAD + "storage:\n  filesystems:\n    - device: /dev/disk/by-label/foo\n      format: ext4\n"
                  "      path: /var/lib/containers\n      mount_options: [ro, noatime]\n      with_mount_unit: true\n"
                  "systemd:\n  units:\n    - name: var-lib-containers.mount\n      enabled: false\n")
    assert out["storage"]["filesystems"] == [{"device": "/dev/disk/by-label/foo", "format": "ext4",
                                              "mountOptions": ["ro", "noatime"], "path": "/var/lib/containers"}]
    assert out["systemd"]["units"] == [{
        "contents": "# Generated by Butane\n[Unit]\nRequires=systemd-fsck@dev-disk-by\\x2dlabel-foo.service\n"
                    "After=systemd-fsck@dev-disk-by\\x2dlabel-foo.service\n\n[Mount]\nWhere=/var/lib/containers\n"
                    "What=/dev/disk/by-label/foo\nType=ext4\nOptions=ro,noatime\n\n[Install]\nRequiredBy=local-fs.target",
        "enabled": False, "name": "var-lib-containers.mount"}]


def test_mount_unit_remote_luks(tr_json):
    out = tr_json(HEAD + "storage:\n  luks:\n    - name: foo-bar\n      device: /dev/bar\n      clevis:\n"
                  "        tang:\n          - url: http://example.com\n            thumbprint: x\n"
                  "  filesystems:\n    - device: /dev/mapper/foo-bar\n      format: ext4\n      path: /var/lib/containers\n"
                  "      with_mount_unit: true\n")
    unit = out["systemd"]["units"][0]
    assert unit["contents"] == (
        "# Generated by Butane\n[Unit]\nRequires=systemd-fsck@dev-mapper-foo\\x2dbar.service\n"
        "After=systemd-fsck@dev-mapper-foo\\x2dbar.service\n\n[Mount]\nWhere=/var/lib/containers\n"
        "What=/dev/mapper/foo-bar\nType=ext4\nOptions=_netdev\n\n[Install]\nRequiredBy=remote-fs.target")


def test_swap_unit(tr_json):
    out = tr_json(HEAD + "storage:\n  filesystems:\n    - device: /dev/disk/by-partlabel/swap\n      format: swap\n"
                  "      with_mount_unit: true\n")
    assert out["systemd"]["units"] == [{
        "contents": "# Generated by Butane\n[Swap]\nWhat=/dev/disk/by-partlabel/swap\n\n[Install]\n"
                    "RequiredBy=swap.target",
        "enabled": True, "name": "dev-disk-by\\x2dpartlabel-swap.swap"}]


def test_generated_units_come_before_user_units(tr_json):
    out = tr_json(HEAD + "storage:\n  filesystems:\n    - device: /dev/vdb\n      format: xfs\n      path: /var/srv\n"
                  "      with_mount_unit: true\nsystemd:\n  units:\n    - name: a.service\n      mask: true\n")
    assert [u["name"] for u in out["systemd"]["units"]] == ["var-srv.mount", "a.service"]


@pytest.mark.parametrize("version,body,message", [
    ("nestos\nversion: 1.0.0", "      path: /x\n", "error at $.storage.filesystems.0.format"),
    ("nestos\nversion: 1.0.0", "      format: xfs\n",
     "path is required if with_mount_unit is true and format is not swap"),
    ("fcos\nversion: 1.1.0", "      format: swap\n", "path is required if with_mount_unit is true"),
])
def test_mount_unit_errors(version, body, message):
    with pytest.raises(ButaneError) as err:
        translate("variant: %s\nstorage:\n  filesystems:\n    - device: /dev/vdb\n      with_mount_unit: true\n%s"
                  % (version, body))
    assert message in str(err.value)


def test_generated_unit_error_points_at_with_mount_unit():
    # a unit name clash with a file at /etc/systemd/system/... is fine; an invalid generated
    # config must point back at the YAML that made it: here a duplicate filesystem device
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  filesystems:\n    - device: /dev/vdb\n      format: xfs\n      path: /a\n"
                  "      with_mount_unit: true\n    - device: /dev/vdb\n      format: xfs\n")
    assert "error at $.storage.filesystems.1" in str(err.value)
    assert "duplicate entry defined" in str(err.value)


# ---- boot_device ------------------------------------------------------------------------------

def test_boot_device_luks_tang_tpm2(tr_json):
    out = tr_json(HEAD + "boot_device:\n  luks:\n    tang:\n      - url: https://example.com/\n        thumbprint: z\n"
                  "    threshold: 2\n    tpm2: true\n")
    assert out["storage"] == {
        "filesystems": [{"device": "/dev/mapper/root", "format": "xfs", "label": "root", "wipeFilesystem": True}],
        "luks": [{"clevis": {"tang": [{"thumbprint": "z", "url": "https://example.com/"}], "threshold": 2,
                             "tpm2": True},
                  "device": "/dev/disk/by-partlabel/root", "label": "luks-root", "name": "root",
                  "wipeVolume": True}]}


def _mirror_disk(device, n, first, second):
    return {"device": device, "partitions": [first, second, {"label": "boot-%d" % n, "sizeMiB": 384},
                                             {"label": "root-%d" % n}], "wipeTable": True}


def test_boot_device_mirror_x86_64(tr_json):
    out = tr_json(HEAD + "boot_device:\n  layout: x86_64\n  mirror:\n    devices: [/dev/vda, /dev/vdb]\n")
    bios = "21686148-6449-6E6F-744E-656564454649"
    esp = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
    assert out["storage"]["disks"] == [
        _mirror_disk("/dev/vda", 1, {"label": "bios-1", "sizeMiB": 1, "typeGuid": bios},
                     {"label": "esp-1", "sizeMiB": 127, "typeGuid": esp}),
        _mirror_disk("/dev/vdb", 2, {"label": "bios-2", "sizeMiB": 1, "typeGuid": bios},
                     {"label": "esp-2", "sizeMiB": 127, "typeGuid": esp})]
    assert out["storage"]["filesystems"] == [
        {"device": "/dev/disk/by-partlabel/esp-1", "format": "vfat", "label": "esp-1", "wipeFilesystem": True},
        {"device": "/dev/disk/by-partlabel/esp-2", "format": "vfat", "label": "esp-2", "wipeFilesystem": True},
        {"device": "/dev/md/md-boot", "format": "ext4", "label": "boot", "wipeFilesystem": True},
        {"device": "/dev/md/md-root", "format": "xfs", "label": "root", "wipeFilesystem": True}]
    assert out["storage"]["raid"] == [
        {"devices": ["/dev/disk/by-partlabel/boot-1", "/dev/disk/by-partlabel/boot-2"], "level": "raid1",
         "name": "md-boot", "options": ["--metadata=1.0"]},
        {"devices": ["/dev/disk/by-partlabel/root-1", "/dev/disk/by-partlabel/root-2"], "level": "raid1",
         "name": "md-root"}]


def test_boot_device_mirror_aarch64_with_luks(tr_json):
    out = tr_json(HEAD + "boot_device:\n  layout: aarch64\n  luks:\n    tpm2: true\n"
                  "  mirror:\n    devices: [/dev/vda, /dev/vdb]\n")
    reserved = "8DA63339-0007-60C0-C436-083AC8230908"
    esp = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
    assert out["storage"]["disks"][0] == _mirror_disk(
        "/dev/vda", 1, {"label": "reserved-1", "sizeMiB": 1, "typeGuid": reserved},
        {"label": "esp-1", "sizeMiB": 127, "typeGuid": esp})
    assert out["storage"]["luks"] == [{"clevis": {"tpm2": True}, "device": "/dev/md/md-root", "label": "luks-root",
                                       "name": "root", "wipeVolume": True}]
    assert out["storage"]["filesystems"][-1] == {"device": "/dev/mapper/root", "format": "xfs", "label": "root",
                                                 "wipeFilesystem": True}


def test_boot_device_mirror_ppc64le(tr_json):
    out = tr_json(HEAD + "boot_device:\n  layout: ppc64le\n  mirror:\n    devices: [/dev/sda, /dev/sdb]\n")
    prep = "9E1A2D38-C612-4316-AA26-8B49521E5A8B"
    reserved = "8DA63339-0007-60C0-C436-083AC8230908"
    assert out["storage"]["disks"][1] == _mirror_disk(
        "/dev/sdb", 2, {"label": "prep-2", "sizeMiB": 4, "typeGuid": prep},
        {"label": "reserved-2", "sizeMiB": 1, "typeGuid": reserved})
    # no ESP filesystems on ppc64le
    assert [f["device"] for f in out["storage"]["filesystems"]] == ["/dev/md/md-boot", "/dev/md/md-root"]


def test_boot_device_user_config_wins(tr_json):
    out = tr_json(HEAD + "boot_device:\n  luks:\n    tpm2: true\nstorage:\n  filesystems:\n"
                  "    - device: /dev/mapper/root\n      format: ext4\n      label: myroot\n")
    assert out["storage"]["filesystems"] == [{"device": "/dev/mapper/root", "format": "ext4", "label": "myroot",
                                              "wipeFilesystem": True}]


def test_boot_device_nothing_requested(tr):
    assert tr(HEAD + "boot_device:\n  layout: aarch64\n").json == '{"ignition":{"version":"3.3.0"}}'


def test_boot_device_mirror_without_layout_is_silent(tr):
    """Butane v0.19.0 takes the documented example (no layout: x86_64) without a warning."""
    result = tr(HEAD + "boot_device:\n  mirror:\n    devices: [/dev/vda, /dev/vdb]\n")
    assert result.warnings == []
    assert len(result.config["storage"]["raid"]) == 2


@pytest.mark.parametrize("body,message", [
    ("  layout: s390x\n  luks:\n    tpm2: true\n",
     "error at $.boot_device.layout, line 4 col 11: layout must be one of: aarch64, ppc64le, x86_64"),
    ("  layout: x86_64\n  mirror:\n    devices: [/dev/vda]\n",
     "error at $.boot_device.mirror.devices, line 6 col 14: mirroring requires at least two devices"),
])
def test_boot_device_errors(body, message):
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "boot_device:\n" + body)
    assert message in str(err.value)


def test_reserved_partition_label_number_warning(tr):
    result = tr(HEAD + "storage:\n  disks:\n    - device: /dev/vda\n      partitions:\n"
                "        - label: root\n          size_mib: 12000\n          resize: true\n"
                "        - label: var-home\n          size_mib: 10240\n")
    assert result.warnings == ["warning at $.storage.disks.0.partitions.0.label, line 7 col 18: incorrect partition "
                               "number; a new partition will be created using reserved label"]


def test_root_too_small_warning(tr):
    result = tr(HEAD + "storage:\n  disks:\n    - device: /dev/vda\n      partitions:\n"
                "        - label: root\n          number: 4\n          size_mib: 4096\n")
    assert result.warnings == ["warning at $.storage.disks.0.partitions.0.size_mib, line 9 col 21: root should "
                               "have 8GiB of space assigned"]


def test_fcos_1_2_has_no_boot_device_but_luks(tr_json):
    out = tr_json("variant: fcos\nversion: 1.2.0\nstorage:\n  luks:\n    - name: d\n      device: /dev/vdb\n"
                  "      key_file:\n        inline: secret\n")
    key_file = {"compression": "", "source": "data:,secret"}
    assert out["storage"]["luks"] == [{"device": "/dev/vdb", "keyFile": key_file, "name": "d"}]


def test_user_nodes_moved_by_boot_device_keep_their_yaml_paths():
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "boot_device:\n  layout: x86_64\n  mirror:\n    devices: [/dev/vda, /dev/vdb]\n"
                  "storage:\n  filesystems:\n    - device: /dev/vdc\n      format: zfs\n  disks:\n"
                  "    - device: /dev/vdc\n      partitions:\n        - label: 'a:b'\n")
    text = str(err.value)
    assert ("error at $.storage.disks.0.partitions.0.label, line 14 col 18: partition label will be truncated "
            "to text before the colon") in text
    assert "error at $.storage.filesystems.0.format, line 10 col 15: invalid filesystem format" in text


def test_user_units_after_generated_mount_units_keep_their_yaml_paths():
    with pytest.raises(ButaneError) as err:
        translate(HEAD + "storage:\n  filesystems:\n    - device: /dev/vdb\n      format: xfs\n      path: /var/srv\n"
                  "      with_mount_unit: true\nsystemd:\n  units:\n    - name: a.service\n      enabled: true\n"
                  "      contents: \"[Unit]\\nDescription=x\\n\"\n    - name: var-srv.mount\n      dropins:\n"
                  "        - name: x.txt\n")
    text = str(err.value)
    assert "error at $.systemd.units.1.dropins.0.name, line 16 col 17: invalid systemd drop-in extension" in text
    assert ("warning at $.systemd.units.0.contents, line 13 col 17: unit \"a.service\" is enabled, but has no "
            "install section so enable does nothing") in text


def test_tree_layout_of_upstream_translate_test(tr_json, tmp_path):
    """Layout of coreos/butane base/v0_4 TestTranslateTree "basic functionality": each file holds
    its own relative name; expected order, modes and links written from that table."""
    deep = "tree/subdir/" + "subdir/" * 8 + "file"
    files = {"tree/executable": 0o700, "tree/file": 0o600, "tree/overridden": 0o644,
             "tree/overridden-executable": 0o700, "tree/subdir/file": 0o644, deep: 0o644, "tree2/file": 0o600}
    for rel, mode in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel if rel != deep else rel * 20)
        os.chmod(str(p), mode)
    for rel, target in {"tree/subdir/bad-link": "../nonexistent", "tree/subdir/link": "../file",
                        "tree/subdir/overridden-link": "../file"}.items():
        os.symlink(target, str(tmp_path / rel))
    out = tr_json(HEAD + "storage:\n  files:\n"
                  "    - path: /overridden\n      mode: 0600\n      user: {name: bovik}\n"
                  "    - path: /overridden-executable\n      mode: 0600\n      user: {name: bovik}\n"
                  "  links:\n    - path: /subdir/overridden-link\n      user: {name: bovik}\n"
                  "  trees:\n    - local: tree\n    - local: tree2\n      path: /etc\n", files_dir=str(tmp_path))
    files_out = out["storage"]["files"]
    assert [f["path"] for f in files_out] == [
        "/overridden", "/overridden-executable", "/executable", "/file", "/subdir/file",
        "/subdir/" + "subdir/" * 8 + "file", "/etc/file"]
    assert files_out[0] == {"path": "/overridden", "user": {"name": "bovik"},
                            "contents": {"compression": "", "source": "data:,tree%2Foverridden"}, "mode": 0o600}
    assert [f["mode"] for f in files_out] == [0o600, 0o600, 0o755, 0o644, 0o644, 0o644, 0o644]
    assert files_out[5]["contents"]["compression"] == "gzip" and decode(files_out[5]["contents"]) == (deep * 20).encode()
    assert files_out[6]["contents"] == {"compression": "", "source": "data:,tree2%2Ffile"}
    assert out["storage"]["links"] == [
        {"path": "/subdir/overridden-link", "user": {"name": "bovik"}, "target": "../file"},
        {"path": "/subdir/bad-link", "target": "../nonexistent"},
        {"path": "/subdir/link", "target": "../file"}]
