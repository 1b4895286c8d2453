"""The mypy plugin, tested on whole programs: `corpus/bad_*.py`, `corpus/good_*.py`.

Each bad line carries its expected code as a trailing comment (`# E: purepax-mutation`);
good programs expect no purepax error at all. A bad program that only the runtime can
catch (a model of another width given to an optimizer: shapes are not types) carries no
mark, and its `# runtime:` line names the error the runtime raises. The whole corpus is checked in ONE mypy
run (mypy on JAX is slow), with a cache keyed on a hash of the plugin's source: mypy
replays cached errors of unchanged files even when a plugin submodule has changed,
so a cache shared across plugin versions could hide a regression.

Every program also runs: its first lines say what the runtime engine does with it
(`# runtime: ImmutableModuleError` must raise that purepax error, `# runtime: ok` must
run cleanly, `# runtime: silent` means the bug is one only the plugin sees and the
program runs); `# needs: px.NAME` skips the run while that transform is missing.

The corpus runs under whichever mypy the interpreter has: to check the plugin on another
mypy, run this file with a Python whose environment has that mypy (and jax, jaxtyping,
beartype), from the repository root: `/path/to/venv/bin/python -m pytest tests/mypy`.
`# needs-mypy: X.Y` marks a program that crashes mypy itself before X.Y (a mypy bug, with
or without the plugin): it is left out of the run on older mypy.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
from collections import Counter
from pathlib import Path

import mypy.version
import pytest
from _checkers import (
    CACHED,
    MYPY,
    assert_mypy_ran,
    cache_dir,
    mypy_findings,
    plugin_hash,
    run_mypy,
)

import purepax as px

# `run_mypy`, `cache_dir`, `plugin_hash` and `CACHED` live in tests/_checkers.py; they are
# imported here under the names other test files have used from this one.
__all__ = [
    "CACHED",
    "cache_dir",
    "errors_in",
    "parse",
    "plugin_hash",
    "run_mypy",
    "warm_cache",
]

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CODES = (
    "purepax-closure",
    "purepax-mutation",
    "purepax-unreturned",
    "purepax-key-reuse",
    # shapes are on by default: no program of this corpus may get a shape report
    "purepax-shape",
    "purepax-shape-strict",
)
MARK = re.compile(r"#\s*E:\s*([\w, -]+)$")
RUNTIME = re.compile(r"^# runtime: (\w+)", re.MULTILINE)
NEEDS = re.compile(r"^# needs: px\.(\w+)", re.MULTILINE)
NEEDS_MYPY = re.compile(r"^# needs-mypy: (\d+)\.(\d+)", re.MULTILINE)
PROGRAMS = sorted(CORPUS.rglob("bad_*.py")) + sorted(CORPUS.rglob("good_*.py"))


def mypy_too_old(program: Path) -> str | None:
    """Why this mypy cannot check `program` (it crashes on it), or None."""
    match = NEEDS_MYPY.search(program.read_text())
    if match and MYPY < (int(match.group(1)), int(match.group(2))):
        return f"mypy {mypy.version.__version__} crashes on {program.name} (fixed in mypy {match.group(1)}.{match.group(2)})"
    return None


def expected(path: Path) -> Counter[tuple[int, str]]:
    found: Counter[tuple[int, str]] = Counter()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = MARK.search(line)
        if match:
            for code in match.group(1).split(","):
                found[(number, code.strip())] += 1
    return found


def caught_at_runtime(path: Path) -> bool:
    """Whether the `# runtime:` line of `path` names an error the runtime raises."""
    match = RUNTIME.search(path.read_text())
    return match is not None and match.group(1) not in ("ok", "silent")


def parse(output: str) -> dict[Path, list[tuple[int, str, str, str]]]:
    """path -> [(line, kind, code, message)] of every purepax error or plugin note."""
    found: dict[Path, list[tuple[int, str, str, str]]] = {}
    for finding in mypy_findings(output):
        if finding.code in CODES or "purepax plugin" in finding.message:
            entry = (finding.line, finding.severity, finding.code, finding.message)
            found.setdefault(finding.file, []).append(entry)
    return found


def warm_cache(name: str) -> tuple[Path, Path]:
    """A work folder `name` and, in it, a fresh copy of the corpus's mypy cache (JAX and
    purepax already checked), for tests that edit files and check them again."""
    work = cache_dir(name)
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(cache_dir("corpus"), cache, dirs_exist_ok=True)
    return work, cache


def errors_in(output: str, path: Path) -> list[tuple[int, str]]:
    """(line, error code) of what mypy's `output` reports in `path`."""
    return [(line, code) for line, _, code, _ in parse(output).get(path.resolve(), [])]


@pytest.fixture(scope="session")
def corpus_report() -> dict[Path, list[tuple[int, str, str, str]]]:
    stdout, stderr, status = run_mypy(
        [p for p in PROGRAMS if not mypy_too_old(p)], cache_dir("corpus")
    )
    assert_mypy_ran(stdout, stderr, status)
    return parse(stdout)


def test_corpus_size() -> None:
    bad = [p for p in PROGRAMS if p.name.startswith("bad_")]
    good = [p for p in PROGRAMS if p.name.startswith("good_")]
    assert len(bad) >= 40 and len(good) >= 40, (len(bad), len(good))
    assert all(expected(p) or caught_at_runtime(p) for p in bad), [
        p.name for p in bad if not expected(p) and not caught_at_runtime(p)
    ]
    assert not any(expected(p) for p in good)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_static(
    program: Path, corpus_report: dict[Path, list[tuple[int, str, str, str]]]
) -> None:
    if reason := mypy_too_old(program):
        pytest.skip(reason)
    reported = corpus_report.get(program.resolve(), [])
    notes = [r for r in reported if r[1] == "note"]
    assert not notes, f"the plugin failed internally: {notes}"
    got = Counter((line, code) for line, _, code, _ in reported)
    want = expected(program)
    assert got == want, "\n".join(
        [f"missing: {sorted(want - got)}", f"unexpected: {sorted(got - want)}"]
        + [f"  {line}: [{code}] {msg}" for line, _, code, msg in reported]
    )


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_runtime(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = program.read_text()
    match = RUNTIME.search(text)
    assert match, f"{program.name} says nothing about its runtime behaviour"
    outcome = match.group(1)
    for name in NEEDS.findall(text):
        if not hasattr(px, name):
            pytest.skip(f"px.{name} does not exist yet")
    monkeypatch.syspath_prepend(str(program.parent))
    monkeypatch.syspath_prepend(str(CORPUS))
    if outcome in ("ok", "silent"):
        runpy.run_path(str(program), run_name="__corpus__")
    else:
        error = getattr(px, outcome)
        with pytest.raises(error):
            runpy.run_path(str(program), run_name="__corpus__")


def test_closure_messages_name_what_was_captured(
    corpus_report: dict[Path, list[tuple[int, str, str, str]]],
) -> None:
    """A closure error names the variable the user captured, then the submodule it reaches."""
    program = CORPUS / "bad_closure_captured_model_submodule.py"
    messages = {
        line: msg for line, _, _, msg in corpus_report.get(program.resolve(), [])
    }
    assert (
        'captures "self", which holds module "self.model" (a Tracked)' in messages[17]
    ), messages
    assert (
        'mutates captured module "model" (its submodule "model.counter", a Counter'
        in messages[21]
    ), messages


def test_a_bound_method_of_a_plain_object_is_named_with_the_module_it_reads(
    corpus_report: dict[Path, list[tuple[int, str, str, str]]],
) -> None:
    """The object and the module path are named as the caller reaches them (`trainer.model`, not `self.model`)."""
    program = CORPUS / "bad_closure_bound_method_plain_object.py"
    messages = {
        line: msg for line, _, _, msg in corpus_report.get(program.resolve(), [])
    }
    evaluate = 'Bound method "self.evaluate_batch" given to jax.jit captures "self", which holds module "self.model"'
    predict = 'Bound method "trainer.predict" given to jax.jit captures "trainer", which holds module "trainer.model"'
    assert f"{evaluate} (a Linear)" in messages[22], messages
    assert f"{predict} (a Linear)" in messages[38], messages
    assert (
        'Bound method "self.count" given to jax.vmap mutates module "self.counter" (a Counter'
        in messages[50]
    ), messages


XFILE_LIB = """\
import jax.numpy as jnp
import purepax as px


class Meter(px.StateModule):
    total: jnp.ndarray = px.state(default_factory=lambda: jnp.zeros(()))

    def add(self, x):
        self.total = self.total + x
        return x


def tally(meter, x):
    return meter.add(x)
"""
XFILE_MAIN = """\
import jax
import jax.numpy as jnp
from xf_lib import Meter, tally


def body(m: Meter, x):
    y = {call}
    return m, y


jax.lax.scan(body, Meter(), jnp.arange(3.0))
"""


def test_facts_survive_a_warm_cache() -> None:
    """Facts of a cached file (loaded without function bodies) still prove errors in a
    changed caller; and changing only the facts of the cached file re-checks the caller."""
    work, cache = warm_cache("xfile")
    lib, main = work / "xf_lib.py", work / "xf_main.py"
    lib.write_text(XFILE_LIB)
    main.write_text(XFILE_MAIN.format(call="m.add(x)"))

    first, _, _ = run_mypy([lib, main], cache, *CACHED)
    assert errors_in(first, main) == [(7, "purepax-mutation")], first
    # Only the caller changes: xf_lib comes from the cache, without bodies.
    main.write_text(XFILE_MAIN.format(call="tally(m, x)"))
    second, log, _ = run_mypy([lib, main], cache, "-v", *CACHED)
    assert "Metadata fresh for xf_lib" in log and "(xf_lib)" not in log, (
        "xf_lib was checked again"
    )
    assert errors_in(second, main) == [(7, "purepax-mutation")], second
    # Only the library changes (Meter.add stops mutating): the caller's stored error goes.
    lib.write_text(
        XFILE_LIB.replace("self.total = self.total + x", "print(self.total)")
    )
    third, log, _ = run_mypy([lib, main], cache, "-v", *CACHED)
    assert "xf_lib has changed interface" in log and "SCC singleton (xf_main)" in log
    assert errors_in(third, main) == [], third


def test_an_internal_error_is_one_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus_report: object
) -> None:
    """A bug in the plugin never crashes mypy: it is told once, as a note."""
    from purepax.mypy_plugin import _analysis

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(_analysis, "check_file", broken)
    cache = tmp_path / "cache"
    shutil.copytree(cache_dir("corpus"), cache)
    files = [tmp_path / "first.py", tmp_path / "second.py"]
    for path in files:
        path.write_text("import purepax as px\n\nprint(px.Module)\n")
    stdout, stderr, _ = run_mypy(files, cache)
    notes = [
        line
        for line in stdout.splitlines()
        if "purepax plugin: internal error (RuntimeError: boom)" in line
    ]
    assert len(notes) == 1 and "Traceback" not in stderr, stdout + stderr


CROSS_FILE = [
    CORPUS / "xpkg" / "bad_chain_scan.py",
    CORPUS / "bad_mutation_toplevel_helper.py",
    CORPUS / "bad_unreturned_untyped_helper.py",
]


# What mypy 2.0 made the default (local partial types) changes when bodies are checked.
ONE_PASS = (
    ["--no-local-partial-types"] if MYPY >= (2, 0) else []
)  # the default before 2.0


@pytest.mark.parametrize(
    "options", [["--cache-dir", os.devnull], ONE_PASS], ids=["no-cache", "one-pass"]
)
def test_facts_in_every_build_mode(options: list[str]) -> None:
    """Facts are taken before mypy frees function bodies, whether or not (and whenever)
    it writes its cache."""
    cache = cache_dir("mode-" + "-".join(o.strip("-/") for o in options))
    stdout, stderr, _ = run_mypy(CROSS_FILE, cache, *options)
    report = parse(stdout)
    for program in CROSS_FILE:
        got = Counter(
            (line, code) for line, _, code, _ in report.get(program.resolve(), [])
        )
        assert got == expected(program), stdout + stderr


XFILE_TRANSFORMED = """\
import functools

import jax
import jax.numpy as jnp
import purepax as px
from xf_lib import Meter, tally

jax.vmap(tally, in_axes=(None, 0))(Meter(), jnp.arange(3.0))
px.pure(tally)(Meter(), 1.0)
jax.lax.scan(tally, Meter(), jnp.arange(3.0))
jax.jit(functools.partial(tally, Meter()))(1.0)
"""


def test_cached_functions_given_to_transforms() -> None:
    """A function of a file loaded from the cache (no body, no parameters) given to a
    transform, to px.pure or to functools.partial: no internal error, and a module bound
    by functools.partial is still a capture."""
    work, cache = warm_cache("xfile-transformed")
    lib, main = work / "xf_lib.py", work / "xf_main.py"
    lib.write_text(XFILE_LIB)
    main.write_text("import xf_lib\n")
    run_mypy([lib, main], cache, *CACHED)
    main.write_text(
        XFILE_TRANSFORMED
    )  # only the caller changes: xf_lib comes from the cache
    stdout, stderr, _ = run_mypy([lib, main], cache, *CACHED)
    assert "internal error" not in stdout and "Traceback" not in stderr, stdout + stderr
    got = errors_in(stdout, main)
    assert got == [(11, "purepax-closure")], stdout


def test_unsupported_mypy_is_refused() -> None:
    """Outside the tested range, loading the plugin fails and names the supported versions."""
    from purepax.mypy_plugin import plugin
    from purepax.mypy_plugin._plugin import LegacyPurepaxPlugin, PurepaxPlugin

    for version in ("1.12.1", "2.5.0", "3.0", "nightly"):
        with pytest.raises(RuntimeError, match=re.escape("supports mypy>=1.13,<2.5")):
            plugin(version)
    assert (
        plugin("2.4.1") is PurepaxPlugin and plugin("2.4.0+dev.1a2b") is PurepaxPlugin
    )
    assert (
        plugin("1.13.0") is LegacyPurepaxPlugin
        and plugin("2.3.0") is LegacyPurepaxPlugin
    )
