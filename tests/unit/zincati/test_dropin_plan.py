"""The zincati action's planner: change detection, effective configuration, overrides."""
import hashlib

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, dropin

PATH = "/etc/zincati/config.d/96-updates.toml"
DEV = {"/etc/zincati/config.d/95-disable-on-dev.toml": "[updates]\nenabled = false\n"}


def test_new_dropin_wins_over_the_dev_one():
    cfg, warnings = config.build(updates_enabled=True, strategy="immediate")
    plan = dropin.plan_dropin(PATH, cfg, warnings, True, dict(DEV), {"exists": False}, "0644", "root", "root")
    assert plan.changed and plan.effective["updates"]["enabled"] is True
    assert plan.dropins[-1] == PATH and plan.diff()["after"] == plan.content
    st = {"exists": True, "sha256": hashlib.sha256(plan.content.encode()).hexdigest(), "mode": "0644",
          "owner": "root", "group": "root"}
    again = dropin.plan_dropin(PATH, cfg, warnings, True, dict(DEV, **{PATH: plan.content}), st, "0644", "root", "root")
    assert not again.changed


def test_overridden_keys_are_warned_and_absent_removes():
    cfg, warnings = config.build(updates_enabled=True)
    low = "/etc/zincati/config.d/10-mine.toml"
    plan = dropin.plan_dropin(low, cfg, warnings, True, dict(DEV), {"exists": False}, "0644", "root", "root")
    assert any("overridden by /etc/zincati/config.d/95-disable-on-dev.toml" in w for w in plan.warnings)
    gone = dropin.plan_dropin(PATH, cfg, [], False, dict(DEV, **{PATH: "x = 1\n"}), {"exists": True},
                              "0644", "root", "root")
    assert gone.changed and gone.content is None and PATH not in gone.dropins


def test_names():
    assert dropin.dropin_path("/etc/zincati/config.d/", "90-x.toml") == "/etc/zincati/config.d/90-x.toml"
    with pytest.raises(NestosError):
        dropin.dropin_path("/etc/zincati/config.d", "../x.toml")
    with pytest.raises(NestosError):
        dropin.dropin_path("/etc/zincati/config.d", "x.conf")
    assert dropin.listing_folders("/etc/zincati/config.d") == list(config.DIRS)
    assert dropin.listing_folders("/srv/z")[-1] == "/srv/z"
