"""Fleet lab supervisor: runs one real sshd per lab host and performs the hosts' "reboots".

Started by ``Fleet.start()`` as its own process (``python supervisor.py FLEET_DIR``); stops on
SIGTERM, taking every sshd and every process inside the hosts' roots with it.

A reboot is requested by the doubles (systemctl reboot, reboot, rpm-ostree … --reboot) writing
``/run/nestos-lab/reboot-request`` inside a host's root. The supervisor then, like a real reboot:
kills the host's sshd and every process running in its root (the ssh connection drops), keeps
the port closed for ``reboot_delay`` seconds, runs ``/usr/libexec/nestos-lab/boot NEW_BOOT_ID``
in the root with chroot(8) (finalizes the staged deployment, new boot id), and starts sshd
again — unless the host has the ``reboot-hang`` fault, then it stays down until
``Fleet.revive()``.
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import uuid

POLL = 0.1


class HostProc:
    def __init__(self, spec):
        self.name = spec["name"]
        self.port = spec["port"]
        self.dir = pathlib.Path(spec["dir"])
        self.root = pathlib.Path(spec["root"])
        self.proc = None
        self.down_until = None   # reboot in progress: time when it may come back
        self.hung = False
        self.rebooting = None    # thread doing the shutdown half of a reboot

    def start(self):
        log = self.dir / "sshd.log"
        self.proc = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-f", str(self.dir / "sshd_config"), "-E", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_all(self):
        """Kill sshd (listener and session processes) and everything running inside the root."""
        victims = set()
        root = str(self.root)
        parents = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                if os.readlink("/proc/%d/root" % pid) == root:
                    victims.add(pid)
                with open("/proc/%d/stat" % pid) as f:
                    stat = f.read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                parents[pid] = ppid
            except (OSError, ValueError, IndexError):
                continue
        if self.proc is not None:
            tree = {self.proc.pid}
            changed = True
            while changed:
                changed = False
                for pid, ppid in parents.items():
                    if ppid in tree and pid not in tree:
                        tree.add(pid)
                        changed = True
            victims |= tree
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None

    def note(self, what):
        """Reboot times for tests (e.g. that reboots under a FleetLock never overlap)."""
        with open(self.dir / "reboots.log", "a") as f:
            f.write("%s %.3f\n" % (what, time.time()))

    def reboot_requested(self):
        req = self.root / "run/nestos-lab/reboot-request"
        if req.exists():
            what = req.read_text().strip()
            req.unlink()
            return what or "reboot"
        return None

    def boot(self):
        bid = str(uuid.uuid4())
        subprocess.run(["chroot", str(self.root), "/usr/libexec/nestos-lab/boot", bid],
                       stdout=subprocess.DEVNULL, stderr=open(self.dir / "boot.err", "ab"),
                       env={"PATH": "/usr/bin:/usr/sbin"}, check=False)


def shutdown(h, what, delay):
    # the reboot double returned already; a real systemd shutdown also takes a moment
    # before sshd and the sessions are stopped
    time.sleep(0.2)
    h.note("down")
    h.kill_all()
    h.boot()
    h.hung = (h.root / "var/lib/nestos-lab/faults/reboot-hang").exists() or what in ("poweroff", "halt")
    h.down_until = time.time() + delay
    print("%s: %s (down %.1fs%s)" % (h.name, what, delay, ", hangs" if h.hung else ""), flush=True)


def _alive(pid):
    if not pid:
        return True
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def main(fleet_dir, owner=None):
    fleet_dir = pathlib.Path(fleet_dir)
    spec = json.loads((fleet_dir / "fleet.json").read_text())
    delay = float(spec.get("reboot_delay", 1.0))
    hosts = [HostProc(h) for h in spec["hosts"]]
    (fleet_dir / "supervisor.pid").write_text("%d\n" % os.getpid())
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *a: stopping.append(1))
    for h in hosts:
        h.start()
    try:
        while not stopping:
            now = time.time()
            if not _alive(owner):
                print("owner %s is gone, stopping" % owner, flush=True)
                break
            for h in hosts:
                if h.rebooting is not None:
                    if h.rebooting.is_alive():
                        continue
                    h.rebooting = None
                what = h.reboot_requested()
                if what:
                    h.rebooting = threading.Thread(target=shutdown, args=(h, what, delay), daemon=True)
                    h.rebooting.start()
                elif h.down_until is not None:
                    revive = h.dir / "revive"
                    if revive.exists():
                        revive.unlink()
                        h.hung = False
                    if not h.hung and now >= h.down_until:
                        h.down_until = None
                        h.start()
                        h.note("up")
                        print("%s: up" % h.name, flush=True)
                elif h.proc is not None and h.proc.poll() is not None:
                    print("%s: sshd exited rc %s, restarting" % (h.name, h.proc.returncode), flush=True)
                    h.start()
            time.sleep(POLL)
    finally:
        for h in hosts:
            h.kill_all()
        try:
            (fleet_dir / "supervisor.pid").unlink()
        except OSError:
            pass


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
