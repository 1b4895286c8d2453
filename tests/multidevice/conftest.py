"""Tests run on 8 CPU devices, in their own process (`tests/test_multidevice.py` starts it).

JAX fixes its device count when it starts, so these cannot run in the main test process;
their file names do not match `test_*.py`, and the main run does not collect them.
"""

from pathlib import Path

import jax
import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    if jax.device_count() >= 8:
        return
    skip = pytest.mark.skip(
        reason="needs 8 devices: run through tests/test_multidevice.py"
    )
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
