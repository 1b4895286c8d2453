"""Programs written as research engineers write them, kept as acceptance tests.

Each `prog_*.py` here is a standalone script that asserts its own results; it runs in a
subprocess (a fresh JAX, as a user runs it) and must exit 0. All of them are then
type-checked in ONE mypy run with the project's `mypy.ini` (the purepax plugin on): these
are correct programs, so mypy must report no error at all, purepax-* or other.
Programs that show a known defect are marked `xfail(strict=True)` with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _checkers import cache_dir, check_mypy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROGRAMS = sorted(HERE.glob("prog_*.py"))

# name -> reason: known defects, each reported to the lead with a reproducer.
RUNTIME_XFAIL: dict[str, str] = {}
STATIC_XFAIL: dict[str, str] = {}


def _param(path: Path, known: dict[str, str]) -> object:
    reason = known.get(path.stem)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=path.stem, marks=marks)


def test_there_are_programs() -> None:
    assert len(PROGRAMS) >= 15, [p.name for p in PROGRAMS]


@pytest.mark.parametrize("program", [_param(p, RUNTIME_XFAIL) for p in PROGRAMS])
def test_runs(program: Path) -> None:
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(program)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def mypy_report() -> dict[str, list[str]]:
    # One mypy run, cached per plugin version; mypy must have run (exit 0 or 1, nothing on stderr).
    report: dict[str, list[str]] = {p.stem: [] for p in PROGRAMS}
    for finding in check_mypy(PROGRAMS, cache_dir("programs")):
        if finding.severity == "error":
            report.setdefault(finding.file.stem, []).append(
                f"{finding.file.name}:{finding.line}: {finding.message}  [{finding.code}]"
            )
    return report


@pytest.mark.parametrize("program", [_param(p, STATIC_XFAIL) for p in PROGRAMS])
def test_mypy_clean(program: Path, mypy_report: dict[str, list[str]]) -> None:
    errors = mypy_report[program.stem]
    assert not [e for e in errors if "[purepax-" in e], "\n".join(errors)
    assert not errors, "\n".join(errors)
