# live area: ISO / PXE customization engine (plugins/module_utils/live), iso_* and pxe_* modules,
# role live_media. Unit tests build small NestOS-layout ISOs with xorriso; boot tests use the lab media.
APT_PACKAGES += xorriso cpio zstd xz-utils

BENCH_TARGETS += bench-live
DEMO_TARGETS += demo-live

.PHONY: bench-live bench-live-full demo-live live-test

# CI sizes (256 MiB customize, 64..512 MiB growth); results in $(CACHE)/bench/live.json.
bench-live: setup
	@$(VPY) -m benchmarks.live.bench_live
	@$(VPY) -m benchmarks.live.bench_live_limits

# Full sizes from the issue (1 GiB customize, 64 MiB..2 GiB growth).
bench-live-full: setup
	@NESTOS_BENCH_FULL=1 $(VPY) -m benchmarks.live.bench_live

# Run playbooks/customize.yml on the lab media and boot a customized ISO and PXE set.
demo-live: setup lab-media
	@PYTHONPATH=$(CURDIR) $(VPY) tools/demo_live.py

live-test: setup
	@$(PYTEST) -n $(JOBS) tests/unit/live tests/conformance/live tests/fuzz/test_fuzz_live.py
	@$(PYTEST) tests/integration/live
