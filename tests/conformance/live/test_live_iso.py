import io
import json
import os

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import LiveIso
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import level1_dir, level1_file
from tests.support.live_media import sha256
from tests.support.live_media import build_iso

CONFIG = b'{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core"}]}}'


def test_level1_names():
    assert level1_dir("openEuler") == "OPENEULE"
    assert level1_file("igninfo.json") == "IGNINFO.JSO"
    assert level1_file("features.json") == "FEATURES.JSO"
    assert level1_file("my-file.tar.gz") == "MY_FILE_.GZ"


def test_nestos_layout_found(nestos_iso):
    path, info = nestos_iso
    with LiveIso(str(path)) as iso:
        assert iso.flavour.name == "nestos"
        assert iso.ign_length == 256 * 1024
        assert iso.kargs == info["default"] == iso.kargs_default
        assert iso.kargs_areas.length == info["size"]
        assert len(iso.kargs_areas.regions) == 2  # EFI/openEuler/grub.cfg via EFI/OPENEULE, isolinux.cfg
        assert iso.features["live-initrd-network"] is True
        assert iso.volume_id == info["volid"]
        assert not iso.is_customized()
        # the area really is the file images/ignition.img
        rec = iso.iso.get_file("images/ignition.img")
        assert rec.offset == iso.ign_offset


def test_embed_three_modes_identical_and_remove_restores_hash(nestos_iso, tmp_path):
    path, _info = nestos_iso
    orig = sha256(str(path))
    with api.open_iso(str(path)) as iso:
        plan = api.plan_ignition_embed(iso, CONFIG)
    assert plan.changed and plan.after["ignition"] == CONFIG.decode()
    newfile = tmp_path / "out.iso"
    api.apply_plan(plan, output=str(newfile))
    buf = io.BytesIO()
    api.apply_plan(plan, stream=buf)
    assert sha256(str(path)) == orig  # new-file and stream modes left the source alone
    api.apply_plan(plan)
    assert sha256(str(path)) == sha256(str(newfile))
    assert __import__("hashlib").sha256(buf.getvalue()).hexdigest() == sha256(str(path))
    with api.open_iso(str(path)) as iso:
        assert iso.ignition == CONFIG
        assert not api.plan_ignition_embed(iso, CONFIG).changed  # idempotent
        with pytest.raises(NestosError, match="already has an embedded Ignition config"):
            api.plan_ignition_embed(iso, b'{"ignition":{"version":"3.2.0"}}')
        plan = api.plan_ignition_remove(iso)
    api.apply_plan(plan)
    assert sha256(str(path)) == orig


def test_in_place_writes_only_changed_regions(nestos_iso):
    path, _info = nestos_iso
    with api.open_iso(str(path)) as iso:
        plan = api.plan_kargs_modify(iso, append=["quiet"])
        ign_off = iso.ign_offset
    assert len(plan.regions) == 2 and all(off != ign_off for off, _data in plan.regions)


def test_kargs_modify_reset_and_boundary(nestos_iso):
    path, info = nestos_iso
    orig = sha256(str(path))
    with api.open_iso(str(path)) as iso:
        plan = api.plan_kargs_modify(iso, append=["console=ttyS0"], delete=["mitigations=auto,nosmt"])
    api.apply_plan(plan)
    with api.open_iso(str(path)) as iso:
        assert iso.kargs == info["default"].replace("mitigations=auto,nosmt ", "") + " console=ttyS0"
        assert iso.kargs_default == info["default"]
        assert iso.is_customized()
        size = iso.kargs_areas.length
        # longest accepted: size - 1 bytes; one more is refused with upstream's message
        fits = "x" * (size - 1)
        assert api.plan_kargs_modify(iso, delete=[iso.kargs], append=[fits]).after["kargs"] == fits
        with pytest.raises(NestosError, match="kargs too large for area: %d vs %d" % (size + 1, size)):
            api.plan_kargs_modify(iso, delete=[iso.kargs], append=[fits + "y"])
        plan = api.plan_kargs_reset(iso)
    api.apply_plan(plan)
    assert sha256(str(path)) == orig


def test_mismatched_kargs_areas_detected(nestos_iso):
    path, _info = nestos_iso
    with LiveIso(str(path)) as iso:
        second = iso.kargs_areas.regions[1].offset
    with open(str(path), "r+b") as handle:
        handle.seek(second)
        handle.write(b"Z")
    with pytest.raises(NestosError, match="kargs don't match at all offsets"):
        LiveIso(str(path))


def test_config_too_large(nestos_iso):
    path, _info = nestos_iso
    orig = sha256(str(path))
    big = json.dumps({"ignition": {"version": "3.3.0"},
                      "x": __import__("base64").b64encode(os.urandom(300 * 1024)).decode()}).encode()
    with api.open_iso(str(path)) as iso:
        with pytest.raises(NestosError, match=r"Compressed initramfs is too large: \d+ > 262144"):
            api.plan_ignition_embed(iso, big)
    assert sha256(str(path)) == orig


def test_not_an_iso(tmp_path):
    bogus = tmp_path / "x.iso"
    bogus.write_bytes(b"\0" * 70000)
    with pytest.raises(NestosError, match="not an ISO9660 image") as err:
        LiveIso(str(bogus))
    assert str(bogus) in str(err.value)
    with pytest.raises(NestosError, match="not found"):
        LiveIso(str(tmp_path / "missing.iso"))


def test_iso_without_embed_area(tmp_path):
    path = tmp_path / "plain.iso"
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "readme.txt").write_text("hi")
    import subprocess
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", str(path), str(tree)], check=True,
                   stderr=subprocess.DEVNULL)
    with pytest.raises(NestosError, match="Unrecognized NestOS ISO image"):
        LiveIso(str(path))


def test_flavour_expectations(nestos_iso, coreos_iso):
    with pytest.raises(NestosError, match="this is a CoreOS live ISO, but flavour NestOS was expected"):
        api.open_iso(str(coreos_iso[0]), expect="nestos")
    with pytest.raises(NestosError, match="this is a NestOS live ISO, but flavour CoreOS was expected"):
        api.open_iso(str(nestos_iso[0]), expect="coreos")
    # auto handles both, each with its own names
    with api.open_iso(str(coreos_iso[0])) as iso:
        plan = api.plan_customize(iso, {"network_keyfile": [("eth0.nmconnection", b"[c]\n")], "dest_device": "/dev/vda"})
        assert plan.after["network_keyfiles"] == ["eth0.nmconnection"]
        assert "etc/coreos-firstboot-network/eth0.nmconnection" in plan.after["members"]


def test_customized_without_force_refused(nestos_iso):
    path, _info = nestos_iso
    with api.open_iso(str(path)) as iso:
        api.apply_plan(api.plan_ignition_embed(iso, CONFIG))
    orig = sha256(str(path))
    with api.open_iso(str(path)) as iso:
        with pytest.raises(NestosError, match="already customized; use force"):
            api.plan_customize(iso, {"dest_device": "/dev/sda"})
        plan = api.plan_customize(iso, {"dest_device": "/dev/sda"}, force=True)
    assert plan.changed and plan.after["ignition"] is not None and "config.ign" in plan.after["members"]
    assert sha256(str(path)) == orig


def test_output_folder_missing_or_readonly(nestos_iso, tmp_path):
    path, _info = nestos_iso
    orig = sha256(str(path))
    with api.open_iso(str(path)) as iso:
        plan = api.plan_ignition_embed(iso, CONFIG)
    with pytest.raises(NestosError, match="output folder does not exist"):
        api.apply_plan(plan, output=str(tmp_path / "nope" / "out.iso"))
    # /proc is a read-only place for regular files even for root
    with pytest.raises(NestosError, match="cannot write output|not writable") as err:
        api.apply_plan(plan, output="/proc/out.iso")
    assert "/proc/out.iso" in str(err.value)
    assert sha256(str(path)) == orig
    # existing output is not clobbered unless asked
    existing = tmp_path / "exists.iso"
    existing.write_bytes(b"keep")
    with pytest.raises(NestosError, match="already exists"):
        api.apply_plan(plan, output=str(existing))
    assert existing.read_bytes() == b"keep"


def test_reset_restores_everything(nestos_iso):
    path, _info = nestos_iso
    orig = sha256(str(path))
    with api.open_iso(str(path)) as iso:
        plan = api.plan_customize(iso, {"network_keyfile": [("eth0.nmconnection", b"[c]\n")],
                                        "live_ignition": [("l.ign", CONFIG)]},
                                  live_karg_append=["console=ttyS0"])
    api.apply_plan(plan)
    assert sha256(str(path)) != orig
    with api.open_iso(str(path)) as iso:
        assert iso.is_customized()
        api.apply_plan(api.plan_reset(iso))
    assert sha256(str(path)) == orig


def test_network_embed_and_remove(nestos_iso):
    path, _info = nestos_iso
    orig = sha256(str(path))
    with api.open_iso(str(path)) as iso:
        api.apply_plan(api.plan_network_embed(iso, [("/a/eth0.nmconnection", b"[c]\n")]))
    with api.open_iso(str(path)) as iso:
        assert iso.network_keyfiles == {"eth0.nmconnection": b"[c]\n"}
        with pytest.raises(NestosError, match="already has embedded network settings"):
            api.plan_network_embed(iso, [("eth1.nmconnection", b"[d]\n")])
        with pytest.raises(NestosError, match="multiple input files named 'x'"):
            api.plan_network_embed(iso, [("a/x", b""), ("b/x", b"")], force=True)
        api.apply_plan(api.plan_network_remove(iso))
    assert sha256(str(path)) == orig


def test_feature_gates(tmp_path):
    path = tmp_path / "old.iso"
    build_iso(str(path), str(tmp_path), features={}, with_kargs=False)
    with api.open_iso(str(path)) as iso:
        for opts, msg in (
            ({"network_keyfile": [("k", b"")]}, "does not support customizing network settings"),
            ({"network_nmstate": [("n.yaml", b"")]}, "does not support customizing network settings"),
            ({"dest_console": ["ttyS0"]}, "does not support customizing the destination console"),
            ({"dest_device": "/dev/sda"}, "does not support customizing installer configuration"),
            ({"installer_config": [("c.yaml", b"dest-device: /dev/sda\n")]},
             "does not support customizing installer configuration"),
        ):
            with pytest.raises(NestosError, match=msg):
                api.plan_customize(iso, opts)
        with pytest.raises(NestosError, match="does not support customizing live kernel arguments"):
            api.plan_customize(iso, {}, live_karg_append=["x"])
        with pytest.raises(NestosError, match="No karg embed areas found"):
            api.plan_kargs_modify(iso, append=["x"])
        # a live config alone needs no feature
        assert api.plan_customize(iso, {"live_ignition": [("l.ign", CONFIG)]}).changed


def test_describe_like_dev_show(nestos_iso):
    path, info = nestos_iso
    with api.open_iso(str(path)) as iso:
        out = api.show(iso)
    assert out["ignition_area"]["length"] == 262144
    assert out["kargs_areas"]["length"] == info["size"] and len(out["kargs_areas"]["kargs"]) == 2
    assert "pad" not in out["kargs_areas"]["kargs"][0]
    assert out["ignition"] is None and out["kargs"] == info["default"]
    assert out["customized"] is False


def test_extract_pxe(tmp_path):
    iso_path = tmp_path / "nestos-22.03-live.x86_64.iso"
    build_iso(str(iso_path), str(tmp_path), kernel=b"K" * 5000, initramfs=b"I" * 3000, rootfs=b"R" * 7000)
    out = tmp_path / "out"
    out.mkdir()
    paths = api.extract_pxe(str(iso_path), str(out))
    names = sorted(os.path.basename(p) for p in paths)
    assert names == ["nestos-22.03-live.x86_64-initrd.img", "nestos-22.03-live.x86_64-rootfs.img",
                     "nestos-22.03-live.x86_64-vmlinuz"]
    assert (out / "nestos-22.03-live.x86_64-vmlinuz").read_bytes() == b"K" * 5000
    assert (out / "nestos-22.03-live.x86_64-rootfs.img").read_bytes() == b"R" * 7000
    with pytest.raises(NestosError, match="output folder does not exist"):
        api.extract_pxe(str(iso_path), str(tmp_path / "missing"))


def test_stream_to_file_and_pipe_uses_kernel_copy_and_matches(nestos_iso, tmp_path):
    import subprocess
    path, _info = nestos_iso
    with api.open_iso(str(path)) as iso:
        plan = api.plan_ignition_embed(iso, CONFIG)
    via_file = tmp_path / "stream-file.iso"
    with open(str(via_file), "wb") as handle:
        api.apply_plan(plan, stream=handle)
    via_pipe = tmp_path / "stream-pipe.iso"
    with open(str(via_pipe), "wb") as sink:
        proc = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=sink)
        api.apply_plan(plan, stream=proc.stdin)
        proc.stdin.close()
        assert proc.wait() == 0
    buf = io.BytesIO()
    api.apply_plan(plan, stream=buf)
    api.apply_plan(plan)
    assert sha256(str(via_file)) == sha256(str(via_pipe)) == sha256(str(path))
    assert buf.getvalue() == via_file.read_bytes()
