# build area: nestos-assembler pipeline (build_host / nestos_build roles, assembler, build_config,
# oci_image modules). Lab: a local docker-registry on 127.0.0.1:5005 and the lab assembler image
# (a test double built with buildah FROM scratch), both under $(CACHE)/build.
APT_PACKAGES += podman buildah skopeo runc docker-registry busybox-static curl

BUILD_CACHE := $(CACHE)/build
# tagged with a hash of the double (tests/lab/doubles/nestos-assembler/lab.py computes the same)
LAB_ASSEMBLER_VERSION := $(shell cat tests/lab/doubles/nestos-assembler/nosa.sh tests/lab/doubles/nestos-assembler/build-image.sh | sha256sum | cut -c1-12)
LAB_ASSEMBLER := $(BUILD_CACHE)/nestos-assembler-lab-$(LAB_ASSEMBLER_VERSION).tar

LAB_TARGETS += build-registry build-lab-assembler
DEMO_TARGETS += demo-build
BENCH_TARGETS += bench-build

.PHONY: build-registry build-registry-stop build-lab-assembler demo-build bench-build

build-registry: | apt
	@tests/lab/registry/registry.sh start

build-registry-stop:
	@tests/lab/registry/registry.sh stop

build-lab-assembler: $(LAB_ASSEMBLER)
$(LAB_ASSEMBLER): tests/lab/doubles/nestos-assembler/nosa.sh tests/lab/doubles/nestos-assembler/build-image.sh | apt
	@mkdir -p $(BUILD_CACHE)
	@rm -f $(BUILD_CACHE)/nestos-assembler-lab-*.tar
	@sh tests/lab/doubles/nestos-assembler/build-image.sh $@ $(BUILD_CACHE)/buildah localhost/nestos-assembler:lab-$(LAB_ASSEMBLER_VERSION) >/dev/null
	@echo "lab assembler image: $@"

# playbooks/build.yml end to end in the lab; prints the build; facts in $(BUILD_CACHE)/demo/nestos_build.json,
# media in $(BUILD_CACHE)/demo/nestos-build/builds/latest/<arch>/
demo-build: setup lab build-registry build-lab-assembler
	@$(VPY) tests/lab/doubles/nestos-assembler/lab.py demo

# playbook overhead over plain nosa calls, and artifact sha256 throughput vs sha256sum
# (BUILD_BENCH_SHA_MB=2048 for the 2 GiB file)
bench-build: setup build-registry build-lab-assembler
	@$(VPY) -m benchmarks.build.bench_build
