"""mypy and pyright for the tests: running them on files or snippets, and reading their reports.

Test files import it as `from _checkers import ...`: pytest (its default `prepend` import
mode) puts `tests/`, the folder of the top `conftest.py`, on `sys.path`, as it does for
`helpers`.

What both checkers report is read into `Finding`s: (file, line, severity, code, message).
The runners fail the test when the checker itself failed (mypy's exit status 2, a
traceback, output on stderr; pyright without a JSON report), so a broken run can never
read as a clean one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import mypy.api
import mypy.version
import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
MYPY_INI = ROOT / "mypy.ini"
PLUGIN = ROOT / "src" / "purepax" / "mypy_plugin"
MYPY = tuple(int(part) for part in re.findall(r"\d+", mypy.version.__version__)[:2])

# mypy before 1.19 writes no cache for a file with errors, or importing one; purepax,
# checked here from source, has errors under old mypy (none once installed: mypy then
# silences it). So the warm-cache tests check it silently there, as users' mypy does.
CACHED = ["--follow-imports=silent"] if MYPY < (1, 19) else []

MYPY_LINE = re.compile(
    r"^(?P<path>[^:\n]+\.pyi?):(?P<line>\d+): (?P<severity>error|warning|note): "
    r"(?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$"
)
_MYPY_REVEALED = re.compile(r'\ARevealed type is "(?P<type>.*)"\Z', re.DOTALL)
_PYRIGHT_REVEALED = re.compile(r'\AType of ".*" is "(?P<type>.*)"\Z', re.DOTALL)
_QUALIFIER = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")


class Finding(NamedTuple):
    """One report of mypy or pyright."""

    file: Path  # absolute and resolved
    line: int  # 1-based
    severity: str  # "error", "warning" or "note" (pyright's "information", reveal_type's, is a note)
    code: str  # mypy's error code or pyright's rule; "" when the report has none
    message: str  # without mypy's `  [code]`; pyright's may span lines


def revealed_type(finding: Finding) -> str | None:
    """The type a `reveal_type` note shows (mypy's or pyright's wording), or None."""
    if finding.severity != "note":
        return None
    match = _MYPY_REVEALED.match(finding.message) or _PYRIGHT_REVEALED.match(
        finding.message
    )
    return None if match is None else match["type"]


def unqualified(type_text: str) -> str:
    """A type with module paths dropped: `jax._src.basearray.Array` -> `Array`."""
    return _QUALIFIER.sub("", type_text)


def in_file(findings: Iterable[Finding], path: Path) -> list[Finding]:
    path = path.resolve()
    return [f for f in findings if f.file == path]


# --- mypy ------------------------------------------------------------------------------------


def plugin_hash() -> str:
    digest = hashlib.sha256(mypy.version.__version__.encode() + sys.version.encode())
    for path in sorted(PLUGIN.rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir(name: str) -> Path:
    """A mypy cache for this version of the plugin (a new plugin starts a new cache).

    mypy replays cached errors of unchanged files even when a plugin submodule has changed,
    so a cache shared across plugin versions could hide a regression. It lives in this
    checkout (git ignores `.mypy_cache/`): a cache shared with another checkout of the same
    plugin would replay that checkout's results for these files.
    """
    caches = ROOT / ".mypy_cache" / "purepax-plugin-tests"
    current = caches / plugin_hash()
    if not current.exists() and caches.exists():
        for old in caches.iterdir():  # caches of earlier plugin versions
            shutil.rmtree(old, ignore_errors=True)
    path = current / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_mypy(
    files: Iterable[Path], cache: Path, *extra: str, config: Path = MYPY_INI
) -> tuple[str, str, int]:
    """mypy on `files` with `config` (the project's mypy.ini: plugin on), in this process
    (mypy on JAX is slow enough without a subprocess): (stdout, stderr, exit status).

    mypy run in-process treats what it finds on `sys.path` as installed third-party code
    (errors silenced, function bodies dropped); pytest puts the test folders there, so
    they are taken off `sys.path` for the run. Paths in the output are absolute.
    """
    args = [
        "--config-file",
        str(config),
        "--cache-dir",
        str(cache),
        "--no-pretty",
        "--no-color-output",
        "--show-absolute-path",
        "--show-error-codes",
        "--hide-error-context",
        "--no-error-summary",
        *extra,
        *map(str, files),
    ]
    saved = sys.path[:]
    sys.path[:] = [
        p for p in sys.path if not Path(p or ".").resolve().is_relative_to(TESTS)
    ]
    # mypy.ini's `mypy_path` is relative to the working directory, not to the config file.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return mypy.api.run(args)
    finally:
        os.chdir(cwd)
        sys.path[:] = saved


def assert_mypy_ran(stdout: str, stderr: str, status: int) -> None:
    """mypy checked the files: it exited 0 (nothing found) or 1 (errors found), said nothing
    on stderr (a bad config, a plugin that does not load) and did not crash."""
    assert status in (0, 1) and not stderr, (
        f"mypy failed (exit status {status}):\n{stdout}\n{stderr}"
    )
    assert "INTERNAL ERROR" not in stdout and "Traceback" not in stdout, stdout


def mypy_findings(stdout: str, relative_to: Path = ROOT) -> list[Finding]:
    """Every report in mypy's output (a line without a file and line number is left out);
    a relative path is taken from `relative_to`."""
    found = []
    for text in stdout.splitlines():
        match = MYPY_LINE.match(text)
        if match is not None:
            found.append(
                Finding(
                    (relative_to / match["path"]).resolve(),
                    int(match["line"]),
                    match["severity"],
                    match["code"] or "",
                    match["message"],
                )
            )
    return found


def check_mypy(
    files: Iterable[Path], cache: Path, *extra: str, config: Path = MYPY_INI
) -> list[Finding]:
    """mypy's reports on `files` (see `run_mypy`); the test fails if mypy itself failed."""
    stdout, stderr, status = run_mypy(files, cache, *extra, config=config)
    assert_mypy_ran(stdout, stderr, status)
    return mypy_findings(stdout)


def check_mypy_snippet(
    source: str, folder: Path, *extra: str, name: str = "program"
) -> list[Finding]:
    """mypy's reports on a program written to `folder/<name>.py` (the project's mypy.ini,
    a fresh cache in `folder`)."""
    program = folder / f"{name}.py"
    program.write_text(source)
    return in_file(check_mypy([program], folder / "mypy_cache", *extra), program)


# --- pyright ---------------------------------------------------------------------------------


def pyright_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """pyright's `--outputjson` report; the test fails unless pyright exited 0 (nothing
    found) or 1 (errors found) with a report."""
    assert done.returncode in (0, 1), (
        f"pyright failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        pytest.fail(
            f"pyright gave no JSON report ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return report


def pyright_findings(
    report: Mapping[str, Any], relative_to: Path = ROOT
) -> list[Finding]:
    """Every diagnostic in pyright's `--outputjson` report (see `pyright_json`)."""
    diagnostics = report["generalDiagnostics"]
    severities = {"information": "note"}
    return [
        Finding(
            (relative_to / d["file"]).resolve(),
            d["range"]["start"]["line"] + 1,
            severities.get(d["severity"], d["severity"]),
            d.get("rule", ""),
            d["message"],
        )
        for d in diagnostics
    ]


def run_pyright(
    files: Iterable[Path],
    folder: Path,
    config: Mapping[str, object],
    *,
    env: Mapping[str, str] | None = None,
) -> list[Finding]:
    """pyright's reports on `files`, from one run whose project is `folder` (its
    `pyrightconfig.json` is `config`), run from `folder` with the environment `env`
    (this one by default) against this Python's packages. The test fails unless pyright
    exited 0 or 1 and analysed every file."""
    files = list(files)
    (folder / "pyrightconfig.json").write_text(json.dumps(config))
    # pyright's PyPI wrapper warns on stderr when a newer pyright exists.
    env = {
        **(os.environ if env is None else env),
        "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyright",
            "--outputjson",
            "--pythonpath",
            sys.executable,
            "--project",
            str(folder),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=600,
    )
    report = pyright_json(done)
    analysed = report["summary"]["filesAnalyzed"]
    assert analysed >= len(files), (
        f"pyright analysed {analysed} of {len(files)} files:\n{done.stdout}"
    )
    return pyright_findings(report, relative_to=folder)
