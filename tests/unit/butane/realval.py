"""Run the real ignition-validate (Debian's ignition 2.14.0) on a config our engine emitted."""
import os
import subprocess
import tempfile

IGNITION_VALIDATE = "/usr/bin/ignition-validate"


def real_validate(data):
    """(returncode, output) of ignition-validate on ``data`` (str or bytes)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, path = tempfile.mkstemp(suffix=".ign")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        proc = subprocess.run([IGNITION_VALIDATE, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=60, check=False)
        return proc.returncode, proc.stdout.decode("utf-8", "replace")
    finally:
        os.unlink(path)


def assert_real_valid(data):
    code, out = real_validate(data)
    assert code == 0, "ignition-validate rejected our output:\n%s\n%s" % (out, data)
