"""The fuzz suite's contract: only the project's own error type may leave an engine."""
import os

from ansible_collections.nestos.lifecycle.plugins.module_utils.common.errors import NestosError

EXAMPLES = int(os.environ.get("NESTOS_FUZZ_EXAMPLES", "10000"))


def only_nestos_errors(func, *args, **kwargs):
    """Call ``func``; return ``(result, None)`` or ``(None, error)`` for a NestosError.

    Any other exception propagates, and hypothesis reports it with the input that caused it.
    """
    try:
        return func(*args, **kwargs), None
    except NestosError as err:
        assert str(err), "a NestosError must carry a message"
        return None, err
