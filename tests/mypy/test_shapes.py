"""The `purepax-shape` rule, tested on whole programs: `shape_corpus/bad_*.py`, `good_*.py`.

A bad program marks the one line mypy must report with a trailing
`# expect: purepax-shape` (`# expect: purepax-shape-strict` in a program that says
`# shapes: strict` in its first lines, checked with the plugin setting `shapes = strict`);
a good program expects no shape report at all. The corpus is checked in ONE mypy run
with `shapes = on` (the strict programs again in a second run), the setting given in the
plugin's own section of a config file the test writes. The same run checks the plugin's
other corpus, the examples and the docs' code blocks, which must get no shape report.

Every program also runs, imported in a fresh module under jaxtyping's import hook
(beartype as the type checker), so that each bad line is proven to fail and each good
program to run: a good program runs clean; a bad program raises, and the marked line is
where it fails (see `failed_at`). The cross-file programs (the package `xshape`) are
also checked cold and then warm, after only the caller changed.
"""

from __future__ import annotations

import ast
import importlib
import re
import shutil
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import jaxtyping
import pytest
from _checkers import (
    CACHED,
    MYPY_INI,
    ROOT,
    assert_mypy_ran,
    cache_dir,
    mypy_findings,
    run_mypy,
)

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "shape_corpus"
CODES = ("purepax-shape", "purepax-shape-strict")
MARK = re.compile(r"#\s*expect:\s*(purepax-shape(?:-strict)?)\s*$")
STRICT = re.compile(r"^# shapes: strict$", re.MULTILINE)
PROGRAMS = sorted(CORPUS.rglob("bad_*.py")) + sorted(CORPUS.rglob("good_*.py"))
CROSS_FILE = sorted((CORPUS / "xshape").glob("*.py"))
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
Report = dict[Path, list[tuple[int, str, str, str]]]


def strict(program: Path) -> bool:
    return STRICT.search("\n".join(program.read_text().splitlines()[:5])) is not None


def marks(program: Path) -> dict[int, str]:
    """line -> the code expected there."""
    return {
        number: match.group(1)
        for number, line in enumerate(program.read_text().splitlines(), start=1)
        if (match := MARK.search(line))
    }


def config(name: str, setting: str) -> Path:
    """The project's mypy.ini with the plugin's shape setting, in a work folder."""
    path = cache_dir(name) / "mypy.ini"
    text = MYPY_INI.read_text() + f"\n[purepax-mypy]\nshapes = {setting}\n"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def docs_code(into: Path) -> list[Path]:
    """One module per docs page, made of its python blocks (as benchmarks/mypy_plugin.py
    makes them); a module whose text is unchanged is not rewritten."""
    into.mkdir(parents=True, exist_ok=True)
    files = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        blocks = [
            m.group(2)
            for m in FENCE.finditer(page.read_text())
            if m.group(1).split()[:1] == ["python"]
        ]
        if blocks:
            name = re.sub(r"\W", "_", page.stem)
            path = into / f"docs_{name}.py"
            text = "\n".join(blocks)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
            files.append(path)
    return files


def project_files() -> list[Path]:
    """This corpus and the examples. (The plugin's other corpus is checked with shapes
    on by tests/mypy/test_plugin.py, whose codes include the shape codes.)"""
    return sorted(CORPUS.rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py"))


def parse(output: str) -> tuple[Report, list[str]]:
    """path -> [(line, severity, code, message)] of every report; and the plugin's notes
    of an internal error."""
    found: Report = {}
    internal = []
    for finding in mypy_findings(output):
        if "purepax plugin" in finding.message:
            internal.append(f"{finding.file}:{finding.line}: {finding.message}")
        entry = (finding.line, finding.severity, finding.code, finding.message)
        found.setdefault(finding.file, []).append(entry)
    return found, internal


def shape_lines(reported: list[tuple[int, str, str, str]]) -> dict[int, str]:
    return {line: code for line, _, code, _ in reported if code in CODES}


@pytest.fixture(scope="session")
def project_report() -> tuple[Report, list[str]]:
    """One mypy run, `shapes = on`: the shape corpus, the examples and the docs' code."""
    work = cache_dir("shapes")
    files = project_files() + docs_code(work / "docs")
    stdout, stderr, status = run_mypy(
        files, work / "cache", config=config("shapes", "on")
    )
    assert_mypy_ran(stdout, stderr, status)
    return parse(stdout)


@pytest.fixture(scope="session")
def strict_report() -> tuple[Report, list[str]]:
    """The strict programs, `shapes = strict`."""
    work = cache_dir("shapes-strict")
    stdout, stderr, status = run_mypy(
        [p for p in PROGRAMS if strict(p)],
        work / "cache",
        config=config("shapes-strict", "strict"),
    )
    assert_mypy_ran(stdout, stderr, status)
    return parse(stdout)


def test_corpus_size() -> None:
    bad = [p for p in PROGRAMS if p.name.startswith("bad_")]
    good = [p for p in PROGRAMS if p.name.startswith("good_")]
    assert len(bad) >= 50 and len(good) >= 50, (len(bad), len(good))
    assert [p.name for p in bad if len(marks(p)) != 1] == []
    assert [p.name for p in good if marks(p)] == []
    for program in bad:  # mypy reports a statement at its first line
        for line in marks(program):
            statement_at(program, line)
    assert [
        p.name
        for p in PROGRAMS
        if any(
            (code == "purepax-shape-strict") != strict(p) for code in marks(p).values()
        )
    ] == [], "a strict mark belongs in a `# shapes: strict` program, and only there"


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_static(program: Path, project_report: tuple[Report, list[str]]) -> None:
    """Every marked line is reported with its code, nothing else; and the program is
    otherwise well typed (no other mypy error)."""
    report, internal = project_report
    assert internal == [], f"the plugin failed internally: {internal}"
    reported = report.get(program.resolve(), [])
    others = [r for r in reported if r[1] == "error" and r[2] not in CODES]
    assert others == [], f"{program.name} is not otherwise well typed: {others}"
    want = {} if strict(program) else marks(program)
    assert shape_lines(reported) == want, reported


@pytest.mark.parametrize(
    "program",
    [p for p in PROGRAMS if strict(p)],
    ids=lambda p: str(p.relative_to(CORPUS)),
)
def test_static_strict(program: Path, strict_report: tuple[Report, list[str]]) -> None:
    report, internal = strict_report
    assert internal == [], f"the plugin failed internally: {internal}"
    reported = report.get(program.resolve(), [])
    assert shape_lines(reported) == marks(program), reported


def test_the_project_gets_no_shape_report(
    project_report: tuple[Report, list[str]],
) -> None:
    """The examples and the docs' code."""
    report, internal = project_report
    assert internal == []
    found = [
        f"{path}:{line}: [{code}] {message}"
        for path, entries in report.items()
        if not path.is_relative_to(CORPUS)
        for line, _, code, message in entries
        if code in CODES
    ]
    assert found == [], "\n".join(found)


def test_cross_file_programs_warm_as_cold(
    project_report: tuple[Report, list[str]],
) -> None:
    """The callee's shapes reach a caller checked against the callee's cached facts.

    The package is copied under another name, so that the project run's cache (JAX and
    purepax already checked, which this test copies: hence the fixture) holds nothing of
    it: the first run checks it cold."""
    work = cache_dir("shapes-xfile")
    package = work / "xshape_copy"
    shutil.rmtree(package, ignore_errors=True)
    package.mkdir()
    for source in CROSS_FILE:
        text = source.read_text().replace("xshape.", "xshape_copy.")
        (package / source.name).write_text(text)
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(cache_dir("shapes") / "cache", cache)
    files = sorted(package.glob("*.py"))
    callers = [f for f in files if f.name.startswith(("bad_", "good_"))]
    cfg = config("shapes", "on")

    def shapes(output: str) -> dict[str, dict[int, str]]:
        report, internal = parse(output)
        assert internal == [], internal
        return {f.name: shape_lines(report.get(f.resolve(), [])) for f in callers}

    want = {f.name: marks(f) for f in callers}
    stdout, stderr, status = run_mypy(files, cache, *CACHED, config=cfg)
    assert_mypy_ran(stdout, stderr, status)
    assert shapes(stdout) == want, stdout
    for caller in callers:  # the callers change, not what they import
        caller.write_text(caller.read_text() + "\nprint(__name__)\n")
    stdout, log, status = run_mypy(files, cache, "-v", *CACHED, config=cfg)
    assert status in (0, 1) and "INTERNAL ERROR" not in stdout, stdout + log
    assert "Metadata fresh for xshape_copy.models" in log, (
        "the callee was checked again"
    )
    assert shapes(stdout) == want, stdout


# --- the programs run -------------------------------------------------------------------


def module_name(program: Path) -> str:
    return ".".join(program.relative_to(CORPUS).with_suffix("").parts)


@pytest.fixture
def fresh_import(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The corpus importable, and none of its modules left imported afterwards (each
    program and its helpers run again, under the hook, in the next test)."""
    monkeypatch.syspath_prepend(str(CORPUS))
    ours = {module_name(p).split(".")[0] for p in CORPUS.rglob("*.py")}
    yield
    for name in list(sys.modules):
        if name.split(".")[0] in ours:
            del sys.modules[name]


def run_under_hook(program: Path) -> BaseException | None:
    """Import `program` as a fresh module under jaxtyping's import hook; what it raised."""
    name = module_name(program)
    with jaxtyping.install_import_hook(name.split(".")[0], "beartype.beartype"):
        try:
            importlib.import_module(name)
        except Exception as error:  # the test reads where it came from
            return error
    return None


def lines_in(error: BaseException, program: Path) -> list[int]:
    """The traceback's lines in `program`, outermost first."""
    here = program.resolve()
    return [
        frame.lineno or 0
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() == here
    ]


def statement_at(program: Path, line: int) -> tuple[ast.stmt, list[str]]:
    """The statement that starts on `line` and the names of the functions around it."""
    found: list[tuple[ast.stmt, list[str]]] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.ClassDef):
                inner = [*scope, child.name]
            if isinstance(child, ast.stmt) and child.lineno == line:
                found.append((child, scope))
            visit(child, inner)

    visit(ast.parse(program.read_text()), [])
    assert found, f"no statement starts on line {line} of {program.name}"
    return found[0]


def failed_at(error: BaseException, program: Path, line: int) -> bool:
    """Whether `error` is the marked `line` failing: the line is being run when the
    program fails (the deepest frame of the program's file, or the caller of a function
    of the program that fails inside); or the line is a `return` whose value the hook
    refused (that check runs in the caller, after the function's frame is gone); or the
    line is an annotated assignment, which no hook checks, and the failure is the
    `assert name.shape == ...` right after it that states the annotation's sizes."""
    lines = lines_in(error, program)
    if line in lines:
        return True
    statement, scope = statement_at(program, line)
    if isinstance(statement, ast.Return):
        qualname = ".".join(scope)
        return (
            f"checking the return value of {module_name(program)}.{qualname}."
            in str(error)
        )
    if isinstance(statement, ast.AnnAssign) and isinstance(error, AssertionError):
        after, _ = statement_at(program, (statement.end_lineno or line) + 1)
        check = f"assert {ast.unparse(statement.target)}.shape == "
        return (
            bool(lines)
            and lines[-1] == after.lineno
            and ast.unparse(after).startswith(check)
        )
    return False


@pytest.mark.usefixtures("fresh_import")
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_runtime(program: Path) -> None:
    error = run_under_hook(program)
    if program.name.startswith("good_"):
        assert error is None, "".join(traceback.format_exception(error))
    else:
        [line] = marks(program)
        assert error is not None, f"{program.name} ran clean: line {line} did not fail"
        assert failed_at(error, program, line), (
            f"{program.name} failed elsewhere than line {line}:\n"
            + "".join(traceback.format_exception(error))
        )
