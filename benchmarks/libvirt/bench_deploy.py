"""Benchmark: playbooks/deploy.yml bringing N lab machines to "Ignition done" under the real libvirtd, against a
shell loop of virt-install doing the same (the NestOS guide's section 8.2.2 way), plus the idempotent re-run.

Both sides do the same work: an overlay on the same base per machine, the Ignition config over fw_cfg, a serial log,
one NIC on the libvirt network `default`, TCG; both start all machines and then wait until every console shows the
lab's report end marker (Ignition ran and the report was printed). Run inside the lab's network namespace
(`make bench-libvirt` does). N defaults to 4 (NESTOS_BENCH_LIBVIRT_MACHINES).

Prints a summary and writes $NESTOS_LAB_CACHE/../bench/libvirt.json.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [os.path.join(TOP, ".build", "collections"), TOP]

import libvirt  # noqa: E402  (after the path set-up)

from tests.lab import media  # noqa: E402

N = int(os.environ.get("NESTOS_BENCH_LIBVIRT_MACHINES", "4"))
STORAGE = "/var/lib/libvirt/images/nestos-bench"
END = "NESTOS-LAB-REPORT-END"
CACHE = os.environ.get("NESTOS_LAB_CACHE", os.path.join(TOP, ".cache", "lab"))
TIMEOUT = 600


def config(name):
    return {"ignition": {"version": "3.3.0"},
            "storage": {"files": [{"path": "/etc/hostname", "mode": 420, "contents": {"source": "data:," + name}}]}}


def purge(conn, names):
    for name in names:
        try:
            dom = conn.lookupByName(name)
        except libvirt.libvirtError:
            dom = None
        if dom is not None:
            if dom.isActive():
                try:
                    dom.destroy()
                except libvirt.libvirtError:
                    if dom.isActive():  # not a guest that just powered itself off
                        raise
            dom.undefine()
        for suffix in (".qcow2", ".ign", "-console.log"):
            path = os.path.join(STORAGE, name + suffix)
            if os.path.exists(path):
                os.unlink(path)


REFERENCE = r'''
set -eu
base=$1; dir=$2; shift 2
for name in "$@"; do
  qemu-img create -q -f qcow2 -F qcow2 -b "$base" "$dir/$name.qcow2"
  chown libvirt-qemu: "$dir/$name.ign"; chmod 600 "$dir/$name.ign"
  virt-install --connect qemu:///system --name "$name" --virt-type qemu --vcpus 1 --memory 256 --import \
    --osinfo detect=on,require=off --graphics none --noautoconsole \
    --disk "path=$dir/$name.qcow2,format=qcow2,bus=virtio" --network network=default,model=virtio \
    --serial "file,path=$dir/$name-console.log" \
    --qemu-commandline="-fw_cfg name=opt/com.coreos/config,file=$dir/$name.ign" >/dev/null 2>&1
done
for name in "$@"; do
  until grep -q NESTOS-LAB-REPORT-END "$dir/$name-console.log" 2>/dev/null; do sleep 0.5; done
done
'''


def run_reference(base, names):
    for name in names:
        with open(os.path.join(STORAGE, name + ".ign"), "w") as handle:
            json.dump(config(name), handle)
    start = time.time()
    subprocess.run(["timeout", str(TIMEOUT), "bash", "-c", REFERENCE, "ref", base, STORAGE] + names, check=True)
    return time.time() - start


def run_playbook(base, names, state="running"):
    extra = {"libvirt_deploy_image": base, "libvirt_deploy_storage_dir": STORAGE, "libvirt_deploy_memory": 256,
             "libvirt_deploy_vcpus": 1, "libvirt_deploy_domain_type": "qemu", "libvirt_deploy_state": state,
             "libvirt_deploy_wait_for_console": END, "libvirt_deploy_poll_interval": 1,
             "libvirt_deploy_machines": [{"name": n, "ignition_content": json.dumps(config(n))} for n in names]}
    varsfile = os.path.join(STORAGE, "bench-vars.json")
    with open(varsfile, "w") as handle:
        json.dump(extra, handle)
    os.chmod(varsfile, 0o600)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % sys.executable, "-e", "@" + varsfile, "nestos.lifecycle.deploy"]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False)
    elapsed = time.time() - start
    os.unlink(varsfile)
    if proc.returncode != 0:
        raise SystemExit("deploy.yml failed:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    changed = int(re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", proc.stdout).group(1))
    return elapsed, changed


def check_reports(names):
    from tests.lab import harness
    for name in names:
        report = harness.read_serial_log(os.path.join("/var/log/libvirt/qemu", name + "-console.log")
                                         if os.path.exists(os.path.join("/var/log/libvirt/qemu", name + "-console.log"))
                                         else os.path.join(STORAGE, name + "-console.log"))
        if not report.succeeded or report.text("/etc/hostname") != name:
            raise SystemExit("%s: Ignition did not apply the config: %s" % (name, report.ignition["messages"]))


def main():
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open("qemu:///system")
    os.makedirs(STORAGE, exist_ok=True)
    base = os.path.join(STORAGE, "base.qcow2")
    shutil.copyfile(media.paths()["qcow2"], base)
    ref_names = ["nestos-bench-ref-%d" % i for i in range(N)]
    our_names = ["nestos-bench-pb-%d" % i for i in range(N)]
    purge(conn, ref_names + our_names)
    try:
        ref = run_reference(base, ref_names)
        check_reports(ref_names)
        ours, changed = run_playbook(base, our_names)
        check_reports(our_names)
        rerun, rerun_changed = run_playbook(base, our_names, state="present")
        if rerun_changed != 0:
            raise SystemExit("the re-run reported changed=%d" % rerun_changed)
    finally:
        purge(conn, ref_names + our_names)
    result = {"machines": N, "virt_install_loop_s": round(ref, 1), "deploy_playbook_s": round(ours, 1),
              "ratio_playbook_over_virt_install": round(ours / ref, 2), "idempotent_rerun_s": round(rerun, 1),
              "rerun_changed": rerun_changed, "first_run_changed_tasks": changed,
              "load_average": os.getloadavg()[0]}
    out_dir = os.path.join(os.path.dirname(CACHE), "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "libvirt.json"), "w") as handle:
        json.dump(result, handle, indent=2)
    print("bench-libvirt: %d machines to 'Ignition done': virt-install loop %.1fs, deploy.yml %.1fs (ratio %.2f);"
          " idempotent re-run %.1fs (changed=0); load %.1f" % (
              N, ref, ours, ours / ref, rerun, result["load_average"]))


if __name__ == "__main__":
    main()
