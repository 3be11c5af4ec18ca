#!/usr/bin/env bash
# Run ansible-test sanity offline on a copy of the collection at a path ending in
# ansible_collections/nestos/lifecycle. The copy holds what git tracks plus untracked,
# non-ignored files, as they are in the work tree.
set -euo pipefail
top=$(git rev-parse --show-toplevel)
venv="$top/.venv"
# A private copy per run, so that runs started at the same time do not clobber each other.
mkdir -p "$1"
work=$(mktemp -d "$1/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/nestos/lifecycle"
log="$work.log"
mkdir -p "$dest"
cd "$top"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | rsync -a --from0 --files-from=- ./ "$dest/"
# ansible-test downloads a pip bootstrap script from a host we cannot reach: give it ours.
pipver=$("$venv/bin/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages as g
from ansible_test._internal.host_configs import NativePythonConfig as N
print(g(N(version="3.11", path="/usr/bin/python3"))["pip"])')
mkdir -p ~/.ansible/test/cache
cp tests/sanity/get_pip.py ~/.ansible/test/cache/"get_pip_${pipver//./_}.py"
read -r -a targets <<< "${SANITY_ARGS:-}"
cd "$dest"
git init -q . && git add -A >/dev/null 2>&1
# --local: use the tools installed in .venv (ansible-test's own venv bootstrap needs a host we cannot reach).
"$venv/bin/ansible-test" sanity --local --python "$("$venv/bin/python" -c 'import sys;print("%d.%d"%sys.version_info[:2])')" \
  --color no "${targets[@]}" >"$log" 2>&1 || { grep -aE "^(ERROR|FATAL)" "$log" | head -80; echo "sanity: FAILED (full log: $log)"; exit 1; }
grep -aE "^WARNING: Required" "$log" || true
n=$(grep -acE "^Running sanity test " "$log" || true)
if [ -n "${NESTOS_STAGE_COUNTS:-}" ]; then echo "{\"passed\": $n, \"failed\": 0, \"skipped\": 0}" > "$NESTOS_STAGE_COUNTS"; fi
echo "sanity: passed, $n sanity tests (log: $log)"
