"""The Butane CLI (tools/nestos_butane.py, run as a process) on hostile destinations and inputs:
an error naming what to fix, never a traceback, and the device or FIFO left as it was."""
import os
import subprocess
import sys

HEAD = "variant: fcos\nversion: 1.4.0\n"
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_cli_output_to_dev_full_keeps_the_device(tmp_path):
    before = os.stat("/dev/full")
    proc = subprocess.run([sys.executable, os.path.join(TOP, "tools", "nestos_butane.py"), "-o", "/dev/full"],
                          input=HEAD.encode(), capture_output=True, timeout=60, check=False)
    after = os.stat("/dev/full")
    assert proc.returncode == 1 and b"failed to write /dev/full" in proc.stderr and b"Traceback" not in proc.stderr
    assert (before.st_ino, before.st_rdev) == (after.st_ino, after.st_rdev)


def test_cli_refuses_a_fifo_destination(tmp_path):
    fifo = tmp_path / "out"
    os.mkfifo(str(fifo))
    proc = subprocess.run([sys.executable, os.path.join(TOP, "tools", "nestos_butane.py"), "-o", str(fifo)],
                          input=HEAD.encode(), capture_output=True, timeout=60, check=False)
    assert proc.returncode == 1 and b"FIFO" in proc.stderr


def test_cli_fifo_input_is_refused(tmp_path):
    fifo = tmp_path / "in.bu"
    os.mkfifo(str(fifo))
    proc = subprocess.run([sys.executable, os.path.join(TOP, "tools", "nestos_butane.py"), str(fifo)],
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 1 and b"not a regular file" in proc.stderr
