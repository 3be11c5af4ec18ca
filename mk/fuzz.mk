# Robustness: property-based fuzzing of every engine that reads user or host input (tests/fuzz).
# `make test` runs it with FUZZ_EXAMPLES inputs per engine test; `make fuzz` with a million.
FUZZ_EXAMPLES ?= 10000
FUZZ_MANY ?= 1000000
.PHONY: fuzz fuzz-ci

fuzz-ci: setup
	@NESTOS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTEST) -n $(JOBS) $(if $(FUZZ_JUNIT),--junitxml=$(FUZZ_JUNIT)) tests/fuzz || [ $$? -eq 5 ]

fuzz: setup
	@NESTOS_FUZZ_EXAMPLES=$(FUZZ_MANY) NESTOS_FUZZ_RANDOM=1 $(PYTEST) -n $(JOBS) tests/fuzz || [ $$? -eq 5 ]
