"""make demo-fleet: a 5-host lab fleet rebased to a new image with playbooks/rebase.yml (canary,
then batches), then one host rolled back with playbooks/rollback.yml; prints the reports."""
import json
import os
import re
import subprocess
import sys
import time

from tests.lab.fleet.lab import BASE_VERSION, REGISTRY, TOP, Fleet, LabError

TAG = "22.03-LTS-SP4.20240901.0-x86_64"


def playbook(fleet, name, extra, limit=None):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"),
               ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_NOCOLOR="1", ANSIBLE_SSH_PIPELINING="true")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(fleet.inventory),
           "-f", "10", str(TOP / "playbooks" / name), "-e", json.dumps(extra)]
    if limit:
        cmd += ["--limit", limit]
    print("$ ansible-playbook -i %s playbooks/%s%s -e '%s'" % (fleet.inventory, name,
          " --limit " + limit if limit else "", json.dumps(extra)), flush=True)
    t0 = time.time()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, check=False)
    log = fleet.dir / ("%s.log" % name)
    log.write_text(r.stdout)
    # the last report the playbook printed, and its recap
    reports = re.findall(r'"msg": \[\n(.*?)\n    \]', r.stdout, re.S)
    if reports:
        print("report:")
        for line in reports[-1].splitlines():
            print("  " + json.loads(line.strip().rstrip(",")))
    recap = r.stdout[r.stdout.rfind("PLAY RECAP"):]
    print(recap.rstrip())
    print("(%s: rc=%d, %.1fs, full log %s)\n" % (name, r.returncode, time.time() - t0, log), flush=True)
    return r.returncode


def main():
    fleet = Fleet("demo", 5, reboot_delay=1.0)
    fleet.add_image(TAG)
    fleet.create().start()
    try:
        print("fleet lab: %d hosts on 127.0.0.1:%d-%d, all on NestOS %s (classic origin)\n"
              % (len(fleet.hosts), fleet.hosts[0].port, fleet.hosts[-1].port, BASE_VERSION))
        reports = TOP / ".cache" / "rollout"
        before = set(reports.glob("*.json")) if reports.is_dir() else set()
        common = {"os_update_reboot_delay": 1, "os_update_health_delay": 1, "os_update_report_dir": str(reports)}
        rc1 = playbook(fleet, "rebase.yml", dict(common, os_update_image="%s:%s" % (REGISTRY, TAG),
                                                 os_update_signature="unverified", os_update_allow_unverified=True,
                                                 nestos_serial=[1, 2, "100%"]))
        per_host = [h.sshd_sessions() for h in fleet.hosts]
        rc2 = playbook(fleet, "rollback.yml", dict(common, os_update_rollback_to=BASE_VERSION, nestos_serial=[1]),
                       limit="nestos-05")
        print("booted deployments now (from the hosts' rpm-ostree state):")
        for h in fleet.hosts:
            d = h.deployment()
            kind = "container" if d["ref"] else "classic"
            print("  %-10s %-9s %s (%s), boots: %d" % (h.name, kind, d["ref"] or d["origin"], d["version"], len(h.boots())))
        ok_pages = True
        for path in sorted(set(reports.glob("*.json")) - before):
            doc = json.loads(path.read_text())
            print("rollout report (JSON, %d hosts, %s): %s" % (len(doc["hosts"]), doc["action"], path))
            html = path.with_suffix(".html")
            print("rollout report (HTML page, open it in a browser): %s%s" % (html, "" if html.is_file() else " MISSING"))
            ok_pages = ok_pages and html.is_file()
        ok = rc1 == 0 and rc2 == 0 and ok_pages
        print("proved: %s" % ("5 hosts rebased in 3 batches (%s ssh sessions per host), one rolled back; "
                              "text, JSON and HTML rollout reports written" % "/".join(str(n) for n in per_host)
                              if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        fleet.stop()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LabError as e:
        print("demo-fleet: %s" % e, file=sys.stderr)
        sys.exit(1)
