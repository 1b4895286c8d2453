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

import importlib.util
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = sorted((HERE / "typing_cases").glob("*.py"))
CHECKERS = ("mypy", "pyright")
REVEALS = re.compile(r"#\s*reveals:\s*(.+?)\s*$")
ERROR = re.compile(r"#\s*error:")
PER_CHECKER = re.compile(r"\b(mypy|pyright)=(.+?)(?=\s+(?:mypy|pyright)=|$)")
QUALIFIER = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")

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
    return {n for n, line in enumerate(case.read_text().splitlines(), start=1) if ERROR.search(line)}


def unqualified(type_text: str) -> str:
    return QUALIFIER.sub("", type_text)


def test_there_are_cases() -> None:
    assert {c.stem for c in CASES} >= {"callable_layers", "layers_built_in_init", "gradient_types"}
    assert all(expected_reveals(c, "mypy") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem)
def test_case_runs(case: Path) -> None:
    runpy.run_path(str(case), run_name=f"typing_case_{case.stem}")


@pytest.fixture(scope="module")
def mypy_report() -> tuple[dict[str, Report], str]:
    sys.path.insert(0, str(HERE / "mypy"))
    try:
        from test_plugin import cache_dir, run_mypy  # one mypy run, cached per plugin version
    finally:
        sys.path.remove(str(HERE / "mypy"))
    stdout, stderr, _ = run_mypy(CASES, cache_dir("typing_idioms"), "--strict")
    assert "Traceback" not in stderr and "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    reports: dict[str, Report] = {c.stem: {"reveals": [], "errors": []} for c in CASES}
    line_format = re.compile(r"^(?P<path>[^:]+\.py):(?P<line>\d+): (?P<kind>error|warning|note): (?P<message>.*)$")
    for line in stdout.splitlines():
        match = line_format.match(line)
        if match is None or Path(match["path"]).stem not in reports:
            continue
        report = reports[Path(match["path"]).stem]
        revealed = re.fullmatch(r'Revealed type is "(.*)"', match["message"])
        if revealed is not None:
            report["reveals"].append((int(match["line"]), unqualified(revealed.group(1))))
        elif match["kind"] != "note":
            report["errors"].append((int(match["line"]), match["message"]))
    return reports, stdout + stderr


@pytest.fixture(scope="module")
def pyright_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Report], str]:
    if importlib.util.find_spec("pyright") is None:
        pytest.skip("pyright is not installed (the dev extra pins pyright[nodejs]); pip install 'pyright[nodejs]'")
    folder = tmp_path_factory.mktemp("pyright")
    # A project of its own: standard mode, and a stub folder that does not exist, so JAX's
    # own types are used (the `stubs/` overlay is mypy's).
    config = {"typeCheckingMode": "standard", "stubPath": str(folder / "no-stubs")}
    (folder / "pyrightconfig.json").write_text(json.dumps(config))
    done = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable,
         "--project", str(folder / "pyrightconfig.json"), *map(str, CASES)],
        capture_output=True, text=True, timeout=600,
    )
    try:
        diagnostics = json.loads(done.stdout)["generalDiagnostics"]
    except (ValueError, KeyError):
        pytest.fail(f"pyright gave no report (exit code {done.returncode}):\n{done.stdout}\n{done.stderr}")
    reports: dict[str, Report] = {c.stem: {"reveals": [], "errors": []} for c in CASES}
    for diagnostic in diagnostics:
        report = reports[Path(diagnostic["file"]).stem]
        line = diagnostic["range"]["start"]["line"] + 1
        revealed = re.fullmatch(r'Type of ".*" is "(.*)"', diagnostic["message"], re.DOTALL)
        if diagnostic["severity"] == "information" and revealed is not None:
            report["reveals"].append((line, unqualified(revealed.group(1))))
        else:
            report["errors"].append((line, f'{diagnostic["severity"]}: {diagnostic["message"]}'))
    return reports, done.stdout


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem)
def test_case_type_checks(case: Path, checker: str, request: pytest.FixtureRequest) -> None:
    reports, output = request.getfixturevalue(f"{checker}_report")
    report = reports[case.stem]
    assert {line for line, _ in report["errors"]} == expected_errors(case), output
    assert dict(report["reveals"]) == expected_reveals(case, checker), output
