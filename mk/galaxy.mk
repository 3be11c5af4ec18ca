# Ecosystem (area: awx_config): the collection tarball as Galaxy / Automation Hub import it, and the
# awx.awx collection for the awx_config tests (unpacked from PyPI's ansible 12 wheel into its own
# folder; only those tests add it to ANSIBLE_COLLECTIONS_PATH).
LINT_TARGETS += galaxy-importer
LAB_TARGETS += awx-collection

GALAXY_DIST := $(BUILD)/dist
GALAXY_TARBALL = $(GALAXY_DIST)/nestos-lifecycle-$(shell sed -n 's/^version: *//p' galaxy.yml).tar.gz

.PHONY: galaxy-build galaxy-importer awx-collection awx-config-test

galaxy-build: setup
	@rm -rf $(GALAXY_DIST) && mkdir -p $(GALAXY_DIST)
	@$(VENV)/bin/ansible-galaxy collection build --force --output-path $(GALAXY_DIST) . >/dev/null
	@echo "collection tarball: $(GALAXY_TARBALL)"

# galaxy-importer on the built tarball (config: mk/galaxy-importer.cfg); any ERROR or WARNING fails.
galaxy-importer: galaxy-build
	@mkdir -p $(CACHE)/galaxy-importer
	@set -o pipefail; GALAXY_IMPORTER_CONFIG=$(TOP)/mk/galaxy-importer.cfg \
	  GALAXY_IMPORTER_TMP_ROOT_DIR=$(CACHE)/galaxy-importer GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$(CACHE)/galaxy-importer/ansible \
	  $(VPY) -m galaxy_importer.main $(GALAXY_TARBALL) 2>&1 | tee $(CACHE)/galaxy-importer/last.log \
	  | grep -E 'ERROR|WARNING' && { echo "galaxy-importer: problems above (log: $(CACHE)/galaxy-importer/last.log)"; exit 1; } || true
	@grep -q 'Importer processing completed successfully' $(CACHE)/galaxy-importer/last.log
	@echo "galaxy-importer: $(notdir $(GALAXY_TARBALL)) imports cleanly"

awx-collection: setup
	@$(VPY) -m tests.support.awx_api install

awx-config-test: setup awx-collection
	@$(PYTEST) -n $(JOBS) tests/unit/awx
	@$(PYTEST) tests/integration/awx_config
