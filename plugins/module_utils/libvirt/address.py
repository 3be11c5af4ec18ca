# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find a guest's address without a guest agent (NestOS ships none), and wait for a TCP port.

Sources, in order: the DHCP leases of the libvirt network the NIC is on (matched by MAC),
then the ARP table libvirt reads on the host (works for bridged NICs once the guest spoke).
A port check connects from where this code runs: run it in the network namespace that
reaches the guest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket
import time

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

ARP_PATH = "/proc/net/arp"


def lease_addresses(conn, interfaces):
    """[(mac, ip)] from the DHCP leases of the libvirt networks the ``interfaces`` use."""
    found = []
    for nic in interfaces:
        if nic.kind != "network":
            continue
        try:
            net = conn.networkLookupByName(nic.source)
            leases = net.DHCPLeases(nic.mac) or []
        except Exception:  # pylint: disable=broad-except  # libvirtError: network gone or inactive
            continue
        for lease in sorted(leases, key=lambda item: item.get("expirytime", 0), reverse=True):
            if lease.get("type", 0) == 0 and lease.get("ipaddr"):  # 0 = VIR_IP_ADDR_TYPE_IPV4
                found.append((nic.mac, lease["ipaddr"]))
    return found


def domain_addresses(dom, source):
    """[(mac, ip)] from libvirt's interfaceAddresses for ``source`` (lease=0, agent=1, arp=2)."""
    found = []
    try:
        table = dom.interfaceAddresses(source) or {}
    except Exception:  # pylint: disable=broad-except  # libvirtError: not running / unsupported
        return found
    for _name, info in sorted(table.items()):
        for addr in info.get("addrs") or []:
            if addr.get("type") == 0 and addr.get("addr"):
                found.append(((info.get("hwaddr") or "").lower(), addr["addr"]))
    return found


def arp_addresses(macs, path=ARP_PATH):
    """[(mac, ip)] from the kernel's ARP table in this network namespace."""
    wanted = set(m.lower() for m in macs)
    found = []
    try:
        with open(path) as handle:
            lines = handle.read().splitlines()[1:]
    except (IOError, OSError):
        return found
    for line in lines:
        cols = re.split(r"\s+", line.strip())
        if len(cols) >= 4 and cols[3].lower() in wanted and cols[2] != "0x0":
            found.append((cols[3].lower(), cols[0]))
    return found


def find_address(conn, dom, interfaces):
    """First IPv4 address of the guest, and where it came from ('lease' / 'arp'), or (None, None)."""
    leases = lease_addresses(conn, interfaces)
    if leases:
        return leases[0][1], "lease"
    macs = [nic.mac for nic in interfaces]
    arp = [item for item in domain_addresses(dom, 2) if item[0] in macs] or arp_addresses(macs)
    if arp:
        return arp[0][1], "arp"
    return None, None


def port_open(ip, port, timeout=2.0):
    try:
        sock = socket.create_connection((ip, port), timeout=timeout)
    except (socket.error, OSError):
        return False
    sock.close()
    return True


def wait_for(conn, dom, interfaces, port=None, timeout=300, interval=1.0, is_running=None, clock=time.time,
             sleep=time.sleep):
    """Wait for an address (and ``port`` when given); returns (ip, source, waited seconds).

    Raises NestosError on timeout, or as soon as ``is_running()`` says the guest stopped.
    """
    start = clock()
    ip = source = None
    while True:
        if ip is None:
            ip, source = find_address(conn, dom, interfaces)
        if ip is not None and (port is None or port_open(ip, port)):
            return ip, source, round(clock() - start, 1)
        if is_running is not None and not is_running():
            raise NestosError("the guest stopped before %s" % (
                "it got an address" if ip is None else "TCP port %d answered on %s" % (port, ip)))
        if clock() - start >= timeout:
            if ip is None:
                raise NestosError("no address for MAC %s after %ds (no DHCP lease, no ARP entry); is the guest"
                                  " on a network with DHCP?" % (", ".join(n.mac for n in interfaces), timeout),
                                  path="wait_timeout")
            raise NestosError("address %s found but TCP port %d did not answer within %ds" % (ip, port, timeout),
                              path="wait_timeout")
        sleep(interval)
