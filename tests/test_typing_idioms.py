"""Typed idioms as users write them type-check clean in mypy and pyright, and run.

Each `typing_cases/*.py` is a small program (callable layer lists, layers built in
`__init__`, gradients typed as the model passed in). mypy checks them all in ONE run
(`--strict`, the project's `mypy.ini`, plugin on) and pyright in ONE run (standard mode,
against JAX's own types: not the `stubs/` overlay, which only mypy reads). Neither may
report an error or warning, and every `reveal_type` line must reveal what its comment
says: `# reveals: tuple[MLP, Array]` for both checkers, `# reveals: mypy=Any
pyright=MLP` where they differ. Module paths are dropped before comparing
(`jax._src.basearray.Array` is `Array`). A line marked `# error: why` is misuse that
both must report (in a function the program never calls), so the types stay strict.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from _checkers import (
    Finding,
    cache_dir,
    check_mypy,
    revealed_type,
    run_pyright,
    unqualified,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = sorted((HERE / "typing_cases").glob("*.py"))
CASE_FILES = {c.resolve() for c in CASES}
CHECKERS = ("mypy", "pyright")
REVEALS = re.compile(r"#\s*reveals:\s*(.+?)\s*$")
ERROR = re.compile(r"#\s*error:")
PER_CHECKER = re.compile(r"\b(mypy|pyright)=(.+?)(?=\s+(?:mypy|pyright)=|$)")

# (line, text) of what a checker reported for one file
Report = dict[str, list[tuple[int, str]]]


def expected_reveals(case: Path, checker: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for number, line in enumerate(case.read_text().splitlines(), start=1):
        match = REVEALS.search(line)
        if match is None:
            continue
        spec = match.group(1)
        per_checker = dict(PER_CHECKER.findall(spec))
        found[number] = per_checker[checker] if per_checker else spec
    return found


def expected_errors(case: Path) -> set[int]:
    return {
        n
        for n, line in enumerate(case.read_text().splitlines(), start=1)
        if ERROR.search(line)
    }


def test_there_are_cases() -> None:
    assert {c.stem for c in CASES} >= {
        "callable_layers",
        "layers_built_in_init",
        "gradient_types",
    }
    assert all(expected_reveals(c, "mypy") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem)
def test_case_runs(case: Path) -> None:
    runpy.run_path(str(case), run_name=f"typing_case_{case.stem}")


def _reports(findings: list[Finding], *, notes_are_errors: bool) -> dict[str, Report]:
    """Reveals and errors by case; a note that reveals nothing is an error for pyright (its
    "information"), and context for mypy (`See https://...`)."""
    reports: dict[str, Report] = {c.stem: {"reveals": [], "errors": []} for c in CASES}
    for finding in findings:
        if finding.file not in CASE_FILES:
            continue
        report = reports[finding.file.stem]
        revealed = revealed_type(finding)
        if revealed is not None:
            report["reveals"].append((finding.line, unqualified(revealed)))
        elif finding.severity != "note" or notes_are_errors:
            report["errors"].append(
                (finding.line, f"{finding.severity}: {finding.message}")
            )
    return reports


def _listed(findings: list[Finding]) -> str:
    return "\n".join(
        f"{f.file.name}:{f.line}: {f.severity}: {f.message}  [{f.code}]"
        for f in findings
    )


@pytest.fixture(scope="module")
def mypy_report() -> tuple[dict[str, Report], str]:
    findings = check_mypy(
        CASES, cache_dir("typing_idioms"), "--strict"
    )  # one run, cached per plugin version
    return _reports(findings, notes_are_errors=False), _listed(findings)


@pytest.fixture(scope="module")
def pyright_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Report], str]:
    # The dev extra installs pyright: a missing one is a broken environment, not a skip.
    folder = tmp_path_factory.mktemp("pyright")
    # A project of its own: standard mode, and a stub folder that does not exist, so JAX's
    # own types are used (the `stubs/` overlay is mypy's).
    findings = run_pyright(
        CASES,
        folder,
        {"typeCheckingMode": "standard", "stubPath": str(folder / "no-stubs")},
    )
    return _reports(findings, notes_are_errors=True), _listed(findings)


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem)
def test_case_type_checks(
    case: Path, checker: str, request: pytest.FixtureRequest
) -> None:
    reports, output = request.getfixturevalue(f"{checker}_report")
    report = reports[case.stem]
    assert {line for line, _ in report["errors"]} == expected_errors(case), output
    assert dict(report["reveals"]) == expected_reveals(case, checker), output
