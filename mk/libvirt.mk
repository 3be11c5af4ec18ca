# libvirt area: a real libvirtd (qemu:///system) for the integration tests, the deploy demo
# and the deploy benchmark. The daemons and the default NAT network live in the network
# namespace $(LIBVIRT_NETNS); anything that talks to a guest address runs inside it.
APT_PACKAGES += libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils virtinst dnsmasq-base iproute2 util-linux iptables ovmf

LIBVIRT_NETNS ?= nestos-lab
export NESTOS_LIBVIRT_NETNS := $(LIBVIRT_NETNS)
LIBVIRT_DAEMON := $(TOP)/tests/lab/libvirt/daemon.sh

LAB_TARGETS += libvirt-daemon

.PHONY: libvirt-daemon libvirt-daemon-stop

# Idempotent: starts only what is not running yet.
libvirt-daemon: | $(APT_STAMP)
	@bash $(LIBVIRT_DAEMON) start

libvirt-daemon-stop:
	@bash $(LIBVIRT_DAEMON) stop
