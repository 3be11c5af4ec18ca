"""`make demo-libvirt`: deploy one lab machine with playbooks/deploy.yml under the real libvirtd, with a Butane config
handed to the guest over fw_cfg, then print what the real Ignition applied (read from the guest's serial console)
and remove the machine with its own play (teardown.yml). Ends with one line saying what it proved.
Runs inside the lab's network namespace (the make target uses `ip netns exec`)."""
import json
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path[:0] = [os.path.join(TOP, ".build", "collections"), TOP]

from tests.lab import harness, media  # noqa: E402

NAME = "nestos-demo-libvirt"
STORAGE = "/var/lib/libvirt/images/nestos-demo"
BUTANE = """variant: nestos
version: 1.0.0
passwd:
  users:
    - name: nest
      ssh_authorized_keys:
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHd7R1c2VmRlbW9rZXlfZm9yX25lc3Rvc19saWZlY3ljbGU demo@nestos
storage:
  files:
    - path: /etc/hostname
      mode: 0644
      contents:
        inline: nestos-demo
systemd:
  units:
    - name: demo-hello.service
      enabled: true
      contents: |
        [Unit]
        Description=Say hello
        [Service]
        Type=oneshot
        ExecStart=/usr/bin/echo hello from libvirt
        [Install]
        WantedBy=multi-user.target
"""


HERE = os.path.dirname(os.path.abspath(__file__))


def playbook(extra, play="nestos.lifecycle.deploy"):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(extra, handle)
    os.chmod(handle.name, 0o600)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1",
               # the check-mode twin tasks of the role are skipped in a real run: not worth a line each
               ANSIBLE_DISPLAY_SKIPPED_HOSTS="false")
    try:
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                        "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable, "-e", "@" + handle.name,
                        play], check=True, env=env)
    finally:
        os.unlink(handle.name)


def main():
    os.makedirs(STORAGE, exist_ok=True)
    base = media.paths()["qcow2"]
    extra = {"libvirt_deploy_image": base, "libvirt_deploy_storage_dir": STORAGE, "libvirt_deploy_memory": 256,
             "libvirt_deploy_vcpus": 1, "libvirt_deploy_recreate": True,
             "libvirt_deploy_wait_for_console": "NESTOS-LAB-REPORT-END",
             "libvirt_deploy_machines": [{"name": NAME, "butane": BUTANE}]}
    print("== demo-libvirt: deploy %s under libvirtd from %s with a Butane config over fw_cfg, show what the"
          " guest's Ignition applied, remove it" % (NAME, os.path.basename(base)))
    start = time.time()
    playbook(extra)
    report = harness.read_serial_log("/var/log/libvirt/qemu/%s-console.log" % NAME)
    print("== what the real Ignition applied in the guest (from its serial console):")
    print(report.summary())
    playbook(extra, os.path.join(HERE, "teardown.yml"))
    if not report.succeeded:
        raise SystemExit("demo-libvirt: FAILED: Ignition did not succeed in the guest (%s)"
                         % ("; ".join(report.ignition["messages"]) or "no message"))
    platform = "ignition.platform.id=qemu" in report.cmdline.split()
    print("proved: libvirt_deploy made %s under libvirtd; the guest's Ignition read its config from fw_cfg (platform %s%s)"
          " and applied %d file(s), %d unit(s), %d user(s); the machine was removed again (%ds)"
          % (NAME, report.ignition["platform"] or "-", "" if platform else ", NOT ignition.platform.id=qemu",
             len(report.files), len(report.units), len(report.users), time.time() - start))


if __name__ == "__main__":
    main()
