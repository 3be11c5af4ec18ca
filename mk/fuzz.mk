# Robustness: property-based fuzzing of every engine that reads user or host input (tests/fuzz).
# `make test` runs it with FUZZ_EXAMPLES inputs per engine; `make fuzz` with FUZZ_MANY (a million)
# per engine as a resumable campaign in chunks (tools/fuzz_campaign.py; state in
# .cache/fuzz/campaign.json; FUZZ_UNTIL=HH:MM stops asking for chunks then, FUZZ_RESET=1 starts over).
FUZZ_EXAMPLES ?= 10000
FUZZ_MANY ?= 1000000
.PHONY: fuzz fuzz-ci

fuzz-ci: setup
	@NESTOS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTEST) -n $(JOBS) $(if $(FUZZ_JUNIT),--junitxml=$(FUZZ_JUNIT)) tests/fuzz || [ $$? -eq 5 ]

FUZZ_CHUNK ?= 50000
fuzz: setup
	@$(VPY) tools/fuzz_campaign.py --per-engine $(FUZZ_MANY) --chunk $(FUZZ_CHUNK) --jobs $(JOBS) \
	  $(if $(FUZZ_UNTIL),--until $(FUZZ_UNTIL)) $(if $(FUZZ_RESET),--reset) $(FUZZ_ENGINES)
