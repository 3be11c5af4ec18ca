"""The real ``ignition-validate`` (Debian's ignition 2.14.0), run on a config: the one helper
the Butane and Ignition conformance tests share."""
import re
import shutil
import subprocess

IGNITION_VALIDATE = shutil.which("ignition-validate") or "/usr/bin/ignition-validate"
LINE = re.compile(r"^(error|warning|info) at (\$[^,]*?)(?:, line (\d+) col (\d+))?: (.*)$")
NO_PATH = re.compile(r"^error at line \d+ col \d+: (.*)$")


def real_validate(data):
    """``(returncode, entries, output)`` of ignition-validate on ``data`` (str or bytes).

    ``entries`` is the set of ``(kind, path, message, line, column)`` of the report lines
    that carry a path (line/column as text, None when absent).
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    proc = subprocess.run([IGNITION_VALIDATE, "-"], input=data, capture_output=True, timeout=60, check=False)
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    entries = set()
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            entries.add((match.group(1), match.group(2), match.group(5), match.group(3), match.group(4)))
    return proc.returncode, entries, out


def assert_real_valid(data):
    """Fail the test when the real validator rejects ``data``."""
    code, _entries, out = real_validate(data)
    assert code == 0, "ignition-validate rejected our output:\n%s\n%s" % (out, data)
