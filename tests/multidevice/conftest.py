"""Tests run on 8 CPU devices, in their own process (`tests/test_multidevice.py` starts it).

JAX fixes its device count when it starts, so these cannot run in the main test process;
their file names do not match `test_*.py`, and the main run does not collect them.
"""

import jax
import pytest


def pytest_collection_modifyitems(items):
    if jax.device_count() < 8:
        skip = pytest.mark.skip(reason="needs 8 devices: run through tests/test_multidevice.py")
        for item in items:
            item.add_marker(skip)
