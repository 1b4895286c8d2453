"""Runs `tests/multidevice/check_*.py` on 8 forced CPU devices, in a separate process.

`XLA_FLAGS=--xla_force_host_platform_device_count=8` must be set before JAX starts, so
the checks run in a fresh interpreter; their pytest summary comes back here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHECKS = sorted((HERE / "multidevice").glob("check_*.py"))


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.name)
def test_on_eight_devices(check: Path) -> None:
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        JAX_PLATFORMS="cpu",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(check)],
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert " passed" in last and "skipped" not in last, result.stdout[-3000:]
