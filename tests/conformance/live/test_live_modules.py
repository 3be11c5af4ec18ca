import json
import os

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.secrets import mask_config
from ansible_collections.nestos.lifecycle.plugins.module_utils.live import api
from tests.support.live_media import sha256
from tests.support.live_media import build_iso
from tests.support.live_media import run_module
from tests.support.live_media import live_initramfs

IGN = '{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core","passwordHash":"$6$secret"}]}}'
BUTANE = "variant: nestos\nversion: 1.0.0\npasswd:\n  users:\n    - name: core\n      ssh_authorized_keys: [ssh-ed25519 AAAA]\n"


def test_iso_ignition_check_apply_idempotent_diff(nestos_iso, tmp_path):
    path, _info = nestos_iso
    orig = sha256(str(path))
    res = run_module("iso_ignition", {"src": str(path), "ignition_content": IGN}, check=True, diff=True)
    assert res["changed"] is True and sha256(str(path)) == orig  # check mode predicts, writes nothing
    assert '"passwordHash"' in res["diff"][0]["after"] and res["diff"][0]["before"] == ""
    res = run_module("iso_ignition", {"src": str(path), "ignition_content": IGN})
    assert res["changed"] is True and res["after"]["ignition_embedded"]
    assert "$6$secret" not in json.dumps({k: v for k, v in res.items() if k != "diff"})
    res = run_module("iso_ignition", {"src": str(path), "ignition_content": IGN})
    assert res["changed"] is False
    q = run_module("iso_ignition", {"src": str(path), "state": "query"})
    # the hash never leaves in a result: the query shows the config masked ...
    assert "$6$secret" not in json.dumps(q)
    assert json.loads(q["ignition_content"]) == mask_config(json.loads(IGN))
    # ... and writes it whole to dest (0600) when asked
    out = path.parent / "query.ign"
    q = run_module("iso_ignition", {"src": str(path), "state": "query", "dest": str(out)})
    assert q["changed"] and out.read_text() == IGN and oct(out.stat().st_mode & 0o777) == "0o600"
    assert run_module("iso_ignition", {"src": str(path), "state": "query", "dest": str(out)})["changed"] is False
    res = run_module("iso_ignition", {"src": str(path), "ignition_content": '{"ignition":{"version":"3.2.0"}}'})
    assert res["failed"] and "use force" in res["msg"] and str(path) in res["msg"]
    res = run_module("iso_ignition", {"src": str(path), "state": "absent"})
    assert res["changed"] and sha256(str(path)) == orig


def test_iso_ignition_from_butane_to_new_file(nestos_iso, tmp_path):
    path, _info = nestos_iso
    dest = tmp_path / "out.iso"
    res = run_module("iso_ignition", {"src": str(path), "dest": str(dest), "butane": BUTANE})
    assert res["changed"], res
    assert oct(os.stat(str(dest)).st_mode & 0o777) == "0o600"
    with api.open_iso(str(dest)) as iso:
        cfg = json.loads(iso.ignition)
    assert cfg["passwd"]["users"][0]["sshAuthorizedKeys"] == ["ssh-ed25519 AAAA"]
    assert run_module("iso_ignition", {"src": str(path), "dest": str(dest), "butane": BUTANE})["changed"] is False


def test_iso_ignition_bad_inputs(tmp_path, nestos_iso):
    bogus = tmp_path / "bogus.iso"
    bogus.write_bytes(b"x" * 100000)
    res = run_module("iso_ignition", {"src": str(bogus), "ignition_content": IGN})
    assert res["failed"] and "not an ISO9660 image" in res["msg"] and res["file"] == str(bogus)
    path, _info = nestos_iso
    orig = sha256(str(path))
    res = run_module("iso_ignition", {"src": str(path), "dest": str(tmp_path / "no" / "x.iso"), "ignition_content": IGN})
    assert res["failed"] and "output folder does not exist" in res["msg"]
    res = run_module("iso_ignition", {"src": str(path), "ignition_content": IGN, "flavour": "coreos"})
    assert res["failed"] and "flavour CoreOS was expected" in res["msg"]
    assert sha256(str(path)) == orig


def test_iso_kargs_module(nestos_iso):
    path, info = nestos_iso
    orig = sha256(str(path))
    args = {"src": str(path), "append_if_missing": ["console=ttyS0,115200n8"], "delete_if_present": ["nope"]}
    res = run_module("iso_kargs", args, check=True, diff=True)
    assert res["changed"] and sha256(str(path)) == orig
    assert res["diff"][0]["after"].strip().endswith("console=ttyS0,115200n8")
    assert run_module("iso_kargs", args)["changed"]
    again = run_module("iso_kargs", args)
    assert again["changed"] is False and again["kargs"].endswith("console=ttyS0,115200n8")
    q = run_module("iso_kargs", {"src": str(path), "state": "query"})
    assert q["kargs_default"] == info["default"]
    assert run_module("iso_kargs", {"src": str(path), "state": "reset"})["changed"]
    assert sha256(str(path)) == orig
    bad = run_module("iso_kargs", {"src": str(path), "replace": ["nonsense"]})
    assert bad["failed"] and "KEY=OLD=NEW" in bad["msg"]


def test_iso_customize_module(nestos_iso, tmp_path):
    path, _info = nestos_iso
    orig = sha256(str(path))
    key = tmp_path / "eth0.nmconnection"
    key.write_text("[connection]\nid=eth0\n")
    dest = tmp_path / "web1.iso"
    args = {"src": str(path), "dest": str(dest), "butane": BUTANE, "dest_device": "/dev/sda",
            "network_keyfile": [str(key)], "live_karg_append": ["console=ttyS0"]}
    res = run_module("iso_customize", args, check=True)
    assert res["changed"] and not dest.exists()
    res = run_module("iso_customize", args, diff=True)
    assert res["changed"] and "Boot media will automatically install to /dev/sda without confirmation." in res["messages"]
    assert sha256(str(path)) == orig
    assert run_module("iso_customize", args)["changed"] is False
    with api.open_iso(str(dest)) as iso:
        assert iso.network_keyfiles == {"eth0.nmconnection": key.read_bytes()}
        assert b"/etc/nestos/dest.ign" in iso.ignition
    # customizing the customized output again without force is refused; source untouched
    res = run_module("iso_customize", {"src": str(dest), "dest_device": "/dev/vdb"})
    assert res["failed"] and "already customized" in res["msg"]
    res = run_module("iso_customize", {"src": str(path), "dest": str(tmp_path / "n.iso"),
                                       "network_nmstate": [str(key)]})
    assert res["failed"] and "nmstate" in res["msg"]


def test_iso_extract_module(tmp_path):
    iso_path = tmp_path / "nestos-live.iso"
    build_iso(str(iso_path), str(tmp_path), kernel=b"K" * 100, initramfs=b"I" * 200, rootfs=b"R" * 300)
    out = tmp_path / "tftp"
    out.mkdir()
    res = run_module("iso_extract", {"src": str(iso_path), "dest": str(out)})
    assert res["changed"] and sorted(os.listdir(str(out))) == [
        "nestos-live-initrd.img", "nestos-live-rootfs.img", "nestos-live-vmlinuz"]
    assert run_module("iso_extract", {"src": str(iso_path), "dest": str(out)})["changed"] is False


def test_pxe_modules(tmp_path):
    src = live_initramfs(tmp_path)
    wrapped = tmp_path / "ign.img"
    res = run_module("pxe_ignition", {"ignition_content": IGN, "dest": str(wrapped)})
    assert res["changed"] and oct(os.stat(str(wrapped)).st_mode & 0o777) == "0o600"
    assert run_module("pxe_ignition", {"ignition_content": IGN, "dest": str(wrapped)})["changed"] is False
    back = run_module("pxe_ignition", {"state": "unwrap", "src": str(wrapped)})
    assert json.loads(back["ignition_content"]) == mask_config(json.loads(IGN)) and "$6$secret" not in json.dumps(back)
    plain = tmp_path / "plain.ign"
    back = run_module("pxe_ignition", {"state": "unwrap", "src": str(wrapped), "dest": str(plain)})
    assert back["changed"] and plain.read_text() == IGN
    out = tmp_path / "custom.img"
    args = {"src": str(src), "dest": str(out), "ignition_content": IGN, "dest_device": "/dev/sda"}
    res = run_module("pxe_customize", args, check=True)
    assert res["changed"] and not out.exists()
    res = run_module("pxe_customize", args)
    assert res["changed"] and "config.ign" in res["members"]
    assert out.read_bytes()[:src.stat().st_size] == src.read_bytes()
    assert run_module("pxe_customize", args)["changed"] is False
    bad = run_module("pxe_customize", {"src": str(wrapped), "dest": str(tmp_path / "x.img"), "dest_device": "/dev/sda"})
    assert bad["failed"] and "not a NestOS live initramfs" in bad["msg"]


def test_customize_validates_ignition_files_with_location(nestos_iso, tmp_path):
    path, _info = nestos_iso
    bad = tmp_path / "dest.ign"
    bad.write_text('{"ignition": {"version": "3.3.0"},\n "storage": {"files": [{"path": 7}]}}')
    res = run_module("iso_customize", {"src": str(path), "dest": str(tmp_path / "o.iso"), "dest_ignition": [str(bad)],
                                       "dest_device": "/dev/sda"})
    assert res["failed"] and res["file"] == str(bad) and "line" in res["msg"], res
    assert not (tmp_path / "o.iso").exists()


def test_iso_ignition_network_and_pxe_network_wrap(nestos_iso, tmp_path):
    path, _info = nestos_iso
    orig = sha256(str(path))
    key = tmp_path / "eth1.nmconnection"
    key.write_text("[connection]\nid=eth1\n")
    res = run_module("iso_ignition", {"src": str(path), "network_keyfile": [str(key)], "ignition_content": IGN})
    assert res["changed"] and res["after"]["network_keyfiles"] == ["eth1.nmconnection"]
    assert res["after"]["ignition_embedded"]
    assert run_module("iso_ignition", {"src": str(path), "network_keyfile": [str(key)],
                                       "ignition_content": IGN})["changed"] is False
    res = run_module("iso_ignition", {"src": str(path), "state": "absent", "network_keyfile": []})
    assert res["changed"] and res["after"]["network_keyfiles"] == [] and res["after"]["ignition_embedded"]
    assert run_module("iso_ignition", {"src": str(path), "state": "absent"})["changed"]
    assert sha256(str(path)) == orig
    wrapped = tmp_path / "net.img"
    assert run_module("pxe_ignition", {"network_keyfile": [str(key)], "dest": str(wrapped)})["changed"]
    back = run_module("pxe_ignition", {"state": "unwrap", "src": str(wrapped)})
    assert back["network_keyfiles"] == ["eth1.nmconnection"] and back["ignition_content"] is None


def test_iso_customize_absent_resets(nestos_iso, tmp_path):
    path, _info = nestos_iso
    orig = sha256(str(path))
    assert run_module("iso_customize", {"src": str(path), "dest_device": "/dev/sda", "ignition_content": IGN,
                                        "live_karg_append": ["quiet"]})["changed"]
    assert sha256(str(path)) != orig
    res = run_module("iso_customize", {"src": str(path), "state": "absent"}, diff=True)
    assert res["changed"] and any("kernel arguments" in d["before_header"] for d in res["diff"])
    assert sha256(str(path)) == orig
    assert run_module("iso_customize", {"src": str(path), "state": "absent"})["changed"] is False


def test_in_place_customized_iso_becomes_owner_only(nestos_iso):
    path, _info = nestos_iso
    os.chmod(str(path), 0o644)
    res = run_module("iso_customize", {"src": str(path), "ignition_content": IGN})
    assert res["changed"] and oct(os.stat(str(path)).st_mode & 0o777) == "0o600"
    # a second run changes nothing, mode included
    assert run_module("iso_customize", {"src": str(path), "ignition_content": IGN})["changed"] is False
    # the user's mode wins, and is idempotent too
    res = run_module("iso_customize", {"src": str(path), "ignition_content": IGN, "mode": "0640"})
    assert res["changed"] and oct(os.stat(str(path)).st_mode & 0o777) == "0o640"
    assert run_module("iso_customize", {"src": str(path), "ignition_content": IGN, "mode": "0640"})["changed"] is False
    # a reset image keeps its mode
    res = run_module("iso_customize", {"src": str(path), "state": "absent", "mode": "0644"})
    assert res["changed"] and oct(os.stat(str(path)).st_mode & 0o777) == "0o644"
    res = run_module("iso_customize", {"src": str(path), "ignition_content": IGN, "mode": "rwx"})
    assert res["failed"] and res["path"] == "mode"


def test_diff_masks_secrets_at_any_verbosity(nestos_iso):
    path, _info = nestos_iso
    res = run_module("iso_ignition", {"src": str(path), "ignition_content": IGN}, diff=True)
    assert res["changed"] and res["diff"] and "$6$secret" not in json.dumps(res)
    assert '"passwordHash": "********"' in res["diff"][0]["after"]
