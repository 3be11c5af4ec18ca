"""Each AWX job's wall time inside the execution environment (ansible-runner, podman) against the
same playbook run by plain `ansible-playbook` on the machine (the reference, same run), one run
each: rebase and rollback on a fresh 3-host fleet lab, and customize of the lab ISO. Also the EE
image size and its build times (from ee/build.py's record of the last `make ee`).

Results: printed and written to .cache/bench/awx.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.lab import media
from tests.lab.fleet.lab import BASE_VERSION, LAB_USER, REGISTRY, Fleet
from tests.support import awx_runner

TOP = awx_runner.TOP
TAG = "22.03-LTS-SP4.20240901.0-x86_64"
PLAYBOOK_SET = ("os_update_action", "os_update_phase")
SSH_ARGS = "'-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'"
BUTANE = "variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/bench\n      contents:\n        inline: x\n"


def inventory(fleet, key=None):
    lines = ["[nestos]"] + ["%s ansible_host=127.0.0.1 ansible_port=%d" % (h.name, h.port) for h in fleet.hosts]
    lines += ["[nestos:vars]", "ansible_user=%s" % LAB_USER, "ansible_become_method=sudo",
              "ansible_ssh_common_args=%s" % SSH_ARGS]
    if key:
        lines.append("ansible_ssh_private_key_file=%s" % key)
    return "\n".join(lines) + "\n"


def plain(collections, playbook, inv_text, extravars, workdir, limit=None):
    """The reference: ansible-playbook on the machine, same collections, inventory and vars."""
    inv = workdir / ("inv-%s" % time.monotonic_ns())
    inv.write_text(inv_text)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_SSH_PIPELINING="True", ANSIBLE_NOCOLOR="1")
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inv), "-f", "10",
           str(TOP / playbook), "-e", json.dumps(extravars)]
    if limit:
        cmd += ["--limit", limit]
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    wall = time.monotonic() - t0
    if r.returncode != 0:
        raise SystemExit("bench-awx: plain %s failed:\n%s" % (playbook, r.stdout[-3000:]))
    return wall


def in_ee(pdd, playbook, inv_text, extravars, ident, **kw):
    job = awx_runner.run_job(pdd, playbook, inv_text, extravars, ident=ident, **kw)
    if job.status != "successful":
        raise SystemExit("bench-awx: job %s failed:\n%s" % (ident, job.summary()))
    return job.wall


def fleet_jobs(pdd, collections, workdir, image):
    """rebase then rollback of one host; a fresh fleet for each side so both do the same work."""
    survey = dict(awx_runner.survey_defaults("os_update", exclude=PLAYBOOK_SET))
    rebase = dict(survey, os_update_image="%s:%s" % (REGISTRY, TAG), os_update_signature="unverified",
                  os_update_allow_unverified=True, nestos_serial=[1, "100%"])
    rollback = dict(survey, os_update_rollback_to=BASE_VERSION, nestos_serial=[1])
    out = {}
    for side in ("ee", "plain"):
        fleet = Fleet("awx-bench-%s-%d" % (side, os.getpid()), 3, reboot_delay=0.5)
        fleet.add_image(TAG)
        fleet.create().start(owner_pid=os.getpid())
        try:
            key = fleet.keys / "id_ed25519"
            if side == "ee":
                kw = dict(ssh_key=key.read_text(), image=image, container_options=["--network=host"])
                out[("rebase", side)] = in_ee(pdd, "playbooks/rebase.yml", inventory(fleet), rebase, "b-rebase", **kw)
                out[("rollback", side)] = in_ee(pdd, "playbooks/rollback.yml", inventory(fleet), rollback,
                                                "b-rollback", limit=fleet.hosts[0].name, **kw)
            else:
                out[("rebase", side)] = plain(collections, "playbooks/rebase.yml", inventory(fleet, key), rebase, workdir)
                out[("rollback", side)] = plain(collections, "playbooks/rollback.yml", inventory(fleet, key), rollback,
                                                workdir, limit=fleet.hosts[0].name)
        finally:
            fleet.remove()
    return out


def customize_job(pdd, collections, workdir, image):
    src = workdir / "src"
    src.mkdir()
    (src / "live.iso").write_bytes(Path(media.paths()["iso"]).read_bytes())
    survey = dict(awx_runner.survey_defaults("live_media"), live_media_butane=BUTANE,
                  live_media_machines=[{"name": "b1", "dest_device": "/dev/vda"}])
    out = {}
    ee_out, plain_out = workdir / "ee-out", workdir / "plain-out"
    ee_out.mkdir()
    out[("customize", "ee")] = in_ee(
        pdd, "playbooks/customize.yml", "[media_hosts]\nm ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n",
        dict(survey, live_media_iso="/srv/src/live.iso", live_media_output_dir="/srv/out/media"), "b-customize",
        image=image, volumes=["%s:/srv/src:ro" % src, "%s:/srv/out" % ee_out])
    out[("customize", "plain")] = plain(
        collections, "playbooks/customize.yml", "[media_hosts]\nm ansible_connection=local ansible_python_interpreter=%s\n"
        % sys.executable, dict(survey, live_media_iso=str(src / "live.iso"), live_media_output_dir=str(plain_out)), workdir)
    return out


def main():
    image = awx_runner.ee_image()
    state = awx_runner.ee_state()
    with tempfile.TemporaryDirectory(prefix="awx-bench-") as tmp:
        workdir = Path(tmp)
        pdd = awx_runner.prepare(workdir / "job")
        collections = pdd / awx_runner.REQ_COLLECTIONS
        walls = fleet_jobs(pdd, collections, workdir, image)
        walls.update(customize_job(pdd, collections, workdir, image))
    jobs = {}
    print("job        in the EE   plain ansible-playbook   ratio")
    for name in ("rebase", "rollback", "customize"):
        ee, ref = walls[(name, "ee")], walls[(name, "plain")]
        jobs[name] = {"ee_seconds": round(ee, 2), "plain_seconds": round(ref, 2), "ratio": round(ee / ref, 2)}
        print("%-10s %8.1fs   %8.1fs                %5.2fx" % (name, ee, ref, ee / ref))
    result = {
        "jobs": jobs,
        "reference": "the same playbook, inventory and extra vars run by plain ansible-playbook on the machine",
        "ee": {"image": state["image"], "size_bytes": state["size_bytes"], "size_mib": round(state["size_bytes"] / 2**20),
               "last_build_seconds": state["build_seconds"], "last_build_cached": state["cached"],
               "base_seconds": state["base_seconds"], "base_cached": state["base_cached"]},
    }
    dest = TOP / ".cache" / "bench" / "awx.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    history = TOP / ".cache" / "ee" / "builds.json"
    if history.exists():
        result["ee"]["builds"] = json.loads(history.read_text())
    dest.write_text(json.dumps(result, indent=1) + "\n")
    print("bench-awx: EE %s, %d MiB; figures in %s" % (state["image"], result["ee"]["size_mib"], dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
