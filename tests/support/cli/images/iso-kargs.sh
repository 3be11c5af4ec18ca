#!/bin/bash
# iso kargs modify/reset/show: round trips restore the original bytes; stream, new file and
# in place agree; the largest karg that fits and the first that does not; ground truth bytes.
# With KARGS=0 the image has no kargs area and every kargs command must say so.
source "$(dirname "$0")/lib.sh"

if [ "${KARGS:-1}" = 0 ]; then
    for cmd in "iso kargs show" "iso kargs show --default" "iso kargs reset" "iso kargs reset -o -" \
               "iso kargs modify -a foobar" "iso kargs modify -a foobar -o out.iso"; do
        # shellcheck disable=SC2086
        must_fail "No karg embed areas found" $NI ${cmd} "${iso}"
    done
    [ ! -e out.iso ] || fatal "refused modify left an output file"
    same "$($NI dev show iso --kargs "${iso}")" "null" "kargs header"
    same "$(digest "${iso}")" "${orig_hash}" "image changed"
    echo "Success."
    exit 0
fi

if $NI iso kargs show "${iso}" | grepq foobar; then fatal "foobar already in the kargs"; fi
stream_hash=$($NI iso kargs modify -a foobar=oldval -a dodo -o - "${iso}" | tee "${out_iso}" | digest)
$NI iso kargs show "${out_iso}" | grepq 'foobar=oldval dodo$'
$NI iso kargs modify -d foobar=oldval -d dodo -o - "${out_iso}" > "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "append then delete"

$NI iso kargs modify -a foobar=oldval -a dodo "${iso}"
same "$(digest "${iso}")" "${stream_hash}" "in place vs stream"
rm "${out_iso}"
$NI iso kargs modify -r foobar=oldval=newval "${iso}" -o "${out_iso}"
$NI iso kargs show "${out_iso}" | grepq 'foobar=newval dodo'
rm "${iso}"
$NI iso kargs modify -d foobar=newval -d dodo "${out_iso}" -o "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "replace then delete to a new file"
must_fail "KEY=OLD=NEW" $NI iso kargs modify -r nonsense "${iso}"

# the largest karg that fits, and the first that does not
area=$($NI dev show iso --kargs "${iso}" | jq .length)
default_len=$($NI iso kargs show --default "${iso}" | wc -c)   # includes the newline
usable=$((area - default_len - 1))
long=$(printf '%*s' "${usable}" | tr ' ' k)
$NI iso kargs modify -a "${long}" "${iso}"
$NI iso kargs show "${iso}" | grepq " ${long}\$"
$NI iso kargs reset "${iso}"
long=$(printf '%*s' $((usable + 1)) | tr ' ' k)
must_fail "kargs too large for area" $NI iso kargs modify -a "${long}" "${iso}"
must_fail "kargs too large for area" $NI iso kargs modify -a "${long}" "${iso}" -o -
same "$(digest "${iso}")" "${orig_hash}" "refused modify changed the image"

# reset restores the original bytes
$NI iso kargs modify -a foobar "${iso}"
rm "${out_iso}"
$NI iso kargs reset "${iso}" -o "${out_iso}"
same "$(digest "${out_iso}")" "${orig_hash}" "reset -o FILE"
same "$($NI iso kargs reset "${iso}" -o - | digest)" "${orig_hash}" "reset -o -"
$NI iso kargs reset "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "reset in place"

# ground truth: every area holds "<default> foobar=val", the end character, then padding
$NI iso kargs modify -a foobar=val "${iso}"
expected="$($NI iso kargs show --default "${iso}") foobar=val"
count=$($NI dev show iso --kargs "${iso}" | jq '.kargs|length')
[ "${count}" -ge 1 ] || fatal "no kargs areas listed"
for idx in $(seq 0 $((count - 1))); do
    offset=$($NI dev show iso --kargs "${iso}" | jq -r ".kargs[${idx}].offset")
    length=$($NI dev show iso --kargs "${iso}" | jq -r ".kargs[${idx}].length")
    pad=$($NI dev show iso --kargs "${iso}" | jq -r ".kargs[${idx}].pad // \"#\" | if . == \"\\u0000\" then \"NUL\" else . end")
    if [ "${pad}" = NUL ]; then
        # NUL padding and end (s390x cdboot.img): the kargs, then zeros
        printf '%s' "${expected}" > want.bin
        truncate -s "${length}" want.bin
    else
        fill=$(printf '%*s' $((length - ${#expected} - 1)) | tr ' ' "${pad}")
        printf '%s\n%s' "${expected}" "${fill}" > want.bin
    fi
    dd if="${iso}" skip="${offset}" count="${length}" bs=1 status=none | cmp - want.bin \
        || fatal "kargs area ${idx} at ${offset} does not hold the expected bytes"
done
$NI iso kargs show --header "${iso}" | jq -e '.length > 0' > /dev/null
echo "Success."
