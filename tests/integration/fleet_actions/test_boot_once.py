"""Temporary rollback end to end on the fleet lab: nestos_reboot boot_once sets GRUB's next_entry
with the host's grub-editenv (Debian's real one in the lab) on the BLS entry of the other
deployment; the lab's boot double acts as GRUB on that real environment block (boot once, clear
it) only when grub.cfg/user.cfg carry the next_entry logic, as NestOS's grub.cfg does not."""
import os
import stat
import time

import pytest

from tests.integration.fleet_actions.test_fleet_actions import TAG, play, recap
from tests.lab.fleet.lab import Fleet, image_ref

pytestmark = pytest.mark.fleet


@pytest.fixture
def host():
    f = Fleet("boot-once-%d" % os.getpid(), 1, reboot_delay=0.3)
    f.add_image(TAG)
    f.create()
    f.start(owner_pid=os.getpid())
    r = play(f, "boot_once.yml", {"step": "prepare", "target_image": image_ref(TAG)})
    assert recap(r.stdout)["nestos-01"]["failed"] == 0, r.stdout
    yield f, f.hosts[0]
    f.remove()


def order(h):
    return h.read("order").split()


def reboot_by_hand(f, h):
    before = h.boot_id()
    res = f.ssh(h, "sudo systemctl reboot")
    assert res.returncode in (0, 255), res.stderr
    deadline = time.time() + 60
    while time.time() < deadline:
        if h.boot_id() != before and h.is_up():
            return
        time.sleep(0.2)
    raise AssertionError("the lab host did not reboot")


def test_boot_once_boots_the_other_deployment_once_and_the_default_stays(host):
    f, h = host
    default, other = order(h)
    assert h.booted() == default and h.boot_entries() == ["ostree-1-nestos.conf", "ostree-2-nestos.conf"]
    user_cfg = h.root / "boot/grub2/user.cfg"

    # NestOS's grub.cfg alone ignores next_entry: set by hand, the default still boots
    assert f.ssh(h, "sudo grub-editenv /boot/grub2/grubenv set next_entry=ostree-1-nestos").returncode == 0
    reboot_by_hand(f, h)
    assert h.booted() == default and h.grubenv()["next_entry"] == "ostree-1-nestos"

    # check + diff: the plan is shown, nothing changes
    boot = h.boot_id()
    r = play(f, "boot_once.yml", {"step": "once"}, ["--check", "--diff"])
    assert recap(r.stdout)["nestos-01"]["changed"] == 1, r.stdout
    assert "+next_entry=ostree-1-nestos" not in r.stdout  # already the value: the diff shows user.cfg
    assert "save_env next_entry" in r.stdout and "BOOT_ONCE ostree-1-nestos %s" % default in r.stdout, r.stdout
    assert h.boot_id() == boot and not user_cfg.exists() and h.booted() == default

    # apply: boots the other deployment once; the default is unchanged, GRUB cleared next_entry
    r = play(f, "boot_once.yml", {"step": "once"})
    rows = recap(r.stdout)["nestos-01"]
    assert rows["changed"] == 1 and rows["failed"] == 0, r.stdout
    assert h.booted() == other and order(h) == [default, other], r.stdout
    assert h.grubenv()["next_entry"] == ""
    assert stat.S_IMODE(user_cfg.stat().st_mode) == 0o600 and "save_env next_entry" in user_cfg.read_text()
    assert any(c.startswith("rpm-ostree status") for c in h.commands())

    # again: already booted once into it
    boot = h.boot_id()
    r = play(f, "boot_once.yml", {"step": "once"})
    assert recap(r.stdout)["nestos-01"]["changed"] == 0 and "already booted once" in r.stdout, r.stdout
    assert h.boot_id() == boot

    # the next ordinary reboot boots the default again
    r = play(f, "boot_once.yml", {"step": "plain"})
    assert recap(r.stdout)["nestos-01"]["failed"] == 0, r.stdout
    assert h.booted() == default and order(h) == [default, other] and h.grubenv()["next_entry"] == ""


def test_boot_once_by_checksum_and_refusals(host):
    f, h = host
    default, other = order(h)
    checksum = h.deployment(other)["checksum"]
    r = play(f, "boot_once.yml", {"step": "once", "boot_once": checksum[:12]}, ["--diff"])
    assert recap(r.stdout)["nestos-01"]["failed"] == 0 and "+next_entry=ostree-1-nestos" in r.stdout, r.stdout
    assert h.booted() == other and order(h)[0] == default
    r = play(f, "boot_once.yml", {"step": "once", "boot_once": "0"})
    assert recap(r.stdout)["nestos-01"]["failed"] == 1 and "deployment 0 is the default" in r.stdout, r.stdout
