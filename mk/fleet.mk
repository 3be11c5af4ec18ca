# Fleet lab (area: fleet): sshd-per-host NestOS stand-ins, rolling-update roles and playbooks.
APT_PACKAGES += openssh-server openssh-client busybox-static sudo jq grub-common socat
LAB_TARGETS += fleet-lab
DEMO_TARGETS += demo-fleet
BENCH_TARGETS += bench-fleet

FLEET_STAMP := $(CACHE)/lab/fleet/.stamp-$(shell cat tests/lab/doubles/rpm-ostree tests/lab/doubles/systemctl tests/lab/doubles/reboot tests/lab/doubles/lab-boot tests/lab/doubles/ostree tests/lab/doubles/lab-bls tests/lab/fleet/lab.py | sha256sum | cut -c1-12)

.PHONY: fleet-lab demo-fleet bench-fleet
# the Python-free host root (busybox, real sudo, doubles) and the lab's ssh keys
fleet-lab: $(FLEET_STAMP)
$(FLEET_STAMP): | $(APT_STAMP)
	@mkdir -p $(dir $@)
	@cd $(TOP) && $(VPY) -m tests.lab.fleet template >/dev/null
	@rm -f $(CACHE)/lab/fleet/.stamp-*; touch $@

# 5 lab hosts rebased to a new image with the rolling playbook, then one rolled back; prints the report
demo-fleet: fleet-lab collection
	@cd $(TOP) && $(VPY) -m tests.lab.fleet.demo

# commands per host for one rebase (ours vs naive raw tasks) and wall time of a rebase at each size in
# FLEET_BENCH_SIZES (default 50 and 200 hosts; `make test` measures 50 only: 200 sshd hosts plus
# 25 forks on a 2-core CI machine take minutes and starve the other stages)
FLEET_BENCH_SIZES ?= 50 200
bench-fleet: fleet-lab collection
	@cd $(TOP) && FLEET_BENCH_SIZES="$(FLEET_BENCH_SIZES)" $(VPY) -m benchmarks.fleet.bench_fleet
