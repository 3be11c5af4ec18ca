# nestos.lifecycle: set-up, tests and demo on a fresh Debian 12 machine.
#   make demo   run the main job on the bundled lab
#   make test   run every test (sanity, lint, unit, conformance, lab, integration, benchmarks)
# Areas add to the variables below from mk/*.mk (one fragment per area).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TOP      := $(CURDIR)
SHARED   ?= $(abspath $(TOP)/../shared)
CACHE    ?= $(TOP)/.cache
BUILD    := $(TOP)/.build
VENV     := $(TOP)/.venv
VPY      := $(VENV)/bin/python
COLLROOT := $(BUILD)/collections
COLL     := $(COLLROOT)/ansible_collections/nestos/lifecycle
PYTEST   := $(VPY) -m pytest
JOBS     ?= 2

export NESTOS_SHARED := $(SHARED)
export NESTOS_FIXTURES := $(SHARED)/fixtures/upstream
export NESTOS_LAB_CACHE := $(CACHE)/lab
export ANSIBLE_COLLECTIONS_PATH := $(COLLROOT)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PY_COLORS := 0
# ansible-core imports DSA support from cryptography, which warns on every run; not ours, and
# Ansible has no setting for it (a message filter: no module import at interpreter start).
export PYTHONWARNINGS := ignore:DSA is deprecated
export PATH := $(VENV)/bin:$(PATH)

# Debian packages every area needs; fragments append their own.
APT_PACKAGES := shellcheck python3-venv rsync git make gcc pkg-config xz-utils ignition libvirt-dev
# Targets that must run before integration tests (lab media, daemons).
LAB_TARGETS :=
# Extra demo steps (each a make target), in order.
DEMO_TARGETS :=
# Benchmarks (each a make target).
BENCH_TARGETS :=
# Extra static checks run by `make lint` (each a make target).
LINT_TARGETS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help setup apt venv collection sanity lint unit conformance lab integration bench test demo clean fuzz-ci

help:
	@echo "make demo   - the main job on the bundled lab"
	@echo "make test   - every test (what CI runs)"

# ---- set-up -------------------------------------------------------------
APT_STAMP := $(CACHE)/apt-$(shell echo '$(sort $(APT_PACKAGES))' | sha256sum | cut -c1-12).stamp
apt: $(APT_STAMP)
$(APT_STAMP):
	@mkdir -p $(CACHE)
	@missing=$$(for p in $(sort $(APT_PACKAGES)); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing $$missing"; \
	  apt-get -o DPkg::Lock::Timeout=900 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

VENV_STAMP := $(VENV)/.stamp-$(shell sha256sum requirements-dev.txt | cut -c1-12)
venv: $(VENV_STAMP)
$(VENV_STAMP): requirements-dev.txt | $(APT_STAMP)
	@test -x $(VPY) || python3 -m venv $(VENV)
	@$(VPY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.stamp-*; touch $@

# The collection as Ansible sees it: a symlink at .build/collections/ansible_collections/nestos/lifecycle.
collection: $(COLL)
$(COLL):
	@mkdir -p $(dir $@)
	@ln -sfn $(TOP) $@

setup: apt venv collection

# ---- tests ---------------------------------------------------------------
# ansible-test must run from a path ending in ansible_collections/nestos/lifecycle;
# it reads a copy of the files git knows about (tracked and untracked, not ignored).
SANITY_DIR := $(BUILD)/sanity
sanity: setup
	@bash tests/sanity/run.sh $(SANITY_DIR)

# Each check says how it ended; the counts go to $$NESTOS_STAGE_COUNTS for the summary table.
LINT_CHECKS := ansible-lint changelog vermin $(LINT_TARGETS)
lint: setup
	@passed=0; failed=0; \
	for c in $(LINT_CHECKS); do \
	  case $$c in \
	    ansible-lint) cmd="cd $(COLL) && $(VENV)/bin/ansible-lint --offline --profile production -q" ;; \
	    changelog) cmd="$(VENV)/bin/antsibull-changelog lint" ;; \
	    vermin) cmd="$(VENV)/bin/vermin -q -t=3.9- --violations --no-tips --eval-annotations plugins/modules plugins/module_utils" ;; \
	    *) cmd="$(MAKE) --no-print-directory $$c" ;; \
	  esac; \
	  if (eval "$$cmd"); then echo "lint: $$c passed"; passed=$$((passed+1)); \
	  else echo "lint: $$c FAILED"; failed=$$((failed+1)); fi; \
	done; \
	if [ -n "$${NESTOS_STAGE_COUNTS:-}" ]; then echo "{\"passed\": $$passed, \"failed\": $$failed, \"skipped\": 0}" > "$$NESTOS_STAGE_COUNTS"; fi; \
	[ $$failed -eq 0 ]

unit: setup
	@$(PYTEST) -n $(JOBS) tests/unit

conformance: setup
	@$(PYTEST) -n $(JOBS) tests/conformance

lab: setup $(LAB_TARGETS)

integration: setup lab
	@$(PYTEST) tests/integration || [ $$? -eq 5 ]

bench: setup lab $(BENCH_TARGETS)

# `make test`: every stage runs (integration and benchmarks only after the lab came up), each
# says how it ended, and a table of stages with counts and times closes the run (tools/stages.py).
STAGES := python3 $(TOP)/tools/stages.py
STAGE_DIR := $(BUILD)/stages
TEST_LOG := $(STAGE_DIR)/test.jsonl
test:
	@mkdir -p $(STAGE_DIR); rm -f $(TEST_LOG)
	@$(STAGES) run --log $(TEST_LOG) --name setup -- $(MAKE) --no-print-directory setup
	@$(STAGES) run --log $(TEST_LOG) --name sanity --after setup -- $(MAKE) --no-print-directory sanity
	@$(STAGES) run --log $(TEST_LOG) --name lint --after setup -- $(MAKE) --no-print-directory lint
	@$(STAGES) run --log $(TEST_LOG) --name unit+conformance --after setup --junit $(STAGE_DIR)/unit.xml -- \
	  $(PYTEST) -n $(JOBS) --junitxml=$(STAGE_DIR)/unit.xml tests/unit tests/conformance
	@$(STAGES) run --log $(TEST_LOG) --name fuzz --after setup --junit $(STAGE_DIR)/fuzz.xml -- \
	  $(MAKE) --no-print-directory fuzz-ci FUZZ_JUNIT=$(STAGE_DIR)/fuzz.xml
	@$(STAGES) run --log $(TEST_LOG) --name lab --after setup -- $(MAKE) --no-print-directory lab
	@$(STAGES) run --log $(TEST_LOG) --name integration --after lab --junit $(STAGE_DIR)/integration.xml -- \
	  bash -c '$(PYTEST) --junitxml=$(STAGE_DIR)/integration.xml tests/integration || [ $$? -eq 5 ]'
	@$(STAGES) run --log $(TEST_LOG) --name bench --after lab --each $(BENCH_TARGETS) -- \
	  $(MAKE) --no-print-directory FLEET_BENCH_SIZES=50
	@$(STAGES) summary --log $(TEST_LOG) --title "make test"

# The demo follows the lifecycle: build, Butane, boot, customize media, deploy, fleet.
# Stages after the build take their media from it (tests/lab/media.py honours NESTOS_MEDIA_FROM_BUILD).
DEMO_BUILD_FACTS := $(CACHE)/build/demo/nestos_build.json
DEMO_MEDIA_STAGES := demo-lab demo-live demo-libvirt
DEMO_ORDER := demo-build demo-butane demo-lab demo-live demo-install demo-libvirt demo-fleet demo-awx
DEMO_LOG := $(STAGE_DIR)/demo.jsonl
demo:
	@mkdir -p $(STAGE_DIR); rm -f $(DEMO_LOG)
	@$(STAGES) run --log $(DEMO_LOG) --name setup+lab -- bash -c '$(MAKE) --no-print-directory setup lab && \
	  echo "proved: packages, virtualenv, lab media, libvirtd, registry, fleet lab and execution environment are ready"' 
	@for t in $(DEMO_ORDER) $(filter-out $(DEMO_ORDER),$(DEMO_TARGETS)); do \
	  case " $(DEMO_TARGETS) " in *" $$t "*) ;; *) continue ;; esac; \
	  case " $(DEMO_MEDIA_STAGES) " in *" $$t "*) media=1 ;; *) media= ;; esac; \
	  if [ -n "$$media" ] && [ -f "$(DEMO_BUILD_FACTS)" ]; then \
	    export NESTOS_MEDIA_FROM_BUILD="$(DEMO_BUILD_FACTS)"; \
	    echo "==== $$t (media from the build in $(DEMO_BUILD_FACTS))"; \
	  else unset NESTOS_MEDIA_FROM_BUILD; echo "==== $$t"; fi; \
	  $(STAGES) run --log $(DEMO_LOG) --name $$t --after setup+lab -- $(MAKE) --no-print-directory $$t; \
	done
	@$(STAGES) summary --log $(DEMO_LOG) --title "make demo" --proved

clean:
	rm -rf $(BUILD) tests/output
