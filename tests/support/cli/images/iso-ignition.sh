#!/bin/bash
# iso ignition embed/show/remove: stream, new file and in place give the same bytes; remove
# restores the original; the embed area holds an xz newc archive with the config; force rules.
source "$(dirname "$0")/lib.sh"
config='{"ignition": {"version": "3.0.0"}}'

stream_hash=$(echo "${config}" | $NI iso ignition embed -o - "${iso}" | tee "${out_iso}" | digest)
$NI iso ignition show "${out_iso}" | cmp - <(echo "${config}")
rm "${out_iso}"
$NI iso ignition embed -i <(echo "${config}") "${iso}" -o "${out_iso}"
same "$(digest "${out_iso}")" "${stream_hash}" "new file vs stream"
[ "$(stat -c %a "${out_iso}")" = 600 ] || fatal "output mode is not 0600"
$NI iso ignition embed -i <(echo "${config}") "${iso}"
same "$(digest "${iso}")" "${stream_hash}" "in place vs stream"
$NI iso ignition show "${iso}" | cmp - <(echo "${config}")

# ground truth: the embed area holds an xz newc archive with config.ign, then zeros
offset=$($NI dev show iso --ignition "${iso}" | jq -r .offset)
length=$($NI dev show iso --ignition "${iso}" | jq -r .length)
dd if="${iso}" skip="${offset}" count="${length}" bs=1 status=none > area.bin
same "$(xzcat --single-stream < area.bin | cpio -i --to-stdout --quiet config.ign)" "${config}" "embed area"

# an existing config needs -f, whatever the output
must_fail "already has an embedded Ignition config" $NI iso ignition embed -i <(echo "${config}") "${iso}"
$NI iso ignition embed -f -i <(echo "${config}") "${iso}"
rm "${out_iso}"
must_fail "already has an embedded Ignition config" $NI iso ignition embed -i <(echo "${config}") "${iso}" -o "${out_iso}"
[ ! -e "${out_iso}" ] || fatal "refused embed left an output file"
$NI iso ignition embed -f -i <(echo "${config}") "${iso}" -o "${out_iso}"
must_fail "already has an embedded Ignition config" $NI iso ignition embed -i <(echo "${config}") "${iso}" -o -
$NI iso ignition embed -f -i <(echo "${config}") "${iso}" -o - > /dev/null

# an existing output file is never replaced
must_fail "File exists" $NI iso ignition remove "${iso}" -o "${out_iso}"

# remove restores the original bytes (stream, new file, in place)
same "$($NI iso ignition remove "${iso}" -o - | digest)" "${orig_hash}" "remove -o -"
rm "${out_iso}"
$NI iso ignition remove "${iso}" -o "${out_iso}"
same "$(digest "${out_iso}")" "${orig_hash}" "remove -o FILE"
$NI iso ignition remove "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "remove in place"
must_fail "No embedded Ignition config" $NI iso ignition show "${iso}"

# a config that cannot fit, and one that is not valid Ignition: refused, image untouched
random=$(head -c "${length}" /dev/urandom | base64 -w0)
big() { echo "{\"ignition\": {\"version\": \"3.0.0\"}, \"storage\": {\"files\": [{\"path\": \"/etc/big\", \"contents\": {\"source\": \"data:,${random}\"}}]}}"; }
big > big.ign
rm -f "${out_iso}"
must_fail "too large" $NI iso ignition embed -i big.ign -o - "${iso}"
must_fail "too large" $NI iso ignition embed -i big.ign -o "${out_iso}" "${iso}"
must_fail "too large" $NI iso ignition embed -i big.ign "${iso}"
[ ! -e "${out_iso}" ] || fatal "refused embed left an output file"
echo '{"ignition": {"version": "3.0.0"}' > broken.ign
must_fail "broken.ign" $NI iso ignition embed -i broken.ign "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "refused embeds changed the image"

# clobbered legacy kargs header magic: Ignition embedding does not need it
dd if=/dev/zero of="${iso}" seek=32672 count=8 bs=1 conv=notrunc status=none
$NI iso ignition embed -i <(echo "${config}") "${iso}" -o "${out_iso}"
$NI iso ignition embed -i <(echo "${config}") "${iso}"
$NI iso ignition show "${iso}" > /dev/null
$NI iso ignition remove "${iso}"
echo "Success."
