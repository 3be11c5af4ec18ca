#!/bin/bash
# iso customize and iso reset over the upstream customize fixtures: what is embedded, force,
# live kargs, refusals by feature (CONSOLE=0: no installer-config-directives; NETWORK=0), and
# reset back to the original bytes. $FIXTURES is ../shared/fixtures/upstream/coreos-installer/fixtures.
source "$(dirname "$0")/lib.sh"
c="${FIXTURES}/customize"
prefix=${FLAVOUR:-coreos}

if [ "${CONSOLE:-1}" = 0 ]; then
    must_fail "does not support customizing the destination console" \
        $NI iso customize --dest-console ttyS0 "${iso}"
fi
if [ "${NETWORK:-1}" = 0 ]; then
    must_fail "does not support customizing network settings" \
        $NI iso customize --network-keyfile "${c}/installer-test.nmconnection" "${iso}"
    same "$(digest "${iso}")" "${orig_hash}" "image changed"
    echo "Success."
    exit 0
fi
# nmstate is refused with the engine's explanation (no pure-Python nmstate)
must_fail "network_nmstate is not supported" \
    $NI iso customize --network-nmstate "${c}/installer-test-nmstate-yaml.yaml" "${iso}"

args=(--dest-ignition "${c}/dest.ign" --dest-device /dev/vda --dest-karg-append foo=bar
      --dest-karg-delete quiet --network-keyfile "${c}/installer-test.nmconnection"
      --ignition-ca "${c}/cert.pem" --pre-install "${c}/pre-install-1" --post-install "${c}/post-install-1"
      --installer-config "${c}/install-1.conf" --live-ignition "${c}/live.ign")
[ "${CONSOLE:-1}" = 0 ] || args+=(--dest-console ttyS0,115200n8)
live_kargs=()
[ "${KARGS:-1}" = 0 ] || live_kargs=(--live-karg-append live.marker=1 --live-karg-delete ignition.firstboot)

stream_hash=$($NI iso customize "${args[@]}" "${live_kargs[@]}" -o - "${iso}" 2> messages.txt | tee "${out_iso}" | digest)
grepq "automatically install to /dev/vda without confirmation" messages.txt
rm "${out_iso}"
$NI iso customize "${args[@]}" "${live_kargs[@]}" "${iso}" -o "${out_iso}" 2> /dev/null
same "$(digest "${out_iso}")" "${stream_hash}" "new file vs stream"
$NI iso customize "${args[@]}" "${live_kargs[@]}" "${iso}" 2> /dev/null
same "$(digest "${iso}")" "${stream_hash}" "in place vs stream"

# what went in: the keyfile, and a live config that carries the installer config and dest.ign
$NI iso network extract "${iso}" | grepq "installer-test"
$NI iso ignition show "${iso}" | jq -e '.ignition.version == "3.3.0"' > /dev/null
$NI iso ignition show "${iso}" | jq -r '.storage.files[].path' > paths.txt
grepq -x "/etc/${prefix}/installer.d/0000-install-1.conf" paths.txt
grepq -x "/etc/${prefix}/dest.ign" paths.txt
grepq -x "/usr/local/bin/pre-install-pre-install-1" paths.txt
if [ "${KARGS:-1}" != 0 ]; then
    $NI iso kargs show "${iso}" | grepq "live.marker=1"
    if $NI iso kargs show "${iso}" | grepq "ignition.firstboot"; then fatal "live karg not deleted"; fi
fi

# a customized image needs -f; reset restores the original bytes
must_fail "already customized" $NI iso customize --dest-device /dev/vdb "${iso}"
$NI iso customize -f --dest-device /dev/vdb "${iso}" 2> /dev/null
same "$($NI iso reset "${iso}" -o - | digest)" "${orig_hash}" "reset -o -"
$NI iso reset "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "reset in place"
# invalid Ignition fragments are refused with the file named
echo '{"ignition": {"version": "9.9.9"}}' > bad.ign
must_fail "bad.ign" $NI iso customize --dest-ignition bad.ign "${iso}"
same "$(digest "${iso}")" "${orig_hash}" "refused customize changed the image"
echo "Success."
