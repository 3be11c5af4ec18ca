"""The customize-media job run the AWX way: in the EE, on the `media_hosts` group. The media
host here is the job's own container with the host's media folder mounted into it (a
volume, as an AWX instance group's pod would mount storage); the customized ISO must land in
that folder, outlive the container, and boot in the lab with the machine's config."""
import base64
import json
import urllib.parse

import pytest
import yaml

from tests.lab import harness, media
from tests.support import awx_runner

pytestmark = [pytest.mark.lab, pytest.mark.slow]

BUTANE = """variant: nestos
version: 1.0.0
storage:
  files:
    - path: /etc/awx-marker
      mode: 0644
      contents:
        inline: customized by an AWX job
"""
MEDIA_HOSTS = """[media_hosts]
media-store ansible_connection=local ansible_python_interpreter=/usr/bin/python3
"""


def config_text(path):
    """An Ignition config's text with the configs it merges inline (data: URLs) decoded."""
    text = path.read_text()
    for ref in json.loads(text)["ignition"].get("config", {}).get("merge", []):
        source = ref.get("source", "")
        if source.startswith("data:;base64,"):
            text += base64.b64decode(source.split(",", 1)[1]).decode()
        elif source.startswith("data:,"):
            text += urllib.parse.unquote(source.split(",", 1)[1])
    return text


def test_customize_job_writes_media_to_the_media_host_and_they_boot(ee_image, pdd, tmp_path):
    lab = media.paths()
    src = tmp_path / "src"
    out = tmp_path / "media"
    src.mkdir()
    out.mkdir()
    iso = src / "nestos-live.iso"
    iso.write_bytes(open(lab["iso"], "rb").read())
    extravars = dict(awx_runner.survey_defaults("live_media"))
    extravars.update({
        "live_media_iso": "/srv/media-src/nestos-live.iso", "live_media_output_dir": "/srv/media/out",
        "live_media_butane": BUTANE, "live_media_dest_console": ["ttyS0,115200n8"],
        "live_media_machines": [{"name": "awx1", "dest_device": "/dev/vda"}],
    })
    job = awx_runner.run_job(pdd, "playbooks/customize.yml", MEDIA_HOSTS, extravars, image=ee_image,
                             volumes=["%s:/srv/media-src:ro" % src, "%s:/srv/media" % out], ident="customize")
    assert job.status == "successful", job.summary()
    hosts = {e["event_data"].get("host") for e in job.events if e["event"] == "runner_on_ok"}
    assert hosts == {"media-store"}, hosts  # the group, not the implicit localhost
    changed = [e["event_data"]["task"] for e in job.events
               if e["event"] == "runner_on_ok" and e["event_data"].get("res", {}).get("changed")]
    assert changed, job.tasks()
    result = out / "out" / "awx1.iso"
    assert result.is_file(), sorted(p.name for p in (out / "out").iterdir())
    assert "/etc/awx-marker" in config_text(out / "out" / "awx1.ign")  # the survey's Butane, translated
    report = harness.boot_iso(str(result), timeout=240)
    assert report.succeeded, report.ignition
    dest = json.loads(report.dest_ign)
    assert dest["ignition"]["version"].startswith("3.")
    assert "dest-device: /dev/vda" in report.installer_d["0000-customize.yaml"]

    # the same job again: idempotent, nothing changed, as AWX's "changed" count would show
    job2 = awx_runner.run_job(pdd, "playbooks/customize.yml", MEDIA_HOSTS, extravars, image=ee_image,
                              volumes=["%s:/srv/media-src:ro" % src, "%s:/srv/media" % out], ident="customize-again")
    assert job2.status == "successful", job2.summary()
    assert not job2.stats().get("changed"), yaml.safe_dump(job2.stats())
