"""Every public layer of `purepax.nn` type-checks as users write it, under mypy and pyright.

`typing_cases/every_layer.py` builds and calls every layer as the docstrings and
docs/layers.md do. It is correct code (it runs), so a type checker must report nothing
on it, and each `reveal_type` must reveal the type in its `# revealed:` comment (short
names: mypy's `purepax.nn._conv.Conv2d` is `Conv2d`). Checked by mypy with the project's
`mypy.ini` (strict, plugin on), by mypy as a user runs it (a bare config from another
folder, with and without the purepax plugin), and by pyright (standard mode, without this
repository's stubs overlay).

A layer class that defines no `__init__` of its own is a trap here: at run time it keeps
its parent's custom `__init__` (`_module.py`), but PEP 681 tells type checkers to
synthesize one from the fields. So every such layer spells out its own `__init__`;
`test_signature_matches_implementation` keeps those copies equal to the one they call.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _checkers import (
    Finding,
    assert_mypy_ran,
    in_file,
    mypy_findings,
    revealed_type,
    run_pyright,
    unqualified,
)

from purepax import nn
from purepax.nn._conv import _Convolution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASE = HERE / "typing_cases" / "every_layer.py"
REVEALED = re.compile(r"^\s*reveal_type\(.*#\s*revealed:\s*(.+?)\s*$")


def expected_reveals() -> dict[int, str]:
    lines = CASE.read_text().splitlines()
    found = {
        n: m.group(1) for n, line in enumerate(lines, 1) if (m := REVEALED.search(line))
    }
    assert len(found) >= 10, "the case file lost its `# revealed:` marks"
    return found


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def user_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}


def findings(found: list[Finding], path: Path) -> tuple[list[str], dict[int, str]]:
    """The errors and warnings reported on `path`, and its revealed types by line."""
    errors, reveals = [], {}
    for finding in in_file(found, path):
        revealed = revealed_type(finding)
        if revealed is not None:
            reveals[finding.line] = unqualified(revealed)
        elif finding.severity in ("error", "warning"):
            errors.append(
                f"{finding.line}: {finding.severity}: {finding.message}  [{finding.code}]"
            )
    return errors, reveals


def user_folder(tmp_path: Path, config: str) -> Path:
    """A folder as a user has one: their program and their own mypy config, nothing else."""
    folder = tmp_path / "user"
    folder.mkdir()
    shutil.copy(CASE, folder / CASE.name)
    (folder / "mypy.ini").write_text(config)
    return folder


MYPY_RUNS = {
    "project-config": None,
    "user-config-plugin": "[mypy]\nplugins = purepax.mypy_plugin\n",
    "user-config-no-plugin": "[mypy]\n",
}


@pytest.mark.parametrize("config", MYPY_RUNS)
def test_mypy_reports_nothing(config: str, tmp_path: Path) -> None:
    user_config = MYPY_RUNS[config]
    common = [
        "--no-pretty",
        "--no-error-summary",
        "--show-absolute-path",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    if user_config is None:
        cwd, path = ROOT, CASE
        args = ["--strict", "--config-file", str(ROOT / "mypy.ini"), *common, str(path)]
    else:
        cwd = user_folder(tmp_path, user_config)
        path = cwd / CASE.name
        args = [*common, CASE.name]
    done = run([sys.executable, "-m", "mypy", *args], cwd)
    assert_mypy_ran(done.stdout, done.stderr, done.returncode)
    errors, reveals = findings(mypy_findings(done.stdout), path)
    assert errors == [], "\n".join(errors)
    assert reveals == expected_reveals(), done.stdout


def test_pyright_reports_nothing(tmp_path: Path) -> None:
    # The dev extra installs pyright: a missing one is a broken environment, not a skip.
    folder = tmp_path / "user"
    folder.mkdir()
    shutil.copy(CASE, folder / CASE.name)
    found = run_pyright(
        [folder / CASE.name],
        folder,
        {"typeCheckingMode": "standard"},
        env=user_environment(),
    )
    errors, reveals = findings(found, folder / CASE.name)
    listed = "\n".join(f"{f.line}: {f.severity}: {f.message}" for f in found)
    assert errors == [], listed
    assert reveals == expected_reveals(), listed


def test_case_runs() -> None:
    """The case file is correct code: it runs, and its own asserts hold."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(CASE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


SAME_SIGNATURE = [
    (getattr(nn, name), implementation)
    for implementation, names in [
        (
            _Convolution,
            [
                "Conv",
                "Conv1d",
                "Conv2d",
                "Conv3d",
                "ConvTranspose",
                "ConvTranspose1d",
                "ConvTranspose2d",
                "ConvTranspose3d",
            ],
        ),
        (
            nn.Pool,
            [
                "MaxPool",
                "MaxPool1d",
                "MaxPool2d",
                "MaxPool3d",
                "AvgPool",
                "AvgPool1d",
                "AvgPool2d",
                "AvgPool3d",
            ],
        ),
    ]
    for name in names
]


@pytest.mark.parametrize(
    ("cls", "implementation"), SAME_SIGNATURE, ids=lambda c: c.__name__
)
def test_signature_matches_implementation(cls: type, implementation: type) -> None:
    """A layer's own `__init__`, there for type checkers, takes exactly the arguments of the one it calls."""
    assert inspect.signature(cls.__init__) == inspect.signature(implementation.__init__)


@pytest.mark.parametrize(
    "name", sorted(n for n in dir(nn) if isinstance(getattr(nn, n), type))
)
def test_runtime_init_is_the_one_type_checkers_see(name: str) -> None:
    """A public layer has an `__init__` of its own, or uses the generated one, as PEP 681 says."""
    cls = getattr(nn, name)
    assert "__init__" in vars(cls) or not cls._purepax_custom_init, (
        f"nn.{name} inherits a custom __init__ at run time, but type checkers synthesize one "
        "from its fields: give it its own __init__ that calls the inherited one."
    )
