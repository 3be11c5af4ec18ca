# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names that differ between NestOS media and upstream CoreOS media."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_TABLE = {
    "nestos": {
        "title": "NestOS",
        "meta_dir": "NESTOS",
        "installer": "nestos-installer",
        "network_dir": "etc/nestos-firstboot-network",
        "initrd_features": "etc/nestos/features.json",
        "live_initramfs_stamp": "etc/nestos-live-initramfs",
        "installer_dir": "/etc/nestos/installer.d",
        "dest_ign": "/etc/nestos/dest.ign",
        "liveiso_karg": "nestos.liveiso",
        "rootfs_url_karg": "nestos.live.rootfs_url",
        "inst_prefix": "nestos.inst",
    },
    "coreos": {
        "title": "CoreOS",
        "meta_dir": "COREOS",
        "installer": "coreos-installer",
        "network_dir": "etc/coreos-firstboot-network",
        "initrd_features": "etc/coreos/features.json",
        "live_initramfs_stamp": "etc/coreos-live-initramfs",
        "installer_dir": "/etc/coreos/installer.d",
        "dest_ign": "/etc/coreos/dest.ign",
        "liveiso_karg": "coreos.liveiso",
        "rootfs_url_karg": "coreos.live.rootfs_url",
        "inst_prefix": "coreos.inst",
    },
}

FLAVOURS = tuple(_TABLE)
IGNITION_MEMBER = "config.ign"


class Flavour(object):
    """Attribute access to one column of the names table."""

    def __init__(self, name):
        if name not in _TABLE:
            raise ValueError("unknown flavour %r" % name)
        self.name = name
        for key, value in _TABLE[name].items():
            setattr(self, key, value)

    def __eq__(self, other):
        return isinstance(other, Flavour) and other.name == self.name

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "Flavour(%r)" % self.name


def flavour(name):
    return Flavour(name)
