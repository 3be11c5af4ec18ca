"""Property-based fuzzing of every engine that reads user or host input.

Counts: ``NESTOS_FUZZ_EXAMPLES`` inputs per engine, that is per ``test_fuzz_<engine>.py`` file,
shared evenly between the file's tests (``make test`` runs the suite with 10,000 per engine;
``make fuzz`` with 1,000,000). A test that sets ``max_examples`` itself keeps it.
The only exception allowed out of an engine is the project's own error type: wrap each call in
:func:`tests.support.fuzzing.only_nestos_errors`.
"""
import collections
import os

from hypothesis import HealthCheck, settings

from tests.support.fuzzing import EXAMPLES

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


def _hypothesis_function(item):
    func = getattr(item, "obj", None)
    return func if getattr(func, "is_hypothesis_test", False) else None


def pytest_collection_modifyitems(config, items):
    """Share each engine's EXAMPLES between the tests of its file (parametrized cases included)."""
    del config
    per_file = collections.Counter(str(item.fspath) for item in items if _hypothesis_function(item))
    for item in items:
        func = _hypothesis_function(item)
        if func is None:
            continue
        current = getattr(func, "_hypothesis_internal_use_settings", None)
        if current is None or current.max_examples != EXAMPLES:
            continue  # the test chose its own count
        share = max(1, -(-EXAMPLES // per_file[str(item.fspath)]))
        func._hypothesis_internal_use_settings = settings(current, max_examples=share)


def pytest_report_header(config):
    del config
    return "fuzz: %d inputs per engine (test_fuzz_<engine>.py), shared between its tests" % EXAMPLES
