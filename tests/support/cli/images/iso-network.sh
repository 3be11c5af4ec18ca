#!/bin/bash
# iso network embed/extract/remove. NETWORK=1: round trips restore the original bytes; stream,
# new file and in place agree; independent of the Ignition config. NETWORK=0: refused.
source "$(dirname "$0")/lib.sh"
mkdir src
printf '[connection]\nid=a\n' > src/a.nmconnection
printf '[connection]\nid=b\n' > src/b.nmconnection
embed=(-k src/b.nmconnection -k src/a.nmconnection)

if [ "${NETWORK:-1}" = 0 ]; then
    must_fail "does not support customizing network settings" $NI iso network embed "${embed[@]}" "${iso}"
    must_fail "does not support customizing network settings" $NI iso network embed "${embed[@]}" -o out.iso "${iso}"
    [ ! -e out.iso ] || fatal "refused embed left an output file"
    same "$(digest "${iso}")" "${orig_hash}" "image changed"
    echo "Success."
    exit 0
fi

stream_hash=$($NI iso network embed "${embed[@]}" -o - "${iso}" | tee "${out_iso}" | digest)
$NI iso network extract "${out_iso}" > shown.txt
printf '########## a.nmconnection ##########\n[connection]\nid=a\n\n########## b.nmconnection ##########\n[connection]\nid=b\n' \
    | cmp - shown.txt || fatal "extract to stdout: unexpected framing"
rm "${out_iso}"
$NI iso network embed "${embed[@]}" "${iso}" -o "${out_iso}"
same "$(digest "${out_iso}")" "${stream_hash}" "new file vs stream"
$NI iso network embed "${embed[@]}" "${iso}"
same "$(digest "${iso}")" "${stream_hash}" "in place vs stream"
$NI iso network extract -C extracted "${iso}" > listed.txt
same "$(cat listed.txt)" "$(printf 'extracted/a.nmconnection\nextracted/b.nmconnection')" "extract -C listing"
cmp extracted/a.nmconnection src/a.nmconnection
cmp extracted/b.nmconnection src/b.nmconnection
must_fail "File exists" $NI iso network extract -C extracted "${iso}"

must_fail "already has embedded network settings" $NI iso network embed "${embed[@]}" "${iso}"
$NI iso network embed -f "${embed[@]}" "${iso}"
rm "${out_iso}"
must_fail "already has embedded network settings" $NI iso network embed "${embed[@]}" "${iso}" -o "${out_iso}"
$NI iso network embed -f "${embed[@]}" "${iso}" -o "${out_iso}"
must_fail "already has embedded network settings" $NI iso network embed "${embed[@]}" "${iso}" -o -
cp src/a.nmconnection src/dup && mkdir src/x && cp src/a.nmconnection src/x/a.nmconnection
must_fail "multiple input files named 'a.nmconnection'" \
    $NI iso network embed -f -k src/a.nmconnection -k src/x/a.nmconnection "${iso}"

same "$($NI iso network remove "${iso}" -o - | digest)" "${orig_hash}" "remove -o -"
rm "${out_iso}"
$NI iso network remove "${iso}" -o "${out_iso}"
same "$(digest "${out_iso}")" "${orig_hash}" "remove -o FILE"
$NI iso network remove "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "remove in place"
must_fail "No embedded network settings" $NI iso network extract "${iso}"

# network settings and the Ignition config live side by side
echo '{"ignition": {"version": "3.0.0"}}' | $NI iso ignition embed "${iso}"
$NI iso network embed "${embed[@]}" "${iso}"
$NI iso ignition show "${iso}" | grepq '"version"'
$NI iso ignition remove "${iso}"
$NI iso network extract "${iso}" | grepq 'id=b'
$NI iso network remove "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "interleaved round trip"
# and no empty archive is left in the embed area
offset=$($NI dev show iso --ignition "${iso}" | jq -r .offset)
length=$($NI dev show iso --ignition "${iso}" | jq -r .length)
dd if="${iso}" skip="${offset}" count="${length}" bs=1 status=none | cmp -n "${length}" - /dev/zero
echo "Success."
