# Shared helpers of the command-line image tests (sourced). $NI is the program under test
# (coreos-installer or nestos-installer, from tools/), $1 of each script the ISO to test.
set -euo pipefail
PS4='+ ${BASH_SOURCE##*/}:${LINENO}: '

fatal() { echo "FAIL: $*" >&2; exit 1; }
digest() { sha256sum "${1:--}" | awk '{print $1}'; }
# grep -q without closing the pipe early (which would fail the writer under pipefail)
grepq() { grep "$@" > /dev/null; }
same() { [ "$1" = "$2" ] || fatal "${3:-mismatch}: $1 vs $2"; }
# must_fail PATTERN CMD...: CMD exits 1 (an error, not a usage error) and says PATTERN on stderr
must_fail() {
    local pattern=$1 rc=0; shift
    "$@" > "${tmpd}/out.bin" 2> "${tmpd}/err.txt" || rc=$?
    [ "$rc" = 1 ] || { cat "${tmpd}/err.txt" >&2; fatal "exit $rc (wanted 1): $*"; }
    grepq -- "$pattern" "${tmpd}/err.txt" || { cat "${tmpd}/err.txt" >&2; fatal "no '$pattern' from: $*"; }
}

tmpd=$(mktemp -d)
trap 'rm -rf "${tmpd}"' EXIT

# the image under test, unpacked/copied to the temp folder as test.iso
src=$(realpath "$1")
cd "${tmpd}"
if [ "${src%.xz}" != "${src}" ]; then xz -dc "${src}" > test.iso; else cp --reflink=auto "${src}" test.iso; fi
iso=test.iso
out_iso=test.iso.out
orig_hash=$(digest "${iso}")
: "${NI:?NI must name the program under test}"
