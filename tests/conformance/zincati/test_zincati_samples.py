"""Zincati drop-ins against upstream zincati's TOML samples: the tiny reader agrees with tomllib,
the renderer writes the sample's semantics."""
import glob
import tomllib

from ansible_collections.nestos.lifecycle.plugins.module_utils.zincati import config, toml


def test_reader_matches_tomllib_on_upstream_samples(upstream):
    files = sorted(glob.glob(str(upstream / "zincati" / "**" / "*.toml"), recursive=True))
    assert len(files) >= 9
    for path in files:
        text = open(path).read()
        assert toml.loads(text, path) == tomllib.loads(text), path


def test_render_matches_upstream_sample_semantics(upstream):
    sample = tomllib.loads((upstream / "zincati/tests/fixtures/00-config-sample.toml").read_text())
    cfg, _w = config.build(
        steady_interval_secs=35, group="workers", node_uuid="27e3ac02af3946af995c9940e18b0cce",
        rollout_wariness=0.5, cincinnati_base_url="http://cincinnati.example.com:80/", allow_downgrade=True,
        updates_enabled=False, strategy="fleet_lock", fleet_lock_base_url="http://fleet-lock.example.com:8080/",
        periodic_time_zone="localtime",
        periodic_windows=[{"days": ["Sat", "Sun"], "start_time": "23:00", "length_minutes": 120},
                          {"days": ["Wed"], "start_time": "23:30", "length_minutes": 25}])
    assert tomllib.loads(config.render(cfg)) == sample
