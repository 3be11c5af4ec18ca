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

DEMO_TARGETS += demo-libvirt
BENCH_TARGETS += bench-libvirt
.PHONY: demo-libvirt bench-libvirt

# Deploy one lab machine with playbooks/deploy.yml and show what Ignition applied (from its console).
demo-libvirt: setup libvirt-daemon
	@ip netns exec $(LIBVIRT_NETNS) $(VPY) -m tests.lab.libvirt.demo

# deploy.yml vs a virt-install shell loop, 4 machines to "Ignition done", and the idempotent re-run
# (NESTOS_BENCH_LIBVIRT_MACHINES=N for more).
bench-libvirt: setup libvirt-daemon
	@ip netns exec $(LIBVIRT_NETNS) $(VPY) -m benchmarks.libvirt.bench_deploy
