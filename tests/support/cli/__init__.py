"""Running tools/nestos-installer (and its coreos-installer name) as a black box."""
import os
import pathlib
import subprocess

TOP = pathlib.Path(__file__).resolve().parents[3]
TOOLS = TOP / "tools"
IMAGES = pathlib.Path(__file__).resolve().parent / "images"
SCRIPTS = ("iso-ignition.sh", "iso-kargs.sh", "iso-network.sh", "iso-customize.sh", "iso-extract.sh",
           "dev-show-iso.sh")


def env(**extra):
    """Environment of the tests: tools/ first on PATH, so both program names resolve there."""
    out = dict(os.environ)
    out["PATH"] = "%s:%s" % (TOOLS, out.get("PATH", ""))
    out.update((k, str(v)) for k, v in extra.items())
    return out


def run(args, name="nestos-installer", input=None, cwd=None, timeout=300):
    """Run the program; returns the CompletedProcess (bytes stdout/stderr)."""
    return subprocess.run([str(TOOLS / name)] + [str(a) for a in args], input=input, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), timeout=timeout)


def run_script(script, iso, timeout=600, **variables):
    """Run one image script on ``iso``; returns (exit code, combined output)."""
    proc = subprocess.run(["bash", str(IMAGES / script), str(iso)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env(**variables), timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")
