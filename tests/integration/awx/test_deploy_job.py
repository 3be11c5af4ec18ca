"""The deploy job run the AWX way: in the EE, on the `hypervisors` group, reaching the lab's
real libvirtd (qemu:///system in netns nestos-lab) through its socket mounted into the job's
container, with the container in that namespace (--network=ns:...) so the wait for the guest
happens where the guest network is. The machine must boot with its Ignition config (read from
its serial console), and the job's events must show the deploy task changed on the hypervisor."""
import os
import shutil

import libvirt  # requirements-dev.txt
import pytest

from tests.lab import harness, media
from tests.support import awx_runner

pytestmark = [pytest.mark.libvirt, pytest.mark.lab, pytest.mark.slow]

NETNS = os.environ.get("NESTOS_LIBVIRT_NETNS", "nestos-lab")
LOG_DIR = "/var/log/libvirt/qemu"
REPORT_END = "NESTOS-LAB-REPORT-END"
HYPERVISORS = """[hypervisors]
lab-hypervisor ansible_connection=local ansible_python_interpreter=/usr/bin/python3
"""


@pytest.fixture
def storage():
    """A storage folder of our own (libvirtd reads the disks from it; the job writes them)."""
    path = "/var/lib/libvirt/images/nestos-awx-%d" % os.getpid()
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def conn():
    if not os.path.exists("/run/netns/%s" % NETNS):
        pytest.fail("network namespace %s missing: run `make lab` (target libvirt-daemon)" % NETNS)
    handle = libvirt.open("qemu:///system")
    yield handle
    handle.close()


def purge(conn, name):
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        try:
            dom.destroy()
        except libvirt.libvirtError:
            if dom.isActive():
                raise
    dom.undefine()


def test_deploy_job_through_the_lab_libvirtd(ee_image, pdd, storage, conn):
    name = "nestos-awx-deploy-%d" % os.getpid()
    purge(conn, name)
    base = os.path.join(storage, "base.qcow2")
    shutil.copyfile(media.paths()["qcow2"], base)
    os.chmod(base, 0o644)
    extravars = dict(awx_runner.survey_defaults("libvirt_deploy"))
    extravars.update({
        "libvirt_deploy_image": base, "libvirt_deploy_storage_dir": storage, "libvirt_deploy_memory": 256,
        "libvirt_deploy_vcpus": 1, "libvirt_deploy_wait_for_console": REPORT_END, "libvirt_deploy_wait_timeout": 420,
        "libvirt_deploy_machines": [{"name": name, "butane": "variant: nestos\nversion: 1.0.0\nstorage:\n  files:\n"
                                     "    - path: /etc/hostname\n      contents:\n        inline: %s\n" % name}],
    })
    volumes = ["/run/libvirt:/run/libvirt", "%s:%s" % (storage, storage), "%s:%s:ro" % (LOG_DIR, LOG_DIR)]
    try:
        job = awx_runner.run_job(pdd, "playbooks/deploy.yml", HYPERVISORS, extravars, image=ee_image,
                                 container_options=["--network=ns:/run/netns/%s" % NETNS], volumes=volumes,
                                 ident="deploy", timeout=900)
        assert job.status == "successful", job.summary()
        ran_on = {e["event_data"].get("host") for e in job.events if e["event"] == "runner_on_ok"}
        assert "lab-hypervisor" in ran_on, ran_on
        changed = [e for e in job.events if e["event"] == "runner_on_ok"
                   and e["event_data"].get("host") == "lab-hypervisor" and e["event_data"]["res"].get("changed")]
        assert changed, job.tasks()
        dom = conn.lookupByName(name)  # defined in the real libvirtd on this machine
        report = harness.read_serial_log(os.path.join(LOG_DIR, "%s-console.log" % name))
        assert report.succeeded, report.ignition["messages"]
        assert report.text("/etc/hostname").strip() == name
        assert dom.UUIDString()
    finally:
        purge(conn, name)
