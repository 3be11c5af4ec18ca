"""Record upstream Butane's answers for the differential corpus (run by hand, never in CI).

    python3 tests/conformance/butane/differential/record.py /path/to/upstream/butane

Upstream is coreos/butane v0.19.0 built beside the project (docs/butane.md, "Differential
corpus"). For every ``cases/*.bu`` it runs ``butane -d files CASE`` and ``butane --strict -d
files CASE`` and writes stdout, stderr and the exit code of both to ``expected.json``.
Upstream has no ``nestos`` variant: a case whose first two lines are ``variant: nestos`` /
``version: 1.0.0`` is given to upstream as ``fcos`` ``1.4.0`` (the same spec; lines do not move).
"""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
NESTOS_HEAD = b"variant: nestos\nversion: 1.0.0\n"
FCOS_HEAD = b"variant: fcos\nversion: 1.4.0\n"


def upstream_input(data):
    if data.startswith(NESTOS_HEAD):
        return FCOS_HEAD + data[len(NESTOS_HEAD):]
    return data


def run(oracle, data, strict):
    argv = [oracle, "-d", "files"] + (["--strict"] if strict else [])
    proc = subprocess.run(argv, input=data, capture_output=True, timeout=120, check=False, cwd=str(HERE))
    return {"rc": proc.returncode, "stdout": proc.stdout.decode("utf-8", "surrogateescape"),
            "stderr": proc.stderr.decode("utf-8", "surrogateescape")}


def main(oracle):
    version = subprocess.run([oracle, "--version"], capture_output=True, check=True).stdout.decode().strip()
    out = {"_oracle": version}
    for case in sorted((HERE / "cases").glob("*.bu")):
        data = upstream_input(case.read_bytes())
        out[case.stem] = {"plain": run(oracle, data, False), "strict": run(oracle, data, True)}
    (HERE / "expected.json").write_text(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                        encoding="utf-8", errors="surrogateescape")
    print("recorded %d cases with %s" % (len(out) - 1, version))


if __name__ == "__main__":
    main(sys.argv[1])
