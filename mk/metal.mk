# install area: metal engine (plugins/module_utils/metal), metal_image module, nestos_install
# action, the lab's NestOS-shaped metal image (tests/lab/metal.py) and installer double.
APT_PACKAGES += gdisk fdisk mtools dosfstools e2fsprogs zstd gpg gpgv xz-utils

LAB_TARGETS += lab-metal
BENCH_TARGETS += bench-metal
DEMO_TARGETS += demo-install

.PHONY: lab-metal bench-metal demo-install install-test

# Cached by the content hash of its inputs under $(NESTOS_LAB_CACHE)/metal/<hash>: returns at once.
lab-metal: setup lab-media
	@$(VPY) -m tests.lab.metal >/dev/null

# metal write vs dd (raw) and vs xz -dc | dd (xz); results in $(CACHE)/bench/metal.json
bench-metal: setup lab-metal collection
	@$(VPY) -m benchmarks.metal.bench_metal

# metal_image onto a disk image, then boot it: the real Ignition applies the installed config
demo-install: setup lab-metal collection
	@$(VPY) -m tests.integration.install.demo_install

install-test: setup lab-metal
	@$(PYTEST) -n $(JOBS) tests/unit/metal tests/conformance/metal
	@$(PYTEST) tests/integration/install
