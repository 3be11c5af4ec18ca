# stream area: stream metadata engine and downloads (plugins/module_utils/stream), modules
# image_download and stream_info, `nestos-installer download`/`list-stream`. The download lab is
# Debian's nginx on 127.0.0.1 started by the tests themselves (tests/lab/stream.py: own config,
# free port, pid/logs in the test's folder) with a GPG key made by the test.
APT_PACKAGES += nginx gnupg curl xz-utils zstd

BENCH_TARGETS += bench-stream

.PHONY: bench-stream stream-test

# engine and CLI throughput vs curl of the same file from the same nginx, and the cost of a
# resume -> $(CACHE)/bench/stream.json (NESTOS_BENCH_STREAM_MIB sets the file size, default 512)
bench-stream: setup
	@$(VPY) -m benchmarks.stream.bench_stream

stream-test: setup
	@$(PYTEST) tests/unit/stream tests/conformance/stream tests/fuzz/test_fuzz_stream.py
	@$(PYTEST) tests/integration/stream
