# Ignition engine (area: ignition): benchmark. The real validator (apt package `ignition`,
# /usr/bin/ignition-validate) is already in the base APT_PACKAGES; conformance tests need it.
BENCH_TARGETS += bench-ignition

.PHONY: bench-ignition
# parse+validate of a 5,000-file config vs ignition-validate (IGN_BENCH_FILES=50000 for a bigger one)
bench-ignition: setup
	@mkdir -p $(CACHE)/bench
	@$(VPY) $(TOP)/benchmarks/ignition/bench_ignition.py --json $(CACHE)/bench/ignition.json
