# awx area: the repository as an AWX project (collections/requirements.yml), the execution
# environment (ee/: ansible-builder 3 + podman on a Debian base image built locally with
# mmdebstrap, cached by content hash in /var/cache/nestos-lifecycle/ee), pushed to the lab
# registry as 127.0.0.1:5005/nestos/lifecycle-ee:{<hash>,latest}, and jobs run inside it with
# ansible-runner (tests/integration/awx, tests/support/awx_runner.py).
APT_PACKAGES += mmdebstrap podman buildah skopeo openssh-client

LAB_TARGETS += ee
DEMO_TARGETS += demo-awx
BENCH_TARGETS += bench-awx

.PHONY: ee ee-force demo-awx bench-awx awx-test

# Reused as it is when an image for the same base, definition and collection exists
# (EE_BASE_IMAGE=quay.io/... to build on another base; EE_REGISTRY= for no push).
ee: setup build-registry
	@$(VPY) ee/build.py

ee-force: setup build-registry
	@$(VPY) ee/build.py --force

# The canary rebase as an AWX job: ansible-runner in the EE against the fleet lab.
demo-awx: ee fleet-lab
	@$(VPY) -m tests.integration.awx.demo_awx

# each job's wall time in the EE vs plain ansible-playbook; EE size and build times -> .cache/bench/awx.json
bench-awx: ee fleet-lab lab-media
	@$(VPY) -m benchmarks.awx.bench_awx

awx-test: ee fleet-lab lab-media libvirt-daemon
	@$(PYTEST) tests/integration/awx
