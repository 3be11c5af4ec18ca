"""Temporary rollback planner (nestos_reboot boot_once): BLS entries, grubenv, GRUB support."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import bootonce
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status

A, B, C = "a" * 64, "b" * 64, "c" * 64
BOOTCSUM = {A: "1" * 64, B: "2" * 64}
M = bootonce.MARK


def status(*deps):
    return Status.from_json(json.dumps({"deployments": [
        {"id": "nestos-%s.%d" % (c, s), "osname": "nestos", "checksum": c, "serial": s, "booted": bt, "staged": st,
         "version": v, "origin": "o:r"} for c, s, bt, st, v in deps]}))


def entry(n, index, checksum, serial=0, resolve=True, title=True):
    """An entry as ostree writes it (ostree-sysroot-deploy.c install_deployment_kernel)."""
    bc = BOOTCSUM[checksum]
    lines = [M + " entry ostree-%d-nestos.conf" % n]
    if title:
        lines.append("title NestOS For Container 22.03-LTS-SP4.2024 (ostree:%d)" % index)
    lines += ["version %d" % n,
              "options root=UUID=4f8a rw rootflags=prjquota console=ttyS0,115200n8 ostree=/ostree/boot.1/nestos/%s/%d"
              % (bc, serial),
              "linux /ostree/nestos-%s/vmlinuz-5.10.0-216.0.0.115.oe2203sp4.x86_64" % bc,
              "initrd /ostree/nestos-%s/initramfs-5.10.0-216.0.0.115.oe2203sp4.x86_64.img" % bc]
    lines.append(M + " target " + ("/sysroot/ostree/deploy/nestos/deploy/%s.%d" % (checksum, serial) if resolve
                                   else ""))
    return lines


def probe_text(entries, env=("next_entry=",), grubcfg="0", user_cfg=None, ro=False, tool="grub2-editenv"):
    lines = [M + " tool " + tool, M + " env"] + list(env)
    for e in entries:
        lines += e
    lines += [M + " grubcfg", grubcfg, M + " usercfg"]
    if user_cfg is not None:
        lines += user_cfg.splitlines() + [M + " usercfg-exists"]
    lines += [M + " bootro"] + (["/dev/vda3 /boot ext4 ro,seclabel,relatime 0 0"] if ro else []) + [M + " end", ""]
    return "\n".join(lines)


TWO = status((A, 0, True, False, "v2"), (B, 0, False, False, "v1"))
TWO_ENTRIES = [entry(2, 0, A), entry(1, 1, B)]


def test_rollback_picks_the_other_deployment_and_its_entry():
    probe = bootonce.parse_probe(probe_text(TWO_ENTRIES))
    plan = bootonce.plan_boot_once(TWO, probe, "rollback")
    assert plan.target.checksum == B and plan.entry.id == "ostree-1-nestos" and plan.needed
    assert plan.editenv(plan.entry.id) == ["grub2-editenv", "/boot/grub2/grubenv", "set", "next_entry=ostree-1-nestos"]
    assert plan.set_command() == "grub2-editenv /boot/grub2/grubenv set next_entry=ostree-1-nestos"
    assert plan.default_id == "nestos-%s.0" % A
    diff = plan.diff()
    assert diff["before"].startswith("next_entry=\n") and diff["after"].startswith("next_entry=ostree-1-nestos\n")
    # NestOS's grub.cfg does not act on next_entry: the block goes to user.cfg
    assert plan.user_cfg == bootonce.USER_CFG_BLOCK and "save_env next_entry" in diff["after"]


def test_entry_found_by_resolved_folder_not_by_file_number():
    # entries named out of order: the ostree= symlink decides
    probe = bootonce.parse_probe(probe_text([entry(1, 0, A), entry(2, 1, B)]))
    assert bootonce.plan_boot_once(TWO, probe, "1").entry.id == "ostree-2-nestos"


def test_entry_found_by_title_index_or_number_when_path_does_not_resolve():
    probe = bootonce.parse_probe(probe_text([entry(2, 0, A, resolve=False), entry(1, 1, B, resolve=False)]))
    assert bootonce.plan_boot_once(TWO, probe, "rollback").entry.id == "ostree-1-nestos"
    probe = bootonce.parse_probe(probe_text([entry(2, 0, A, resolve=False, title=False),
                                             entry(1, 1, B, resolve=False, title=False)]))
    assert bootonce.plan_boot_once(TWO, probe, B[:10]).entry.id == "ostree-1-nestos"


def test_existing_user_cfg_kept_and_support_detected():
    users = "set superusers=\"root\"\npassword_pbkdf2 root grub.pbkdf2.sha512.10000.AB\n"
    plan = bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES, user_cfg=users)), "rollback")
    assert plan.user_cfg == users + bootonce.USER_CFG_BLOCK
    plan2 = bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES, user_cfg=plan.user_cfg)),
                                    "rollback")
    assert plan2.user_cfg is None
    plan3 = bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES, grubcfg="1")), "rollback")
    assert plan3.user_cfg is None and "user.cfg" not in plan3.diff()["after"]


def test_already_booted_once_is_idempotent():
    after = status((A, 0, False, False, "v2"), (B, 0, True, False, "v1"))
    plan = bootonce.plan_boot_once(after, bootonce.parse_probe(probe_text(TWO_ENTRIES)), "rollback")
    assert plan.already and not plan.needed and "already booted once" in plan.msg()
    assert plan.diff()["before"] == plan.diff()["after"]


def test_read_only_boot_uses_a_private_mount_namespace():
    plan = bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES, ro=True)), "rollback")
    assert plan.set_command().startswith("unshare -m sh -c 'mount -o remount,rw /boot && grub2-editenv ")


@pytest.mark.parametrize("st, spec, words", [
    (status((A, 0, True, False, "v2")), "rollback", "no deployment besides the default"),
    (TWO, "0", "is the default"),
    (TWO, "7", "no deployment with that index"),
    (TWO, "v9", "matches no deployments"),
    (TWO, "", "boot_once is empty"),
    (status((C, 0, False, True, "v3"), (A, 0, True, False, "v2"), (B, 0, False, False, "v1")), "rollback",
     "staged deployment"),
])
def test_refusals(st, spec, words):
    with pytest.raises(NestosError) as exc:
        bootonce.plan_boot_once(st, bootonce.parse_probe(probe_text(TWO_ENTRIES)), spec)
    assert words in str(exc.value) and exc.value.path == "boot_once"


def test_no_tool_and_no_entry():
    with pytest.raises(NestosError, match="neither grub2-editenv nor grub-editenv"):
        bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES, tool="")), "rollback")
    with pytest.raises(NestosError, match="no boot entry .* belongs to deployment 1"):
        bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text([entry(2, 0, A)])), "rollback")


def test_malformed_answers():
    with pytest.raises(NestosError, match="cut short"):
        bootonce.parse_probe(M + " tool grub2-editenv\n")
    with pytest.raises(NestosError, match="expected NAME=VALUE") as exc:
        bootonce.parse_probe(probe_text(TWO_ENTRIES, env=("garbage",)))
    assert exc.value.line == 3 and exc.value.file == bootonce.GRUBENV
    with pytest.raises(NestosError, match="larger than"):
        bootonce.parse_probe("x" * (bootonce.MAX_PROBE_BYTES + 1))
    many = [entry(2, 0, A)] * (bootonce.MAX_ENTRIES + 1)
    with pytest.raises(NestosError, match="more than 64 boot entries"):
        bootonce.parse_probe(probe_text(many))
    plan = bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES)), "rollback")
    with pytest.raises(NestosError, match="unexpected characters"):
        plan.editenv("x; reboot")


def test_verify_after_reboot():
    plan = bootonce.plan_boot_once(TWO, bootonce.parse_probe(probe_text(TWO_ENTRIES)), "rollback")
    cleared = bootonce.parse_probe(probe_text(TWO_ENTRIES))
    good = status((A, 0, False, False, "v2"), (B, 0, True, False, "v1"))
    assert bootonce.verify_boot_once(plan, good, cleared) is None
    assert "expected deployment" in bootonce.verify_boot_once(plan, TWO, cleared)
    moved = status((B, 0, True, False, "v1"), (A, 0, False, False, "v2"))
    assert "default deployment changed" in bootonce.verify_boot_once(plan, moved, cleared)
    stuck = bootonce.parse_probe(probe_text(TWO_ENTRIES, env=("next_entry=ostree-1-nestos",)))
    assert "did not clear next_entry" in bootonce.verify_boot_once(plan, good, stuck)
