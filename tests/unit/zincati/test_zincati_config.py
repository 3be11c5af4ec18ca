"""Zincati drop-ins: rendering parsed back with tomllib, merge order (the upstream samples:
tests/conformance/zincati)."""
import tomllib

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError
from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, toml


def test_render_every_option_parses_back():
    cfg, warnings = config.build(
        updates_enabled=True, allow_downgrade=False, strategy="fleet_lock",
        fleet_lock_base_url="http://fleet-lock.example.com:8080/", group="workers",
        node_uuid="27e3ac02af3946af995c9940e18b0cce", rollout_wariness=0.5,
        cincinnati_base_url="http://nestos.org.cn:8080", steady_interval_secs=35,
        periodic_time_zone="localtime",
        periodic_windows=[{"days": ["Sat", "sunday"], "start_time": "23:00", "length_minutes": 120}])
    text = config.render(cfg)
    parsed = tomllib.loads(text)
    assert parsed == {
        "agent": {"timing": {"steady_interval_secs": 35}},
        "identity": {"group": "workers", "node_uuid": "27e3ac02af3946af995c9940e18b0cce", "rollout_wariness": 0.5},
        "cincinnati": {"base_url": "http://nestos.org.cn:8080"},
        "updates": {"enabled": True, "allow_downgrade": False, "strategy": "fleet_lock",
                    "fleet_lock": {"base_url": "http://fleet-lock.example.com:8080/"},
                    "periodic": {"time_zone": "localtime",
                                 "window": [{"days": ["Sat", "Sun"], "start_time": "23:00",
                                             "length_minutes": 120}]}}}
    assert warnings == []
    assert toml.loads(text) == parsed
    # deterministic
    assert config.render(config.build(group="workers", updates_enabled=True)[0]) == \
        config.render(config.build(updates_enabled=True, group="workers")[0])


def test_strings_are_escaped():
    text = config.render(config.build(cincinnati_base_url='http://x.example/a"b\\c')[0])
    assert tomllib.loads(text)["cincinnati"]["base_url"] == 'http://x.example/a"b\\c'


@pytest.mark.parametrize("kwargs,path", [
    ({"group": "bad group"}, "group"),
    ({"node_uuid": "XYZ"}, "node_uuid"),
    ({"rollout_wariness": 1.5}, "rollout_wariness"),
    ({"strategy": "fleet_lock"}, "fleet_lock_base_url"),
    ({"strategy": "periodic"}, "periodic_windows"),
    ({"fleet_lock_base_url": "ftp://x/"}, "fleet_lock_base_url"),
    ({"steady_interval_secs": 0}, "steady_interval_secs"),
    ({"periodic_windows": [{"days": ["Funday"], "start_time": "23:00", "length_minutes": 5}]},
     "periodic_windows[0].days[0]"),
    ({"periodic_windows": [{"days": ["Mon"], "start_time": "24:00", "length_minutes": 5}]},
     "periodic_windows[0].start_time"),
    ({"periodic_windows": [{"days": ["Mon"], "start_time": "01:00", "length_minutes": 0}]},
     "periodic_windows[0].length_minutes"),
])
def test_bad_options_name_the_field(kwargs, path):
    with pytest.raises(NestosError) as err:
        config.build(**kwargs)
    assert err.value.path == path


def test_fleet_lock_without_trailing_slash_warns():
    _cfg, warnings = config.build(strategy="fleet_lock", fleet_lock_base_url="http://fl.example:8080")
    assert warnings and "trailing" in warnings[0]


def test_reader_errors_have_lines():
    with pytest.raises(NestosError) as err:
        toml.loads('[updates]\nenabled = maybe\n', "x.toml")
    assert err.value.line == 2 and err.value.file == "x.toml"
    with pytest.raises(NestosError, match="defined twice"):
        toml.loads('[updates]\nenabled = true\nenabled = false\n')


def test_merge_order_and_override_detection():
    files = {
        "/usr/lib/zincati/config.d/30-updates-strategy.toml": '[updates]\nstrategy = "immediate"\n',
        "/usr/lib/zincati/config.d/95-disable-on-dev.toml": "[updates]\nenabled = false\n",
        "/etc/zincati/config.d/20-w.toml": '[[updates.periodic.window]]\ndays = ["Mon"]\nstart_time = "01:00"\n'
                                           'length_minutes = 5\n',
        "/etc/zincati/config.d/21-w.toml": '[[updates.periodic.window]]\ndays = ["Tue"]\nstart_time = "01:00"\n'
                                           'length_minutes = 5\n',
    }
    order = config.effective_order(files)
    assert order[-1].endswith("95-disable-on-dev.toml")
    merged = config.merge([toml.loads(files[p]) for p in order])
    assert merged["updates"]["enabled"] is False and len(merged["updates"]["periodic"]["window"]) == 2
    ours = "/etc/zincati/config.d/90-mine.toml"
    cfg = config.build(updates_enabled=True)[0]
    assert config.overridden(files, ours, cfg) == [("updates.enabled",
                                                    "/usr/lib/zincati/config.d/95-disable-on-dev.toml")]
    assert config.overridden(files, "/etc/zincati/config.d/99-nestos-lifecycle.toml", cfg) == []
    # the same name in /etc replaces the /usr/lib file
    files["/etc/zincati/config.d/95-disable-on-dev.toml"] = "[updates]\nenabled = true\n"
    assert "/etc/zincati/config.d/95-disable-on-dev.toml" in config.effective_order(files)
    assert "/usr/lib/zincati/config.d/95-disable-on-dev.toml" not in config.effective_order(files)
