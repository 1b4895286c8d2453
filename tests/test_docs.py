"""Every code block in docs/ and the README runs, so the docs cannot rot.

Conventions (see docs/index.md):
- a ```python block runs, in order, in one namespace per page (a real module, so
  classes defined there behave as they do in a file);
- ```python norun is shown but not run: code of another library that cannot run on
  today's JAX (PAX, in docs/migrating/pax.md);
- ```python raises=ErrorName runs and must raise that error (a purepax error, or a
  builtin one);
- a ```text block right after a python block is that block's expected output;
- blocks in other languages (bash, ini, ...) are not run;
- a page that starts with `<!-- requires jax>=X.Y -->` is skipped on an older JAX (it
  shows APIs that JAX added in X.Y); the same holds for any other package
  (`<!-- requires flax>=0.11 -->`: a migration guide that runs that library's code).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import re
import sys
import types
from pathlib import Path

import pytest

import purepax as px

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, dict[str, str], str]]:
    """(language, options, code) of every fenced block of a page, in order."""
    found = []
    for match in FENCE.finditer(text):
        language, *options = match.group(1).split()
        flags = dict(o.split("=", 1) if "=" in o else (o, "") for o in options)
        found.append((language, flags, match.group(2)))
    return found


def expected_error(name: str) -> type[BaseException]:
    error = getattr(px, name, None) or getattr(builtins, name, None)
    assert isinstance(error, type) and issubclass(error, BaseException), (
        f"unknown error {name}"
    )
    return error


REQUIRES = re.compile(r"\A<!-- requires (\w+)>=([\d.]+) -->")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_runs(page: Path) -> None:
    text = page.read_text()
    needs = REQUIRES.match(text)
    if needs:
        package, minimum = needs.groups()
        if _version(pytest.importorskip(package).__version__) < _version(minimum):
            pytest.skip(f"{page.name} shows APIs of {package} {minimum} and newer")
    page_blocks = blocks(text)
    name = "docs_" + re.sub(r"\W", "_", page.stem)
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        for i, (language, options, code) in enumerate(page_blocks):
            if language != "python" or "norun" in options:
                continue
            where = f"{page.name}, python block {i + 1}:\n{code}"
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                if "raises" in options:
                    with pytest.raises(expected_error(options["raises"])):
                        exec(
                            compile(code, f"{page.name}[{i + 1}]", "exec"),
                            module.__dict__,
                        )
                else:
                    exec(
                        compile(code, f"{page.name}[{i + 1}]", "exec"), module.__dict__
                    )
            following = page_blocks[i + 1] if i + 1 < len(page_blocks) else None
            if following is not None and following[0] == "text":
                got = [line.rstrip() for line in output.getvalue().strip().splitlines()]
                want = [line.rstrip() for line in following[2].strip().splitlines()]
                assert got == want, f"{where}\nprinted {got}, the page shows {want}"
    finally:
        del sys.modules[name]
