"""Helpers shared by tests of several folders (unit, conformance, integration).

One file per concern (e.g. ``tests/support/ignition_validate.py`` for the real
ignition-validate runner). Tests import from here, never from another test folder.
"""
