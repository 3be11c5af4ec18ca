"""Plan helpers that do not need a status document: kargs, upgrade --check output, options."""
import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.ostree_host import plan as P

CMDLINE = ('BOOT_IMAGE=(hd0,gpt3)/ostree/nestos-1/vmlinuz-5.10 rw ignition.platform.id=qemu '
           'console=tty0 console=ttyS0,115200n8 root=UUID=abc rootflags=prjquota quiet')


def test_split_kargs_keeps_quotes():
    assert P.split_kargs('a=1  b="x y" c') == ['a=1', 'b="x y"', 'c']


def test_kargs_noop_when_already_there():
    plan = P.plan_kargs(CMDLINE, append=["quiet"], append_if_missing=["console=ttyS1"],
                        delete=["nosmt"], delete_if_present=["foo=bar"], replace=["rootflags=prjquota"])
    assert not plan.changed and plan.flags == [] and plan.after == plan.before


def test_kargs_changes():
    plan = P.plan_kargs(CMDLINE, append=["nosmt", "quiet"], append_if_missing=["audit=0"],
                        delete=["console"], replace=["rootflags=defaults"])
    assert plan.flags == ["--delete=console=tty0", "--delete=console=ttyS0,115200n8",
                          "--replace=rootflags=defaults", "--append=nosmt", "--append=audit=0"]
    assert "console=tty0" not in plan.after and "rootflags=defaults" in plan.after
    again = P.plan_kargs(" ".join(plan.after), append=["nosmt", "quiet"], append_if_missing=["audit=0"],
                         delete=["console"], replace=["rootflags=defaults"])
    assert not again.changed


def test_kargs_replace_forms():
    plan = P.plan_kargs("console=tty0 console=ttyS0", replace=["console=ttyS0=ttyS1"])
    assert plan.flags == ["--replace=console=ttyS0=ttyS1"] and plan.after == ["console=tty0", "console=ttyS1"]
    assert not P.plan_kargs("console=tty0 console=ttyS1", replace=["console=ttyS0=ttyS1"]).changed
    with pytest.raises(NestosError, match="several values"):
        P.plan_kargs("console=tty0 console=ttyS0", replace=["console=ttyS2"])
    with pytest.raises(NestosError, match="no such entry"):
        P.plan_kargs("console=tty0", replace=["console=ttyS0=ttyS1"])
    plan = P.plan_kargs("quiet", replace=["mitigations=off"])
    assert plan.flags == ["--append=mitigations=off"]


def test_kargs_bad_input_names_field():
    with pytest.raises(NestosError) as err:
        P.plan_kargs("quiet", append=["=x"])
    assert err.value.path == "append[0]"


def test_upgrade_check_output():
    out = ("note: automatic updates (stage) are enabled\n"
           "Note: --check and --preview may be unreliable.  See https://github.com/coreos/rpm-ostree/issues/1579\n"
           "AvailableUpdate:\n        Version: 22.03.20240701.0 (2024-07-01T08:00:00Z)\n"
           "         Commit: 4e3c3d1e\n           Diff: 26 upgraded\n")
    avail, info = P.parse_upgrade_check(0, out)
    assert avail is True and info["version"] == "22.03.20240701.0" and info["commit"] == "4e3c3d1e"
    assert P.parse_upgrade_check(77, "No updates available.\n") == (False, None)


def test_ref_option_rules():
    with pytest.raises(NestosError, match="allow_unverified"):
        P.parse_ref_option(ref="ostree-unverified-registry:r.example/n:1")
    with pytest.raises(NestosError, match="signature is required"):
        P.parse_ref_option(image="r.example/n:1")
    with pytest.raises(NestosError, match="exactly one"):
        P.parse_ref_option()
    ref = P.parse_ref_option(ref="ostree-unverified-registry:r.example/n:1", allow_unverified=True,
                             digest="sha256:" + "0" * 64)
    assert ref.original == "ostree-unverified-registry:r.example/n@sha256:" + "0" * 64
    ref = P.parse_ref_option(image="r.example/n:1", signature="signed")
    assert ref.original == "ostree-image-signed:docker://r.example/n:1"
