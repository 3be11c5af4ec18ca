"""Lab settings for playbooks/build.yml: the lab assembler image, private podman storage,
the local registry, the lab media mounted into the assembler, the sample nestos-config.

    python tests/lab/doubles/nestos-assembler/lab.py vars WORKDIR > vars.json
    python tests/lab/doubles/nestos-assembler/lab.py demo      (make demo-build: run build.yml,
        print the build, write the facts to .cache/build/demo/nestos_build.json)
Tests import it by path (the folder name has a dash).
"""
import hashlib
import json
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parents[3]
CACHE = pathlib.Path(os.environ.get("NESTOS_BUILD_CACHE", TOP / ".cache" / "build"))
REGISTRY = os.environ.get("NESTOS_REGISTRY_ADDR", "127.0.0.1:5005")
# the image tag follows the double's content (same as mk/build.mk computes)
VERSION = hashlib.sha256((HERE / "nosa.sh").read_bytes() + (HERE / "build-image.sh").read_bytes()).hexdigest()[:12]
IMAGE = "localhost/nestos-assembler:lab-%s" % VERSION
ARCHIVE = CACHE / ("nestos-assembler-lab-%s.tar" % VERSION)
CONFIG = HERE / "config"
# lab media key (tests/lab/media.py paths()) -> name the double reads under /lab-media
MEDIA_NAMES = {"qcow2": "disk.qcow2", "iso": "live.iso", "kernel": "live-kernel",
               "initramfs": "live-initramfs.img", "rootfs": "live-rootfs.img"}


def container_env():
    return {"CONTAINERS_CONF": str(CACHE / "etc" / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(CACHE / "etc" / "storage.conf")}


def media_paths():
    sys.path.insert(0, str(TOP))
    from tests.lab import media  # pylint: disable=import-outside-toplevel
    return media.paths()


def lab_vars(workdir, media=None, config_edits=None, push=True, derive=True, fail=None, registry=REGISTRY,
             delay=None):
    media = media if media is not None else media_paths()
    volumes = ["%s:/lab-media/%s:ro" % (media[key], name) for key, name in MEDIA_NAMES.items() if key in media]
    volumes.append("%s:/lab-config:ro" % CONFIG)
    workdir = str(workdir)
    env = {}
    if fail:
        env["NOSA_LAB_FAIL"] = fail
    if delay:
        env["NOSA_LAB_DELAY"] = str(delay)
    return {
        "nestos_build_hosts": "localhost",
        "build_host_engine": "podman",
        "build_host_install_engine": False,
        "build_host_disk_path": os.path.dirname(workdir),
        "build_host_min_disk_gb": 2,
        # the lab assembler needs neither KVM nor FUSE (no supermin VM, no rpm-ostree)
        "build_host_require_kvm": False,
        "build_host_require_fuse": False,
        "build_host_config_dir": str(CACHE / "etc"),
        "build_host_podman_storage": {"driver": "vfs", "graphroot": str(CACHE / "containers" / "root"),
                                      "runroot": str(CACHE / "containers" / "run")},
        "build_host_image": IMAGE,
        "build_host_image_source": "load",
        "build_host_image_archive": str(ARCHIVE),
        "build_host_nosa_path": str(CACHE / "bin" / "nosa"),
        "build_host_nosa_privileged": False,
        "build_host_nosa_network": "none",
        "build_host_nosa_devices": [],
        "build_host_nosa_volumes": volumes,
        "build_host_nosa_env_passthrough": ["NOSA_LAB_FAIL", "NOSA_LAB_DELAY"],
        "nestos_build_workdir": workdir,
        "nestos_build_nosa": str(CACHE / "bin" / "nosa"),
        "nestos_build_environment": env,
        "nestos_build_config_url": "/lab-config",
        "nestos_build_config": config_edits if config_edits is not None else default_edits(),
        "nestos_build_poll_seconds": 2,
        "nestos_build_push": push,
        "nestos_build_push_name": "%s/nestos" % registry,
        "nestos_build_push_tls_verify": False,
        "nestos_build_container_environment": container_env(),
        "nestos_build_derive": derive,
        "nestos_build_derive_name": "%s/nestos-derived:lab" % registry,
        "nestos_build_derive_builder": "buildah",
        # The lab image has no rpm-ostree: the RUN line is a harmless stand-in for
        # `rpm-ostree install strace && ostree container commit`.
        "nestos_build_derive_containerfile": (
            "FROM @NESTOS_IMAGE@\n"
            "RUN echo 'layered: strace (lab stand-in for rpm-ostree install)' > /etc/nestos-lab-derived && cat /usr/lib/os-release\n"),
    }


def default_edits():
    """Config edits the lab run makes (guide section 5.5)."""
    return {
        "repos": [{"id": "lab-extra", "name": "lab extra packages", "baseurl": "http://127.0.0.1:1/lab-extra/",
                   "enabled": True, "gpgcheck": False}],
        "packages": {"add": ["nano", "strace"]},
        "exclude_packages": {"remove": ["perl"]},
        "releasever": "24.03-LTS",
        "rojig": {"name": "nestos", "summary": "NestOS lab build"},
        "os_release": {"NAME": "openEuler NestOS", "VERSION_ID": "24.03-LTS", "PRETTY_NAME": "NestOS lab"},
        "overlay_files": [{"path": "15nestos/etc/test/test.txt", "content": "This is a test message !\n",
                           "mode": "0644"}],
    }


def demo():
    import subprocess  # pylint: disable=import-outside-toplevel
    folder = CACHE / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    facts_file = folder / "nestos_build.json"
    extra = lab_vars(str(folder / "nestos-build"))
    extra["dump_path"] = str(facts_file)
    (folder / "vars.json").write_text(json.dumps(extra, indent=2))
    venv = TOP / ".venv" / "bin"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(TOP / ".build" / "collections"))
    cmd = [str(venv / "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=%s" % (venv / "python"), "-e", "@%s" % (folder / "vars.json"),
           str(TOP / "tests" / "integration" / "build" / "dump.yml")]
    print("$ ansible-playbook playbooks/build.yml (lab settings in %s)" % (folder / "vars.json"))
    proc = subprocess.run(cmd, env=env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = proc.stdout.decode("utf-8", "replace")
    recap = text[text.rfind("PLAY RECAP"):] if "PLAY RECAP" in text else text[-3000:]
    if proc.returncode != 0:
        print(text[-6000:])
        raise SystemExit("build.yml failed")
    facts = json.loads(facts_file.read_text())
    build = facts["build"]
    print("NestOS %s (%s) built in %s" % (build["build_id"], build["arch"], build["build_dir"]))
    for key, art in sorted(build["artifacts"].items()):
        print("  %-15s %-62s %10d B  sha256 %s…%s" % (key, art["file"], art["size"], art["sha256"][:12],
                                                      "  (verified)" if art["verified"] else ""))
    if facts.get("pushed"):
        print("pushed   %s@%s" % (facts["pushed"]["reference"], facts["pushed"]["digest"]))
        print("         hosts rebase with: rpm-ostree rebase %s" % facts["pushed"]["rebase_ref"])
    if facts.get("derived"):
        print("derived  %s@%s" % (facts["derived"]["reference"], facts["derived"]["digest"]))
    print("facts:   %s" % facts_file)
    print(recap.strip())
    verified = sum(1 for art in build["artifacts"].values() if art["verified"])
    print("proved: playbooks/build.yml made build %s with the lab assembler: %d artifact(s), %d verified against"
          " meta.json%s" % (build["build_id"], len(build["artifacts"]), verified,
                            ", OCI image pushed" if facts.get("pushed") else ""))


def main(argv):
    if len(argv) > 1 and argv[1] == "demo":
        demo()
        return
    if len(argv) > 1 and argv[1] == "vars":
        argv = argv[1:]
    workdir = argv[1] if len(argv) > 1 else str(CACHE / "demo" / "nestos-build")
    print(json.dumps(lab_vars(workdir), indent=2))


if __name__ == "__main__":
    main(sys.argv)
