"""Planners for override / deploy / initramfs / apply-live / pin: idempotent from the status
fields these operations change."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import operations as O
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host.status import Status

ORIGIN = "openEuler:openEuler/x86_64/nestos/stable"
IMAGE = "ostree-unverified-registry:registry.nestos.lab/nestos/nestos:22.03-LTS-SP4.20240901.0-x86_64"


def dep(checksum, booted=False, staged=False, image=None, version="v1", **extra):
    d = {"id": "nestos-%s.0" % checksum, "osname": "nestos", "checksum": checksum, "booted": booted,
         "staged": staged, "version": version, "pinned": False, "requested-base-removals": [],
         "requested-base-local-replacements": [], "regenerate-initramfs": False}
    if image:
        d.update({"container-image-reference": image})
    else:
        d["origin"] = ORIGIN
    d.update(extra)
    return d


def status(*deps):
    return Status.from_json(json.dumps({"deployments": list(deps), "transaction": None, "update-driver": {
        "driver-name": "Zincati", "driver-sd-unit": "zincati.service"}}))


A, B, C = "a" * 64, "b" * 64, "c" * 64


def test_override_remove_replace_reset_and_idempotence():
    st = status(dep(A, booted=True))
    plan = O.plan_override(st, remove=["nano"], replace=["/var/tmp/podman-4.9.5-1.oe2203sp4.x86_64.rpm"])
    assert plan.commands == [["rpm-ostree", "override", "remove", "nano"],
                             ["rpm-ostree", "override", "replace", "/var/tmp/podman-4.9.5-1.oe2203sp4.x86_64.rpm"]]
    assert plan.after[0].requested_base_removals == ["nano"]
    assert plan.after[0].requested_base_local_replacements == ["podman-4.9.5-1.oe2203sp4.x86_64"]
    done = status(dep(B, staged=True, **{"requested-base-removals": ["nano"],
                                         "requested-base-local-replacements": ["podman-4.9.5-1.oe2203sp4.x86_64"]}),
                  dep(A, booted=True))
    assert not O.plan_override(done, remove=["nano"],
                               replace=["/var/tmp/podman-4.9.5-1.oe2203sp4.x86_64.rpm"]).changed
    newer = O.plan_override(done, replace=["/var/tmp/podman-4.9.6-1.oe2203sp4.x86_64.rpm"])
    assert newer.changed and newer.after[0].requested_base_local_replacements == ["podman-4.9.6-1.oe2203sp4.x86_64"]
    reset = O.plan_override(done, reset=["podman", "chrony"])
    assert reset.commands == [["rpm-ostree", "override", "reset", "podman"]]
    assert not O.plan_override(st, reset=["nano"], reset_all=True).changed
    assert O.plan_override(done, reset_all=True).commands == [["rpm-ostree", "override", "reset", "--all"]]


@pytest.mark.parametrize("kw, path", [({"replace": ["/tmp/podman.tar"]}, "replace[0]"),
                                      ({"replace": ["/tmp/x.rpm"]}, "replace[0]"),
                                      ({"remove": ["a b"]}, "remove[0]"),
                                      ({"remove": ["x"], "reset": ["x"]}, "reset")])
def test_override_bad_input(kw, path):
    with pytest.raises(NestosError) as err:
        O.plan_override(status(dep(A, booted=True)), **kw)
    assert err.value.path == path


def test_deploy_version_or_commit():
    st = status(dep(A, booted=True, version="v2"), dep(B, version="v1"))
    plan = O.plan_deploy(st, "v1")
    assert plan.commands == [["rpm-ostree", "deploy", "--bypass-driver", "version=v1"]]
    assert O.plan_deploy(st, C).commands[0][-1] == C
    assert not O.plan_deploy(st, "version=v2").changed
    pending = status(dep(C, staged=True, version="v1"), dep(A, booted=True, version="v2"))
    assert not O.plan_deploy(pending, "v1").changed
    assert O.plan_deploy(pending, "v2").commands == [["rpm-ostree", "cleanup", "-p"]]
    with pytest.raises(NestosError, match="container image"):
        O.plan_deploy(status(dep(A, booted=True, image=IMAGE)), "v1")
    with pytest.raises(NestosError):
        O.plan_deploy(st, "two words")


def test_initramfs():
    st = status(dep(A, booted=True))
    plan = O.plan_initramfs(st, True, ["-I", "/etc/crypttab"])
    assert plan.commands == [["rpm-ostree", "initramfs", "--enable", "--arg=-I", "--arg=/etc/crypttab"]]
    assert plan.after[0].regenerate_initramfs and plan.after[0].initramfs_args == ["-I", "/etc/crypttab"]
    assert not O.plan_initramfs(st, False).changed
    on = status(dep(B, staged=True, **{"regenerate-initramfs": True, "initramfs-args": ["-I", "/etc/crypttab"]}),
                dep(A, booted=True))
    assert not O.plan_initramfs(on, True, ["-I", "/etc/crypttab"]).changed
    assert O.plan_initramfs(on, True, ["-I", "/etc/other"]).changed
    assert O.plan_initramfs(on, False).commands == [["rpm-ostree", "initramfs", "--disable"]]
    with pytest.raises(NestosError, match="--arg must be used with --enable"):
        O.plan_initramfs(st, False, ["-I"])


def test_apply_live():
    assert not O.plan_apply_live(status(dep(A, booted=True))).changed
    st = status(dep(B, staged=True), dep(A, booted=True))
    plan = O.plan_apply_live(st, allow_replacement=True)
    assert plan.commands == [["rpm-ostree", "apply-live", "--allow-replacement"]] and plan.live_target == B
    assert not O.plan_apply_live(status(dep(B, staged=True), dep(A, booted=True, **{"live-replaced": B}))).changed


def test_pin():
    st = status(dep(B, staged=True), dep(A, booted=True), dep(C, pinned=True))
    plan = O.plan_pin(st, "booted")
    assert plan.commands == [["ostree", "admin", "pin", "1"]] and plan.after[1].pinned
    assert not O.plan_pin(st, "rollback").changed
    assert O.plan_pin(st, "2", pinned=False).commands == [["ostree", "admin", "pin", "--unpin", "2"]]
    assert O.plan_pin(st, B[:10]).commands == [["ostree", "admin", "pin", "0"]]
    with pytest.raises(NestosError, match="out of range"):
        O.plan_pin(st, "7")
    with pytest.raises(NestosError, match="names 0 deployments"):
        O.plan_pin(st, "nothing-like-this")
    with pytest.raises(NestosError, match="no pending"):
        O.plan_pin(status(dep(A, booted=True)), "pending")
