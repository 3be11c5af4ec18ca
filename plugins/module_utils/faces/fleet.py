# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs of the fleet actions (rpm_ostree_*, nestos_reboot, zincati, host_file,
host_service, os_update_host, os_update_report), shared by the action plugins (validation)
and the docs-only modules of the same names (so ansible-test checks the docs against them)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_BYPASS = dict(type="str", default="auto", choices=["auto", "always", "never"])
_BUSY = dict(type="int", default=0)

RPM_OSTREE_FACTS = dict(argument_spec=dict(
    raw=dict(type="bool", default=False),
))

RPM_OSTREE_REBASE = dict(
    argument_spec=dict(
        ref=dict(type="str"),
        image=dict(type="str"),
        signature=dict(type="str", choices=["signed", "remote", "unverified"]),
        transport=dict(type="str", default="registry",
                       choices=["registry", "oci", "oci-archive", "containers-storage", "dir"]),
        remote=dict(type="str"),
        digest=dict(type="str"),
        allow_unverified=dict(type="bool", default=False),
        download_only=dict(type="bool", default=False),
        experimental=dict(type="str", default="auto", choices=["auto", "always", "never"]),
        bypass_driver=_BYPASS,
        keep_pending=dict(type="bool", default=False),
        busy_timeout=_BUSY,
    ),
    mutually_exclusive=[["ref", "image"]],
    required_one_of=[["ref", "image"]],
)

RPM_OSTREE_UPGRADE = dict(argument_spec=dict(
    mode=dict(type="str", default="apply", choices=["apply", "check", "download_only"]),
    bypass_driver=_BYPASS,
    allow_downgrade=dict(type="bool", default=False),
    busy_timeout=_BUSY,
))

RPM_OSTREE_ROLLBACK = dict(argument_spec=dict(
    to=dict(type="str"),
    busy_timeout=_BUSY,
))

RPM_OSTREE_PKG = dict(
    argument_spec=dict(
        name=dict(type="list", elements="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        allow_inactive=dict(type="bool", default=False),
        busy_timeout=_BUSY,
    ),
)

RPM_OSTREE_KARGS = dict(
    argument_spec=dict(
        append=dict(type="list", elements="str", default=[]),
        append_if_missing=dict(type="list", elements="str", default=[]),
        delete=dict(type="list", elements="str", default=[]),
        delete_if_present=dict(type="list", elements="str", default=[]),
        replace=dict(type="list", elements="str", default=[]),
        busy_timeout=_BUSY,
    ),
)

RPM_OSTREE_CLEANUP = dict(argument_spec=dict(
    pending=dict(type="bool", default=False),
    rollback=dict(type="bool", default=False),
    base=dict(type="bool", default=False),
    repomd=dict(type="bool", default=False),
    busy_timeout=_BUSY,
))

NESTOS_REBOOT = dict(argument_spec=dict(
    reboot_timeout=dict(type="int", default=600),
    connect_timeout=dict(type="int", default=10),
    delay=dict(type="int", default=2),
    post_reboot_delay=dict(type="int", default=0),
    reboot_command=dict(type="str", default="systemctl reboot"),
    only_if_pending=dict(type="bool", default=False),
    expect_checksum=dict(type="str"),
    expect_image=dict(type="str"),
    expect_version=dict(type="str"),
    verify_default=dict(type="bool", default=True),
    boot_once=dict(type="str"),
    msg=dict(type="str", default="Reboot initiated by Ansible (nestos.lifecycle)"),
))

ZINCATI = dict(
    argument_spec=dict(
        name=dict(type="str", default="99-nestos-lifecycle.toml"),
        path=dict(type="path", default="/etc/zincati/config.d"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        updates_enabled=dict(type="bool"),
        allow_downgrade=dict(type="bool"),
        strategy=dict(type="str", choices=["immediate", "periodic", "fleet_lock"]),
        fleet_lock_base_url=dict(type="str"),
        periodic_time_zone=dict(type="str"),
        periodic_windows=dict(type="list", elements="dict", options=dict(
            days=dict(type="list", elements="str", required=True),
            start_time=dict(type="str", required=True),
            length_minutes=dict(type="int", required=True),
        )),
        group=dict(type="str"),
        node_uuid=dict(type="str"),
        rollout_wariness=dict(type="float"),
        cincinnati_base_url=dict(type="str"),
        steady_interval_secs=dict(type="int"),
        owner=dict(type="str", default="root"),
        file_group=dict(type="str", default="root"),
        mode=dict(type="str", default="0644"),
        restart=dict(type="bool", default=True),
        log_verbosity=dict(type="str", choices=["default", "info", "debug", "trace"]),
        gather_metrics=dict(type="bool", default=False),
    ),
)
# the zincati options that go into the TOML drop-in (the action skips the TOML drop-in when only
# log_verbosity and/or gather_metrics are given)
ZINCATI_TOML_KEYS = ("updates_enabled", "allow_downgrade", "strategy", "fleet_lock_base_url", "periodic_time_zone",
                     "periodic_windows", "group", "node_uuid", "rollout_wariness", "cincinnati_base_url",
                     "steady_interval_secs")

HOST_FILE = dict(
    argument_spec=dict(
        path=dict(type="str", required=True),
        content=dict(type="str", no_log=True),
        src=dict(type="path"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        mode=dict(type="str", default="0644"),
        owner=dict(type="str", default="root"),
        group=dict(type="str", default="root"),
    ),
    mutually_exclusive=[["content", "src"]],
)

HOST_SERVICE = dict(
    argument_spec=dict(
        name=dict(type="str", required=True),
        enabled=dict(type="bool"),
        state=dict(type="str", choices=["started", "stopped", "restarted", "reloaded"]),
        daemon_reload=dict(type="bool", default=False),
    ),
)

OS_UPDATE_HOST = dict(
    argument_spec=dict(
        phase=dict(type="str", default="apply", choices=["read", "prefetch", "apply"]),
        action=dict(type="str", default="rebase", choices=["rebase", "upgrade", "rollback", "none"]),
        ref=dict(type="str"),
        image=dict(type="str"),
        signature=dict(type="str", default="signed", choices=["signed", "remote", "unverified"]),
        allow_unverified=dict(type="bool", default=False),
        remote=dict(type="str"),
        digest=dict(type="str"),
        rollback_to=dict(type="str"),
        packages=dict(type="list", elements="str", default=[]),
        packages_absent=dict(type="list", elements="str", default=[]),
        kargs_append=dict(type="list", elements="str", default=[]),
        kargs_delete=dict(type="list", elements="str", default=[]),
        kargs_replace=dict(type="list", elements="str", default=[]),
        pause_zincati=dict(type="bool", default=True),
        reboot=dict(type="bool", default=True),
        reboot_command=dict(type="str", default="systemctl reboot"),
        reboot_timeout=dict(type="int", default=600),
        reboot_delay=dict(type="int", default=2),
        connect_timeout=dict(type="int", default=10),
        busy_timeout=dict(type="int", default=60),
        check_system_running=dict(type="bool", default=True),
        health_retries=dict(type="int", default=10),
        health_delay=dict(type="int", default=3),
        health_checks=dict(type="list", elements="dict", default=[]),
        auto_rollback=dict(type="bool", default=True),
        fleet_lock=dict(type="str", default="auto", choices=["auto", "never"]),
        fleet_lock_timeout=dict(type="int", default=600),
        fleet_lock_delay=dict(type="int", default=5),
    ),
)

OS_UPDATE_REPORT = dict(
    argument_spec=dict(
        dest_dir=dict(type="path", required=True),
        action=dict(type="str", choices=["rebase", "upgrade", "rollback"]),
        hosts=dict(type="list", elements="str", required=True),
        play=dict(type="str"),
    ),
)

RPM_OSTREE_OVERRIDE = dict(argument_spec=dict(
    remove=dict(type="list", elements="str", default=[]),
    replace=dict(type="list", elements="str", default=[]),
    reset=dict(type="list", elements="str", default=[]),
    reset_all=dict(type="bool", default=False),
    busy_timeout=_BUSY,
))

RPM_OSTREE_DEPLOY = dict(argument_spec=dict(
    revision=dict(type="str", required=True),
    bypass_driver=_BYPASS,
    busy_timeout=_BUSY,
))

RPM_OSTREE_INITRAMFS = dict(argument_spec=dict(
    enabled=dict(type="bool", required=True),
    args=dict(type="list", elements="str", default=[]),
    busy_timeout=_BUSY,
))

RPM_OSTREE_APPLY_LIVE = dict(argument_spec=dict(
    allow_replacement=dict(type="bool", default=False),
    busy_timeout=_BUSY,
))

OSTREE_PIN = dict(argument_spec=dict(
    deployment=dict(type="str", default="booted"),
    pinned=dict(type="bool", default=True),
))
