"""Property-based fuzzing of every engine that reads user or host input.

Counts: ``NESTOS_FUZZ_EXAMPLES`` inputs per engine test (``make test`` runs the suite with
10,000; ``make fuzz`` with 1,000,000). One file per engine: ``test_fuzz_<engine>.py``.
The only exception allowed out of an engine is the project's own error type: wrap each
call in :func:`only_nestos_errors`.
"""
import os

from hypothesis import HealthCheck, settings

from tests.support.fuzzing import EXAMPLES  # noqa: F401  (re-exported for the fuzz files)

settings.register_profile(
    "nestos-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("NESTOS_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.load_profile("nestos-fuzz")
