# build area: nestos-assembler pipeline (build_host / nestos_build roles, assembler, build_config,
# oci_image modules). Lab: a local docker-registry on 127.0.0.1:5005 and the lab assembler image
# (a test double built with buildah FROM scratch), both under $(CACHE)/build.
APT_PACKAGES += podman buildah skopeo runc docker-registry busybox-static curl

BUILD_CACHE := $(CACHE)/build
LAB_ASSEMBLER := $(BUILD_CACHE)/nestos-assembler-lab.tar

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
	@sh tests/lab/doubles/nestos-assembler/build-image.sh $@ $(BUILD_CACHE)/buildah >/dev/null
	@echo "lab assembler image: $@"

# playbooks/build.yml end to end in the lab; the media land in $(BUILD_CACHE)/demo/nestos-build/builds/latest
demo-build: setup lab build-registry build-lab-assembler
	@mkdir -p $(BUILD_CACHE)/demo
	@$(VPY) tests/lab/doubles/nestos-assembler/lab.py $(BUILD_CACHE)/demo/nestos-build > $(BUILD_CACHE)/demo/vars.json
	@$(VENV)/bin/ansible-playbook -i localhost, -c local -e ansible_python_interpreter=$(VPY) \
	  -e @$(BUILD_CACHE)/demo/vars.json playbooks/build.yml

# playbook overhead over plain nosa calls, and artifact sha256 throughput vs sha256sum
# (BUILD_BENCH_SHA_MB=2048 for the 2 GiB file)
bench-build: setup build-registry build-lab-assembler
	@$(VPY) -m benchmarks.build.bench_build
