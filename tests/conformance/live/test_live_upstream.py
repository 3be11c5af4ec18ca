"""The live engine against coreos-installer's own fixtures (upstream CoreOS layout)."""
import hashlib
import io
import json
import lzma

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.initrd import Initrd, read_initrd
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso import LiveIso
from ansible_collections.nestos.lifecycle.plugins.module_utils.live.iso9660 import IsoFs

ISOS = ["embed-areas-2020-09", "embed-areas-2021-01", "embed-areas-2021-09", "embed-areas-2021-12",
        "embed-areas-2022-02", "embed-areas-2022-09", "embed-areas-2023-03.s390x", "embed-areas-2023-03.x86_64",
        "embed-areas-2023-07.s390x", "embed-areas-2023-07.x86_64"]
CONFIG = b'{"ignition":{"version":"3.3.0"}}'


def sha(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def fixture_iso(upstream, tmp_path):
    def unpack(name):
        src = upstream / "coreos-installer" / "fixtures" / "iso" / (name + ".iso.xz")
        dest = tmp_path / (name + ".iso")
        dest.write_bytes(lzma.decompress(src.read_bytes()))
        return str(dest)
    return unpack


def initrd_fixture(upstream, name):
    path = upstream / "coreos-installer" / "fixtures" / "initrd" / name
    data = path.read_bytes()
    return lzma.decompress(data) if name.endswith(".xz") else data


def test_2021_09_areas_as_upstream_unit_test(fixture_iso):
    path = fixture_iso("embed-areas-2021-09")
    with LiveIso(path) as iso:
        assert (iso.ign_offset, iso.ign_length) == (102400, 262144)
        areas = iso.kargs_areas
        assert areas.length == 1139
        assert areas.default == ("mitigations=auto,nosmt coreos.liveiso=fedora-coreos-34.20210921.dev.0 "
                                 "ignition.firstboot ignition.platform.id=metal")
        assert [(r.offset, r.length) for r in areas.regions] == [(98126, 1139), (371658, 1139)]
        assert iso.flavour.name == "coreos"


def test_2021_09_json_only_legacy_only_and_neither(fixture_iso):
    path = fixture_iso("embed-areas-2021-09")
    with open(path, "r+b") as handle:  # JSON only
        handle.seek(32672)
        handle.write(b"\0" * 8)
    with LiveIso(path) as iso:
        assert [r.offset for r in iso.kargs_areas.regions] == [98126, 371658]
    with open(path, "r+b") as handle:  # legacy header only: break the kargs.json name
        handle.seek(32672)
        handle.write(b"coreKarg")
        handle.seek(63725)
        handle.write(b"Z")
    with LiveIso(path) as iso:
        assert iso.kargs_areas.length == 1139
        assert iso.kargs_areas.default.startswith("mitigations=auto,nosmt coreos.liveiso=")
        assert [r.offset for r in iso.kargs_areas.regions] == [98126, 371658]
    with open(path, "r+b") as handle:
        handle.seek(32672)
        handle.write(b"\0" * 8)
    with LiveIso(path) as iso:
        assert iso.kargs_areas is None


def test_2021_09_missing_embed_area(fixture_iso):
    path = fixture_iso("embed-areas-2021-09")
    with open(path, "r+b") as handle:
        handle.seek(65903)
        handle.write(b"Z")
    with pytest.raises(NestosError, match="Unrecognized CoreOS ISO image"):
        LiveIso(path)


@pytest.mark.parametrize("name", ISOS)
def test_embed_remove_restores_hash_in_all_modes(name, fixture_iso, tmp_path):
    path = fixture_iso(name)
    orig = sha(path)
    with api.open_iso(path) as iso:
        assert iso.ignition is None
        plan = api.plan_ignition_embed(iso, CONFIG)
    out = str(tmp_path / "new.iso")
    api.apply_plan(plan, output=out)
    buf = io.BytesIO()
    api.apply_plan(plan, stream=buf)
    api.apply_plan(plan)
    assert sha(path) == sha(out) == hashlib.sha256(buf.getvalue()).hexdigest() != orig
    with api.open_iso(path) as iso:
        assert iso.ignition == CONFIG
        # the area holds exactly an xz(CRC32) newc archive, then zeros
        iso.handle.seek(iso.ign_offset)
        area = iso.handle.read(iso.ign_length)
        blob = Initrd({"config.ign": CONFIG}).to_bytes()
        assert area == blob + b"\0" * (iso.ign_length - len(blob))
        api.apply_plan(api.plan_ignition_remove(iso))
    assert sha(path) == orig


@pytest.mark.parametrize("name", [n for n in ISOS if n not in ("embed-areas-2020-09", "embed-areas-2023-03.s390x")])
def test_kargs_modify_reset_restores_hash(name, fixture_iso):
    path = fixture_iso(name)
    orig = sha(path)
    with api.open_iso(path) as iso:
        default = iso.kargs_default
        assert iso.kargs == default
        assert " coreos.liveiso=" in " " + default
        plan = api.plan_kargs_modify(iso, append=["foo=bar"], replace=["mitigations=auto,nosmt=off"])
    api.apply_plan(plan)
    with api.open_iso(path) as iso:
        assert iso.kargs.endswith(" foo=bar")
        assert iso.kargs_default == default
        size = iso.kargs_areas.length
        api.plan_kargs_modify(iso, delete=[iso.kargs], append=["a" * (size - 1)])
        with pytest.raises(NestosError, match="kargs too large for area: %d vs %d" % (size + 1, size)):
            api.plan_kargs_modify(iso, delete=[iso.kargs], append=["a" * size])
        api.apply_plan(api.plan_kargs_reset(iso))
    assert sha(path) == orig


def test_s390x_pad_and_end_nul(fixture_iso):
    path = fixture_iso("embed-areas-2023-07.s390x")
    orig = sha(path)
    with api.open_iso(path) as iso:
        assert (iso.ign_length, iso.kargs_areas.length) == (262144, 896)
        assert iso.kargs_areas.regions[0].pad == "\0"
        api.apply_plan(api.plan_kargs_modify(iso, append=["x"]))
    with api.open_iso(path) as iso:
        region = iso.kargs_areas.regions[0]
        iso.handle.seek(region.offset)
        raw = iso.handle.read(region.length)
        assert raw.startswith((iso.kargs + "\0").encode()) and raw.rstrip(b"\0") == iso.kargs.encode()
        api.apply_plan(api.plan_reset(iso))
    assert sha(path) == orig


def test_customize_upstream_media_with_upstream_inputs(fixture_iso, upstream):
    path = fixture_iso("embed-areas-2023-07.x86_64")
    fx = upstream / "coreos-installer" / "fixtures" / "customize"

    def pair(name):
        return (name, (fx / name).read_bytes())
    opts = {"dest_ignition": [pair("dest.ign"), pair("dest-2.ign")], "dest_device": "/dev/vda",
            "dest_console": ["ttyS0,115200"], "dest_karg_append": ["dest-karg"],
            "dest_karg_delete": ["ignition.platform.id=metal"],
            "network_keyfile": [pair("installer-test.nmconnection")], "ignition_ca": [pair("cert.pem")],
            "pre_install": [pair("pre-install-1"), pair("pre-install-2")],
            "post_install": [pair("post-install-1"), pair("post-install-2")],
            "installer_config": [pair("install-1.conf"), pair("install-2.conf")],
            "live_ignition": [pair("live.ign"), pair("live-2.ign")]}
    with api.open_iso(path) as iso:
        plan = api.plan_customize(iso, opts, live_karg_append=["systemd.log_color=0", "console=ttyS0,115200"])
    api.apply_plan(plan)
    with api.open_iso(path) as iso:
        assert iso.kargs.endswith("systemd.log_color=0 console=ttyS0,115200")
        assert sorted(iso.network_keyfiles) == ["installer-test.nmconnection"]
        cfg = json.loads(iso.ignition)
    paths = [f["path"] for f in cfg["storage"]["files"]]
    assert paths == ["/usr/local/bin/pre-install-pre-install-1", "/usr/local/bin/pre-install-pre-install-2",
                     "/usr/local/bin/post-install-post-install-1", "/usr/local/bin/post-install-post-install-2",
                     "/etc/coreos/installer.d/0000-install-1.conf", "/etc/coreos/installer.d/0001-install-2.conf",
                     "/etc/coreos/dest.ign", "/etc/coreos/installer.d/0002-customize.yaml"]
    assert "After=coreos-installer-pre.target" in cfg["systemd"]["units"][0]["contents"]
    assert len(cfg["ignition"]["config"]["merge"]) == 2


def test_iso9660_reader_on_synthetic(upstream, tmp_path):
    data = lzma.decompress((upstream / "coreos-installer" / "fixtures" / "iso" / "synthetic.iso.xz").read_bytes())
    fs = IsoFs(io.BytesIO(data))
    assert fs.read_file("REALLY/VERY/DEEPLY/NESTED/FILE.TXT") == b"foo\n"
    assert fs.read_file("really/very/deeply/nested/file.txt") == b"foo\n"
    assert fs.read_file("CONTENT/DIR/SUBFILE.TXT") == b"bar\n"
    # a directory spanning several sectors
    assert len(fs.list_dir(fs.get_path("LARGEDIR"))) == 150
    with pytest.raises(NestosError, match="not found"):
        fs.get_path("CONTENT/NOPE")


def test_initrd_compressed_mixed(upstream):
    members = read_initrd(initrd_fixture(upstream, "compressed.img.xz"))
    expected = {}
    for kind in ("uncompressed-1", "uncompressed-2", "gzip", "xz", "zstd"):
        expected[kind + "/hello"] = b"HELLO\n"
        expected[kind + "/world"] = b"WORLD\n"
    assert members == expected


def test_initrd_redundant_last_wins(upstream):
    assert read_initrd(initrd_fixture(upstream, "redundant.img.xz"))["data/file"] == b"third\n"


def test_initrd_padded_names(upstream):
    assert read_initrd(initrd_fixture(upstream, "padded-names.img.xz")) == {"dir/hello": b"z" * 5000,
                                                                            "dir/world": b"q" * 4500}


@pytest.mark.parametrize("name", ["traversal-absolute.img", "traversal-relative.img"])
def test_initrd_traversal_refused_on_extract(upstream, name, tmp_path):
    initrd = Initrd(read_initrd(initrd_fixture(upstream, name)))
    with pytest.raises(NestosError, match="contains path traversal"):
        initrd.extract(str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
