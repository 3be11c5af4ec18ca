"""make demo-awx: the canary rebase as AWX runs it. A project update (ansible-galaxy from
collections/requirements.yml), then ansible-runner runs playbooks/rebase.yml inside the
execution environment pulled from the lab registry, on a 3-host fleet lab, with the survey's
defaults and answers, serial [1] (the canary only, --limit as a workflow's first node would).
Prints the job's events per task as AWX's job output shows them."""
import sys
import tempfile
from pathlib import Path

from tests.lab.fleet.lab import LAB_USER, REGISTRY, Fleet, LabError
from tests.support import awx_runner

TAG = "22.03-LTS-SP4.20240901.0-x86_64"


def main() -> int:
    image = awx_runner.ee_image()
    fleet = Fleet("awx-demo", 3, reboot_delay=0.5)
    fleet.add_image(TAG)
    fleet.create().start()
    try:
        with tempfile.TemporaryDirectory(prefix="awx-demo-") as tmp:
            pdd = awx_runner.prepare(Path(tmp) / "job")
            print("project update: nestos.lifecycle installed from collections/requirements.yml into %s"
                  % awx_runner.REQ_COLLECTIONS, flush=True)
            inventory = "\n".join(["[nestos]"] + ["%s ansible_host=127.0.0.1 ansible_port=%d" % (h.name, h.port)
                                                  for h in fleet.hosts]
                                  + ["[nestos:vars]", "ansible_user=%s" % LAB_USER, "ansible_become_method=sudo",
                                     "ansible_ssh_common_args='-o StrictHostKeyChecking=no "
                                     "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'", ""])
            extravars = dict(awx_runner.survey_defaults("os_update", exclude=("os_update_action", "os_update_phase")),
                             os_update_image="%s:%s" % (REGISTRY, TAG), os_update_signature="unverified",
                             os_update_allow_unverified=True, nestos_serial=[1])
            canary = fleet.hosts[0].name
            print("job: ansible-runner --process-isolation --container-image %s playbooks/rebase.yml --limit %s"
                  % (image, canary), flush=True)
            job = awx_runner.run_job(pdd, "playbooks/rebase.yml", inventory, extravars,
                                     ssh_key=(fleet.keys / "id_ed25519").read_text(), image=image,
                                     container_options=["--network=host"], limit=canary, ident="canary-rebase")
            for e in job.events:
                if e["event"] in ("runner_on_ok", "runner_on_failed") and e["event_data"].get("res", {}).get("changed"):
                    print("  %-10s changed  %s" % (e["event_data"]["host"], e["event_data"]["task"]))
            stats = job.stats()
            print("  recap: %s" % ", ".join("%s=%s" % (k, stats.get(k, {})) for k in ("ok", "changed", "failures")))
            d = fleet.hosts[0].deployment()
            others = [h.deployment()["ref"] or h.deployment()["origin"] for h in fleet.hosts[1:]]
            ok = job.status == "successful" and d["ref"].endswith(TAG) and not any(o.endswith(TAG) for o in others)
            print("demo-awx: %s in %.0fs - the canary rebase ran as an AWX job inside the EE %s: %s now boots %s "
                  "(%s), the other %d hosts untouched" % ("OK" if ok else "FAILED", job.wall, image, canary,
                                                          d["ref"], d["version"], len(others)), flush=True)
            return 0 if ok else 1
    finally:
        fleet.remove()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (LabError, awx_runner.EEMissing) as exc:
        print("demo-awx: %s" % exc, file=sys.stderr)
        sys.exit(1)
