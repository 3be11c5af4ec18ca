# lab area: NestOS-shaped live ISO, PXE trio and QCOW2 built from Debian packages, booted
# under qemu (TCG) by tests/lab/harness.py. Media land in $(NESTOS_LAB_CACHE), rebuilt only
# when the builder, the kernel package or the binaries taken from the machine change.
APT_PACKAGES += qemu-system-x86 qemu-utils busybox-static cpio genisoimage isolinux syslinux \
	syslinux-common mtools dosfstools passwd

LAB_TARGETS += lab-media
DEMO_TARGETS += demo-lab

.PHONY: lab-media lab-media-force demo-lab lab-test lab-timing

# Idempotent and cached: the builder compares its stamp (lab-media.json) and returns at once.
lab-media: setup
	@$(VPY) -m tests.lab.media

lab-media-force: setup
	@$(VPY) -m tests.lab.media --force

# Boot the lab ISO once with a config (from the Butane engine) and print what Ignition applied.
demo-lab: setup lab-media
	@$(VPY) -m tests.lab.demo

# The lab's own tests (also part of `pytest tests/integration`).
lab-test: setup lab-media
	@$(PYTEST) tests/integration/lab tests/unit/lab

# Boot each medium once and print build figures, sizes and wall times.
lab-timing: setup lab-media
	@$(VPY) -m tests.lab.timing
