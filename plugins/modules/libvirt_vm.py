#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: libvirt_vm
short_description: Deploy a NestOS QCOW2 machine under libvirt with its Ignition config passed over fw_cfg
version_added: "0.1.0"
description:
  - Creates a qcow2 overlay on a NestOS base image (C(qemu-img create -f qcow2 -F qcow2 -b BASE), grown to
    O(disk_size)), places the Ignition config where qemu may read it, and defines a libvirt domain that hands the
    config to the guest as the fw_cfg entry C(opt/com.coreos/config) (through C(<sysinfo type='fwcfg'>), or a
    C(qemu:commandline) C(-fw_cfg) argument on libvirt older than 6.5.0).
  - The domain gets a serial console written to a log file, fixed MAC addresses (derived from the name unless
    given, and kept across runs), UEFI for aarch64 guests, and an ownership mark in its C(<metadata>).
  - The domain type is chosen from what the host can really run; C(kvm) is used only when libvirt offers it,
    C(/dev/kvm) is usable, the host is not itself a virtual machine and a short KVM boot probe succeeds.
    Otherwise the guest runs under C(qemu) (TCG). O(domain_type) overrides the choice.
  - Ignition runs only on a machine's first boot. When the Ignition config (or the base image) differs from the
    one the machine was provisioned with, the module re-provisions it (deletes and re-creates it) only with
    O(recreate=true); otherwise it changes nothing and says so (see O(on_config_change)).
  - Domains that this collection did not create are never modified or removed unless O(adopt=true).
  - Must run on the hypervisor host (the files are created where the module runs); use C(delegate_to) if needed.
author:
  - nestos.lifecycle contributors (@nestos-lifecycle)
extends_documentation_fragment:
  - nestos.lifecycle.ignition_input
requirements:
  - libvirt-python (or the python3-libvirt package)
  - qemu-img
options:
  name:
    description: Name of the libvirt domain. Also names the overlay C(<name>.qcow2) and Ignition copy C(<name>.ign).
    type: str
    required: true
  state:
    description:
      - V(present) defines the machine (creating its disk and Ignition copy) without changing its power state.
      - V(running) also starts it; V(stopped) shuts it down (ACPI, then hard after O(stop_timeout) seconds).
      - V(restarted) stops it if running and starts it again (always reports a change).
      - V(absent) stops and undefines it, and removes its overlay and Ignition copy. The base image is never
        removed; the console log is kept.
    type: str
    choices: [present, running, stopped, restarted, absent]
    default: running
  backend:
    description:
      - V(libvirt) defines a libvirt domain. V(qemu) starts qemu directly (daemonized, with a pid file
        C(<storage_dir>/<name>.pid), the serial console in C(<storage_dir>/<name>-console.log) and the machine's
        definition in C(<storage_dir>/<name>.json)), for hosts without libvirt, like the NestOS guide's section 8.2.1.
      - With V(qemu), the options O(uri) and O(adopt) do not apply, C(uuid) and C(xml) are returned empty, and O(wait_for)
        needs a user-mode NIC with C(ssh_forward).
    type: str
    choices: [libvirt, qemu]
    default: libvirt
  qemu_binary:
    description: qemu system emulator for O(backend=qemu); default C(qemu-system-<arch>) from C(PATH).
    type: str
  uri:
    description: libvirt connection URI.
    type: str
    default: qemu:///system
  image:
    description:
      - Absolute path of the NestOS base QCOW2 image on the hypervisor. Required to create the machine (unless O(cdrom)
        is given).
      - The base is only read; the machine writes to its own overlay.
    type: path
  disk_size:
    description:
      - Virtual size of the machine's disk, such as V(20G) or V(20480M); a bare number means GiB.
      - Must not be smaller than the base image. A larger value later grows the disk (online when running);
        disks are never shrunk.
    type: str
  cdrom:
    description:
      - An ISO image (absolute path on the hypervisor) attached read-only as a CD-ROM and booted before the disk, as
        C(nosa run --qemu-iso) does. Without O(image), the machine gets an empty disk of O(disk_size) (default 10 GiB)
        and needs no Ignition config.
    type: path
  shares:
    description:
      - Host folders shared with the guest over virtio-9p (read-write, C(passthrough)); the guest mounts one with
        C(mount -t 9p -o trans=virtio,version=9p2000.L <tag> <dir>). The C(nestos_build) role's C(run) entry point
        shares the build workdir this way at C(/var/mnt/workdir).
    type: list
    elements: dict
    suboptions:
      source:
        description: Host folder.
        type: path
        required: true
      tag:
        description: Mount tag (1-31 characters A-Z a-z 0-9 _ -).
        type: str
        required: true
  disk_options:
    description:
      - Driver options of the machine's disk, the same under both backends (libvirt C(<driver>) attributes, qemu
        C(-drive) keys). Unset options keep the default (C(discard=unmap), the rest qemu's own).
    type: dict
    suboptions:
      discard:
        description: Pass the guest's discard (TRIM) requests to the overlay (V(unmap)) or not.
        type: str
        choices: [unmap, ignore]
      cache:
        description: Host page cache mode.
        type: str
        choices: [none, writeback, writethrough, directsync, unsafe]
      io:
        description: Asynchronous I/O backend (qemu's C(aio)).
        type: str
        choices: [native, threads, io_uring]
      detect_zeroes:
        description: Turn writes of zeroes into holes (V(unmap) needs O(disk_options.discard=unmap)).
        type: str
        choices: ["off", "on", unmap]
  vcpus:
    description: Number of virtual CPUs.
    type: int
    default: 2
  memory:
    description: Memory in MiB.
    type: int
    default: 2048
  networks:
    description:
      - The machine's NICs, in order.
      - With O(backend=libvirt), each item has exactly one of C(network) (a libvirt network name) or C(bridge) (a host
        bridge), and optionally C(mac) and C(model) (default V(virtio)). The default is one NIC on the libvirt network
        C(default).
      - With O(backend=qemu), each item has exactly one of C(user) (V(true), qemu user-mode networking, optionally with
        C(ssh_forward), a port on 127.0.0.1 forwarded to the guest's port 22) or C(bridge) (through
        qemu-bridge-helper), and optionally C(mac) and C(model). The default is one user-mode NIC.
      - Without C(mac), the MAC already in use is kept; a new machine gets one derived from its name.
    type: list
    elements: dict
  arch:
    description: Guest architecture. Defaults to the host's. aarch64 guests use the C(virt) machine and UEFI.
    type: str
    choices: [x86_64, aarch64]
  domain_type:
    description:
      - V(auto) probes what the host can really run (see the description); V(kvm) or V(qemu) force a type.
      - An existing domain keeps its type under V(auto).
    type: str
    choices: [auto, kvm, qemu]
    default: auto
  machine:
    description: qemu machine type; defaults to V(pc) (x86_64) or V(virt) (aarch64).
    type: str
  firmware:
    description: V(auto) is BIOS for x86_64 and UEFI for aarch64.
    type: str
    choices: [auto, bios, efi]
    default: auto
  platform:
    description:
      - The NestOS platform the machine is, as Ignition and Afterburn see it (the kernel argument
        C(ignition.platform.id) of the image). A machine under libvirt or plain qemu is the V(qemu) platform; its
        Ignition config goes over the fw_cfg entry C(opt/com.coreos/config). Use the C(qemu) image of a build.
      - See C(docs/afterburn.md) for what the collection does for the other platforms.
    type: str
    choices: [qemu]
    default: qemu
  storage_dir:
    description: Folder on the hypervisor for the overlay and the Ignition copy (must exist).
    type: path
    default: /var/lib/libvirt/images
  console_log:
    description:
      - File the serial console is written to. Default C(/var/log/libvirt/qemu/<name>-console.log), or
        C(<storage_dir>/<name>-console.log) with O(backend=qemu).
    type: path
  recreate:
    description:
      - Re-provision the machine when its Ignition config or base image changed, by deleting and re-creating it
        (same name, UUID and MACs). Ignition then runs again on its first boot. Also allows replacing a stale
        overlay left without a domain.
    type: bool
    default: false
  on_config_change:
    description:
      - What to do when the Ignition config or base image changed and O(recreate) is false.
      - V(warn) leaves the machine as it is, reports C(changed=false), a warning and C(reprovision_required=true).
      - V(fail) fails the task with the same message.
    type: str
    choices: [warn, fail]
    default: warn
  adopt:
    description: Manage a domain of this name even if this collection did not create it (it then gets our mark).
    type: bool
    default: false
  wait_for:
    description:
      - After starting (states V(running), V(restarted)), wait for V(address) (a DHCP lease of the libvirt network,
        then the ARP table) or V(ssh) (an address and TCP O(ssh_port) answering). V(none) does not wait, but an
        address already known is still returned.
      - Waiting for the port connects from where the module runs; run it where the guest network is reachable.
    type: str
    choices: [none, address, ssh]
    default: none
  ssh_port:
    description: TCP port for O(wait_for=ssh).
    type: int
    default: 22
  wait_for_console:
    description: A regular expression to wait for on the serial console log after a start (e.g. a login prompt).
    type: str
  wait_timeout:
    description: Seconds to wait for O(wait_for) and O(wait_for_console) together.
    type: int
    default: 300
  stop_timeout:
    description: Seconds to wait for an ACPI shutdown before stopping the guest hard; V(0) stops it hard at once.
    type: int
    default: 60
attributes:
  check_mode:
    support: full
    description: Predicts every action (the UUID of a machine not created yet is unknown).
  diff_mode:
    support: full
    description: Shows the managed part of the domain XML before and after.
notes:
  - The Ignition copy is written with mode 0600, owned by the user qemu runs as (C(libvirt-qemu) or C(qemu)),
    and labelled C(virt_content_t) when SELinux is enabled.
  - NestOS ships no guest agent, so addresses come from the libvirt network's DHCP leases or the ARP table.
'''

EXAMPLES = r'''
- name: A NestOS machine from a Butane config, waiting until SSH answers
  nestos.lifecycle.libvirt_vm:
    name: nestos-01
    image: /var/lib/libvirt/images/nestos-22.03.qcow2
    disk_size: 20G
    vcpus: 2
    memory: 4096
    butane: "{{ lookup('ansible.builtin.file', 'node.bu') }}"
    wait_for: ssh
  register: vm

- name: Two NICs, one on a host bridge with a fixed MAC, Ignition from a file
  nestos.lifecycle.libvirt_vm:
    name: nestos-02
    image: /var/lib/libvirt/images/nestos-22.03.qcow2
    ignition: /srv/ignition/nestos-02.ign
    networks:
      - network: default
      - bridge: br0
        mac: "52:54:00:12:34:56"

- name: Re-provision after the config changed
  nestos.lifecycle.libvirt_vm:
    name: nestos-01
    image: /var/lib/libvirt/images/nestos-22.03.qcow2
    ignition: /srv/ignition/nestos-01.ign
    recreate: true

- name: The same machine as a plain qemu process, SSH forwarded to 127.0.0.1:2222
  nestos.lifecycle.libvirt_vm:
    name: nestos-03
    backend: qemu
    image: /srv/images/nestos-22.03.qcow2
    storage_dir: /srv/vms
    ignition: /srv/ignition/nestos-03.ign
    networks:
      - user: true
        ssh_forward: 2222
    wait_for: ssh

- name: Remove the machine (overlay and Ignition copy too, never the base)
  nestos.lifecycle.libvirt_vm:
    name: nestos-01
    state: absent
'''

RETURN = r'''
name:
  description: Domain name.
  returned: always
  type: str
uuid:
  description: Domain UUID (null in check mode before creation, and for O(state=absent)).
  returned: always
  type: str
mac:
  description: MAC address of the first NIC.
  returned: always
  type: str
  sample: "52:54:00:0e:2a:fb"
macs:
  description: MAC addresses of all NICs, in order.
  returned: always
  type: list
  elements: str
ip:
  description: The guest's IPv4 address when known (always set after a successful O(wait_for)).
  returned: always
  type: str
ip_source:
  description: Where the address came from, V(lease) or V(arp).
  returned: when the guest is running
  type: str
state:
  description: Power state after the run (V(running), V(shutoff), ...; V(absent) when removed).
  returned: always
  type: str
xml:
  description: The domain XML as libvirt reports it (no Ignition contents, only the path of the copy).
  returned: always
  type: str
console_log:
  description: Path of the serial console log.
  returned: unless O(state=absent)
  type: str
overlay:
  description: Path of the machine's qcow2 overlay.
  returned: unless O(state=absent)
  type: str
ignition_file:
  description: Path of the Ignition copy that qemu reads.
  returned: unless O(state=absent)
  type: str
base:
  description: The base image the machine was provisioned from.
  returned: unless O(state=absent)
  type: str
platform:
  description: The NestOS platform of the machine (C(ignition.platform.id)).
  returned: unless O(state=absent)
  type: str
  sample: qemu
domain_type:
  description: The libvirt domain type used (V(kvm) or V(qemu)).
  returned: unless O(state=absent)
  type: str
domain_type_reason:
  description: Why that domain type was chosen.
  returned: unless O(state=absent)
  type: str
actions:
  description: What was done (or, in check mode, would be done).
  returned: always
  type: list
  elements: str
pid:
  description: Process id of the machine's qemu (O(backend=qemu)); null when not running.
  returned: with O(backend=qemu)
  type: int
ssh_forward:
  description: Port on 127.0.0.1 forwarded to the guest's port 22 (O(backend=qemu) with user-mode networking).
  returned: with O(backend=qemu)
  type: int
argv:
  description: The qemu command line (O(backend=qemu)).
  returned: with O(backend=qemu)
  type: list
  elements: str
reprovision_required:
  description: The Ignition config or base image changed but O(recreate) was false; nothing was changed.
  returned: when it applies
  type: bool
restart_required:
  description: The definition changed while the machine ran; it applies at the next start.
  returned: when it applies
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestos.lifecycle.plugins.module_utils.faces.libvirt import MODULE_KWARGS, run_module


def main():
    run_module(AnsibleModule(**MODULE_KWARGS))


if __name__ == "__main__":
    main()
