# Butane engine: apt packages, demo and benchmark (included by the top-level Makefile).
# ignition (ignition-validate) is already in the base list; systemd-escape comes with systemd.
APT_PACKAGES += systemd

DEMO_TARGETS += demo-butane
BENCH_TARGETS += bench-butane

.PHONY: demo-butane bench-butane
demo-butane: setup
	@$(VPY) $(TOP)/tools/butane_demo.py

bench-butane: setup
	@mkdir -p $(CACHE)/bench
	@$(VPY) $(TOP)/benchmarks/butane/bench_butane.py --json $(CACHE)/bench/butane.json
