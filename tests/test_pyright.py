"""The typed JAX overlay in `stubs/` under pyright.

One pyright run (`pyright --outputjson`, standard mode, `stubPath` = `stubs/` as in the
checkout's `pyproject.toml`; tests/test_wheel.py checks the installed overlay) checks, together:

- every case file in `tests/stubs_cases/`, whose pyright expectations sit beside mypy's on
  comment lines below the code line they belong to (after its mypy lines, if any):

      reveal_type(jax.grad(loss))
      # N: Revealed type is "def (jax._src.basearray.Array, ...) -> jax._src.basearray.Array"
      # PN: Revealed type is "(Array, x: Array) -> Array"
      jax.grad(loss)(x)  # E: Too few arguments  [call-arg]
      # PE: Argument missing for parameter "x"  [reportCallIssue]

  (`PE` holds the first line of pyright's message and its rule). Each case file must draw
  exactly the reports it declares. `unchanged_cases.py` declares none: what the overlay
  must not change is JAX's own types, so it is compared with pyright without the overlay
  (a second, short run), as tests/test_stubs.py does for mypy;
- the README's and the docs' Python blocks, one file per page with every block at its own
  line (the blocks run in one namespace per page, as in tests/test_docs.py), and
  `examples/*.py`: correct programs, which must draw no report, except the findings listed
  in `KNOWN` with their reasons;
- the overlay itself, which must draw no report.

With an older JAX than the overlay was written for, revealed types may differ (the case
files' errors must not), and JAX's own types draw reports of their own on the docs: there
the overlay must add none (the second run covers the docs and the examples too).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import pytest
from _checkers import revealed_type, run_pyright

ROOT = Path(__file__).resolve().parent.parent
STUBS = ROOT / "stubs"
CASES = ROOT / "tests" / "stubs_cases"
UNCHANGED = "unchanged_cases.py"
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_EXPECTATION = re.compile(r"^\s*#\s*P([EN]):\s*(.*?)\s*$")
# The JAX release the overlay was written for (as in tests/test_stubs.py).
WRITTEN_FOR = (0, 10)


class Report(NamedTuple):
    """One pyright diagnostic, in the terms the expectations use."""

    path: str  # relative to the repository: `tests/stubs_cases/jit_cases.py`, `docs/layers.md`
    line: int
    severity: (
        str  # "error", "warning" or "note" (pyright's "information": a reveal_type)
    )
    message: str  # `Revealed type is "..."`, or the message's first line and `  [rule]`
    code: str  # the reported line's source, stripped


# Reports on the docs and the examples that are not the overlay's, each drawn with and
# without it: (file pattern, rule, pattern of the message's first line) -> why. Each entry
# must still be reported (with the JAX the overlay was written for): once its cause is
# fixed, the test names it for removal.
KNOWN: dict[tuple[str, str, str], str] = {
    # What pyright cannot know, or a page shows on purpose.
    (
        "docs/*.md",
        "reportRedeclaration",
        r"is obscured by a declaration of the same name",
    ): "a page runs in one namespace and shows a fixed version of a function or class it defined before",
    (
        "docs/layers.md",
        "reportPossiblyUnboundVariable",
        r'^"value" is possibly unbound',
    ): "bound in `for _ in range(100)`, which pyright cannot know runs",
    (
        "docs/training.md",
        "reportPossiblyUnboundVariable",
        r'^"step" is possibly unbound',
    ): "bound in `for step in range(150)`, which pyright cannot know runs",
    (
        "docs/transforms.md",
        "reportPossiblyUnboundVariable",
        r'^"message" is possibly unbound',
    ): "bound in `except px.ClosureCaptureError`: pyright cannot know that the `try` always raises",
    (
        "docs/transforms.md",
        "reportArgumentType",
        r'^Argument of type "Counter" cannot be assigned to parameter "init"',
    ): "the page shows the TypeError that this wrong scan raises",
    (
        "docs/jax_transformations.md",
        "reportAttributeAccessIssue",
        r'^"core" is not a known attribute of module "jax"',
    ): "JAX's `__init__` imports `jax.core` as `_core`: pyright sees no `jax.core` after `import jax`, with "
    "or without the overlay (which binds only what JAX's `__init__` binds)",
    (
        "docs/migrating/flax_nnx.md",
        "reportOptionalSubscript",
        r'^Object of type "None" is not subscriptable',
    ): "Flax NNX types `nnx.Linear.bias` as optional (`use_bias=False`); the guide reads it as NNX users do",
    (
        "docs/layers.md",
        "reportArgumentType",
        r'^Argument of type "float" cannot be assigned to parameter "kernel_init"',
    ): "the page shows the ArgumentError that a number given as an initializer raises",
    (
        "docs/migrating/flax_nnx.md",
        "reportArgumentType",
        r'^Argument of type "State\[Unknown, Unknown\] \| Unknown" cannot be assigned to parameter "b"',
    ): "Flax types what `nnx.capture` collects as a `State`; the guide indexes it as NNX users do",
    # Others' to fix (reported; not the overlay's).
}


def _installed_jax() -> tuple[int, ...]:
    import jax

    return tuple(int(p) for p in re.findall(r"\d+", jax.__version__)[:2])


def _page_source(page: Path) -> str | None:
    """The page's Python blocks, each at its own line (the rest blank); None if it has none."""
    text = page.read_text()
    lines = [""] * (text.count("\n") + 1)
    found = False
    for match in FENCE.finditer(text):
        words = match.group(1).split() or [""]
        if (
            words[0] != "python" or "norun" in words
        ):  # not run: another library's code (PAX)
            continue
        found = True
        first = text.count("\n", 0, match.start(2))
        for offset, code in enumerate(match.group(2).splitlines()):
            lines[first + offset] = code
    return "\n".join(lines) + "\n" if found else None


def _pyright(
    files: dict[Path, str], config: dict[str, object], workdir: Path
) -> list[Report]:
    """pyright's reports on `files` (checked path -> name in the reports), from one run."""
    sources = {p.resolve(): name for p, name in files.items()}
    reports = []
    for finding in run_pyright(files, workdir, config):
        name = sources.get(finding.file)
        assert name is not None, f"a report on a file that was not checked: {finding}"
        revealed = revealed_type(finding)
        if revealed is not None:
            severity, message = "note", f'Revealed type is "{revealed}"'
        else:
            severity, message = (
                finding.severity,
                f"{finding.message.splitlines()[0]}  [{finding.code}]",
            )
        code = finding.file.read_text().splitlines()[finding.line - 1].strip()
        reports.append(Report(name, finding.line, severity, message, code))
    return reports


def _config(stub_path: Path) -> dict[str, object]:
    # This checkout's overlay, as `[tool.pyright] stubPath` (an installed purepax needs no setting).
    return {"stubPath": str(stub_path), "typeCheckingMode": "standard"}


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _older_jax() -> bool:
    return _installed_jax() < WRITTEN_FOR


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, str]:
    """The docs pages (written out as Python files) and the examples: checked path -> name."""
    folder = tmp_path_factory.mktemp("pages")
    files = {p: _relative(p) for p in EXAMPLES}
    for page in PAGES:
        source = _page_source(page)
        if source is not None:
            checked = folder / f"{re.sub(r'[^A-Za-z0-9]', '_', _relative(page))}.py"
            checked.write_text(source)
            files[checked] = _relative(page)
    return files


@pytest.fixture(scope="session")
def pyright_reports(
    tmp_path_factory: pytest.TempPathFactory, documents: dict[Path, str]
) -> list[Report]:
    """pyright's reports, with the overlay, on the case files, the documents and the overlay."""
    files = {
        p: _relative(p)
        for p in [*sorted(CASES.glob("*.py")), *sorted(STUBS.rglob("*.pyi"))]
    }
    return _pyright(
        {**files, **documents}, _config(STUBS), tmp_path_factory.mktemp("pyright")
    )


@pytest.fixture(scope="session")
def plain_reports(
    tmp_path_factory: pytest.TempPathFactory, documents: dict[Path, str]
) -> list[Report]:
    """pyright's reports without the overlay: on the unchanged case file, and with an older
    JAX (whose own types draw reports of their own) on the documents too."""
    workdir = tmp_path_factory.mktemp("pyright_plain")
    (workdir / "no_stubs").mkdir()  # pyright's default stubPath, `typings`, could exist
    files = {
        CASES / UNCHANGED: _relative(CASES / UNCHANGED),
        **(documents if _older_jax() else {}),
    }
    return _pyright(files, _config(workdir / "no_stubs"), workdir)


def _expected(path: Path) -> list[tuple[int, str, str]]:
    """The (line, severity, message) reports that `path` declares in `# PN:`/`# PE:` lines."""
    expected = []
    owner = 0
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        stripped = text.strip()
        marker = _EXPECTATION.match(text)
        if marker is not None:
            assert owner, (
                f"{path.name}:{number}: a pyright expectation with no code line above it"
            )
            expected.append((owner, "error" if marker[1] == "E" else "note", marker[2]))
        elif stripped and not stripped.startswith("#"):
            owner = number
    return expected


def _difference(
    expected: Iterable[tuple[int, str, str]], actual: Iterable[tuple[int, str, str]]
) -> str:
    def listed(reports: set[tuple[int, str, str]]) -> str:
        return (
            "\n  ".join(f"{line}: {sev}: {msg}" for line, sev, msg in sorted(reports))
            or "(none)"
        )

    expected, actual = set(expected), set(actual)
    return (
        "pyright's reports differ from the expectations.\n"
        f"Expected but not reported:\n  {listed(expected - actual)}\n"
        f"Reported but not expected:\n  {listed(actual - expected)}"
    )


@pytest.mark.parametrize("case", [p.name for p in sorted(CASES.glob("*.py"))])
def test_case_file(
    pyright_reports: list[Report], plain_reports: list[Report], case: str
) -> None:
    path = CASES / case
    actual = sorted(
        (r.line, r.severity, r.message)
        for r in pyright_reports
        if r.path == _relative(path)
    )
    if case == UNCHANGED:
        assert not _expected(path), (
            f"{case} is compared with pyright without the overlay: it declares nothing"
        )
        plain = sorted(
            (r.line, r.severity, r.message)
            for r in plain_reports
            if r.path == _relative(path)
        )
        if not _older_jax():
            assert actual == plain, _difference(plain, actual)
        else:  # the overlay's names that this JAX lacks are Unknown: no new error, at least
            new_errors = [r for r in actual if r[1] == "error" and r not in plain]
            assert not new_errors, (
                f"the overlay makes these lines errors with JAX {_installed_jax()}: {new_errors}"
            )
        return
    expected = sorted(_expected(path))
    if _older_jax():
        # What the overlay takes from where the newest JAX keeps it may be missing here, and
        # pyright types it Unknown: revealed types may degrade, but every expected error
        # must still be reported, and nothing else.
        expected = [e for e in expected if e[1] == "error"]
        actual = [a for a in actual if a[1] == "error"]
    assert actual == expected, _difference(expected, actual)


def _matches(report: Report, known: tuple[str, str, str]) -> bool:
    files, rule, pattern = known
    return (
        fnmatch.fnmatch(report.path, files)
        and report.message.endswith(f"  [{rule}]")
        and re.search(pattern, report.message) is not None
    )


def test_docs_and_examples_are_clean(
    pyright_reports: list[Report],
    plain_reports: list[Report],
    documents: dict[Path, str],
) -> None:
    reports = [r for r in pyright_reports if r.path in documents.values()]
    # With an older JAX, its own types draw reports of their own: the overlay must add none.
    plain = {(r.path, r.line, r.message) for r in plain_reports}
    unexpected = [
        r
        for r in reports
        if not any(_matches(r, known) for known in KNOWN)
        and (r.path, r.line, r.message) not in plain
    ]
    assert not unexpected, "pyright reports on the docs or the examples:\n" + "\n".join(
        f"{r.path}:{r.line}: {r.severity}: {r.message}\n    {r.code}"
        for r in unexpected
    )
    if not _older_jax():
        stale = [
            known for known in KNOWN if not any(_matches(r, known) for r in reports)
        ]
        assert not stale, (
            f"KNOWN lists reports that pyright no longer makes; remove them: {stale}"
        )


def test_overlay_is_clean(pyright_reports: list[Report]) -> None:
    in_stubs = [
        f"{r.path}:{r.line}: {r.severity}: {r.message}"
        for r in pyright_reports
        if r.path.startswith("stubs")
    ]
    assert not in_stubs, "pyright reports problems in the overlay:\n" + "\n".join(
        in_stubs
    )
