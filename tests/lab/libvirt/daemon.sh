#!/usr/bin/env bash
# Start / stop the lab's libvirt daemons (virtlogd + libvirtd) inside a network namespace.
#
#   daemon.sh start   idempotent: namespace, /dev/kvm group, virtlogd, libvirtd, the
#                     "default" NAT network active (its bridge and dnsmasq live in the namespace)
#   daemon.sh stop    destroys the domains the lab made, the default network, then the
#                     daemons this script started (by their pid files); keeps the namespace
#   daemon.sh status  prints what runs; exit 1 when libvirtd does not answer
#
# No systemd on the CI machine, so the daemons are started by hand. Everything that reaches
# a guest address must run in the same namespace: `ip netns exec "$NESTOS_LIBVIRT_NETNS" ...`.
set -euo pipefail

NETNS=${NESTOS_LIBVIRT_NETNS:-nestos-lab}
URI=qemu:///system
SOCK=/run/libvirt/libvirt-sock
LIBVIRTD_PID=/run/libvirtd.pid
VIRTLOGD_PID=/run/virtlogd.pid

alive() {  # alive PIDFILE
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

in_ns() {
  nsenter --net="/run/netns/$NETNS" "$@"
}

answers() {
  timeout 60 virsh -q -c "$URI" version >/dev/null 2>&1
}

start() {
  if [ ! -e "/run/netns/$NETNS" ]; then
    ip netns add "$NETNS"
  fi
  ip -n "$NETNS" link set lo up
  # No udev here: give /dev/kvm its usual group so libvirt does not re-probe qemu on every start.
  if [ -e /dev/kvm ]; then
    chgrp kvm /dev/kvm 2>/dev/null || true
    chmod 0660 /dev/kvm
  fi
  mkdir -p /run/libvirt /var/log/libvirt/qemu
  started=""
  if ! alive "$VIRTLOGD_PID"; then
    in_ns virtlogd -d -p "$VIRTLOGD_PID"
    started=yes
  fi
  if ! alive "$LIBVIRTD_PID"; then
    in_ns libvirtd -d -p "$LIBVIRTD_PID"
    started=yes
  fi
  # A libvirtd started some other way (e.g. by a package's init script) would put the NAT network in the
  # host namespace: refuse to use it.
  for pidfile in "$VIRTLOGD_PID" "$LIBVIRTD_PID"; do
    where=$(ip netns identify "$(cat "$pidfile")")
    if [ "$where" != "$NETNS" ]; then
      echo "$(basename "$pidfile" .pid) (pid $(cat "$pidfile")) runs outside the network namespace $NETNS;" \
        "stop it, then run this again" >&2
      exit 1
    fi
  done
  for _ in $(seq 1 120); do
    [ -S "$SOCK" ] && answers && break
    sleep 0.5
  done
  answers || { echo "libvirtd does not answer on $URI" >&2; exit 1; }
  # The default NAT network (virbr0, dnsmasq, firewall rules) comes up inside the namespace
  # because libvirtd runs there.
  if ! virsh -q -c "$URI" net-info default >/dev/null 2>&1; then
    virsh -q -c "$URI" net-define /etc/libvirt/qemu/networks/default.xml >/dev/null 2>&1 || \
      virsh -q -c "$URI" net-define /usr/share/libvirt/networks/default.xml >/dev/null
  fi
  info=$(virsh -q -c "$URI" net-info default)
  if ! grep -Eq '^Active: +yes' <<<"$info"; then
    virsh -q -c "$URI" net-start default >/dev/null
    started=yes
  fi
  # said once, when something was started (make demo and make test call this for every stage)
  [ -z "$started" ] || echo "libvirt lab: libvirtd pid $(cat "$LIBVIRTD_PID") in netns $NETNS, network default active"
}

stop() {
  if alive "$LIBVIRTD_PID" && answers; then
    for dom in $(virsh -q -c "$URI" list --name 2>/dev/null); do
      case "$dom" in nestos-test-*|nestos-bench-*|nestos-demo-*) virsh -q -c "$URI" destroy "$dom" >/dev/null 2>&1 || true ;; esac
    done
    virsh -q -c "$URI" net-destroy default >/dev/null 2>&1 || true
  fi
  for pidfile in "$LIBVIRTD_PID" "$VIRTLOGD_PID"; do
    if alive "$pidfile"; then
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  echo "libvirt lab: stopped"
}

status() {
  alive "$VIRTLOGD_PID" && echo "virtlogd pid $(cat "$VIRTLOGD_PID")" || echo "virtlogd not running"
  if alive "$LIBVIRTD_PID" && answers; then
    echo "libvirtd pid $(cat "$LIBVIRTD_PID") (netns $(ip netns identify "$(cat "$LIBVIRTD_PID")"))"
    virsh -q -c "$URI" net-list --all
  else
    echo "libvirtd not running"; exit 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
