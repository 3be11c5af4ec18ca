# cli area: tools/nestos-installer (and its coreos-installer name) over the live engine.
# The image scripts (tests/support/cli/images) need jq, cpio, xorriso and isoinfo (genisoimage).
APT_PACKAGES += jq cpio xorriso genisoimage xz-utils

BENCH_TARGETS += bench-cli

.PHONY: bench-cli cli-test

# per-process start-up of `iso kargs show` against a bare `python3 -c pass` -> $(CACHE)/bench/cli.json
bench-cli: setup
	@$(VPY) -m benchmarks.cli.bench_cli

cli-test: setup
	@$(PYTEST) -n $(JOBS) tests/conformance/cli
	@$(PYTEST) tests/integration/cli
