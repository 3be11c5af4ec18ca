"""Helpers for the Butane unit tests: translate and check the output with the real
ignition-validate (every config our engine emits in tests is checked by it)."""
import json

import pytest

from ansible_collections.nestos.lifecycle.plugins.module_utils.butane.to_ignition import translate
from tests.support.ignition_validate import assert_real_valid


def _tr(text, **kwargs):
    result = translate(text, **kwargs)
    assert_real_valid(result.output())
    return result


@pytest.fixture
def tr():
    """Translate, check with the real ignition-validate, return the Result."""
    return _tr


@pytest.fixture
def tr_json():
    """Translate and return the parsed JSON (after the real validator accepted it)."""
    def run(text, **kwargs):
        return json.loads(_tr(text, **kwargs).json)
    return run
