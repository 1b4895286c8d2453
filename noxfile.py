"""The supported range, tested at both ends: `nox` runs the README's test command on the
oldest and on the newest supported Python and JAX, and the plugin's corpus on the oldest
and the newest supported mypy.

    nox                      # every session below
    nox -s tests             # the suite at both ends of the range
    nox -s mypy_plugin       # the plugin's corpus, oldest and newest mypy
    nox -l                   # list the sessions

The oldest end installs every runtime dependency of `pyproject.toml` at the lower bound it
declares (`jax>=0.4.36` installs `jax==0.4.36`, and so on), on the oldest Python that
`requires-python` admits, so that each bound `pyproject.toml` claims is tested. The newest
end installs the newest JAX (pinned below) on the newest Python, and the newest release of
everything else.

Each session needs its Python on PATH as `python3.X`. With pyenv, make them all visible
first, e.g. `export PYENV_VERSION=3.13.0:3.10.13:3.11.7`. `.ci/run` runs the same test
command on the newest versions only, in the project's own `.venv`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nox

if sys.version_info >= (3, 11):
    import tomllib
else:  # nox itself depends on tomli on Python 3.10
    import tomli as tomllib

nox.options.sessions = ["tests", "mypy_plugin"]
nox.options.error_on_missing_interpreters = True

# The newest end: (Python, JAX); jaxlib is pinned to the same version. stubs/ mirrors this
# JAX (tests/test_stubs.py checks that the two agree).
NEWEST = ("3.13", "0.10.2")

# The oldest and the newest mypy the plugin supports.
MYPY_VERSIONS = ("1.13.0", "2.4.1")

_PROJECT = tomllib.loads((Path(__file__).parent / "pyproject.toml").read_text())["project"]
_LOWER_BOUND = re.compile(r"\s*(?P<name>[A-Za-z0-9_.-]+)\s*>=\s*(?P<version>[0-9][0-9A-Za-z.]*)\s*(,.*)?")


def _lower_bound(requirement: str) -> tuple[str, str]:
    match = _LOWER_BOUND.fullmatch(requirement)
    if match is None:
        raise ValueError(f"pyproject.toml: {requirement!r} does not start with a `>=` lower bound")
    return match["name"], match["version"]


OLDEST_PYTHON = ".".join(_lower_bound(f"python{_PROJECT['requires-python']}")[1].split(".")[:2])
# Every runtime dependency at its lower bound: {"jax": "0.4.36", "jaxlib": "0.4.36", ...}.
OLDEST_PINS = dict(_lower_bound(requirement) for requirement in _PROJECT["dependencies"])
OLDEST = (OLDEST_PYTHON, OLDEST_PINS["jax"])

_MATRIX = {
    OLDEST: [f"{name}=={version}" for name, version in OLDEST_PINS.items()],
    NEWEST: [f"jax=={NEWEST[1]}", f"jaxlib=={NEWEST[1]}"],
}


@nox.session
@nox.parametrize(
    ("python", "jax"),
    [nox.param(python, jax, id=f"py{python}-jax{jax}") for python, jax in _MATRIX],
)
def tests(session: nox.Session, jax: str) -> None:
    """The README's test command (pytest, then the project's own mypy check)."""
    pins = _MATRIX[(str(session.python), jax)]
    session.install("-e", ".[dev]", *pins)
    session.run("python", "-m", "pip", "list", silent=False)
    session.run("python", "-m", "pytest", "-q", *session.posargs)
    session.run("python", "-m", "mypy")


@nox.session(python=NEWEST[0])
@nox.parametrize("mypy", list(MYPY_VERSIONS))
def mypy_plugin(session: nox.Session, mypy: str) -> None:
    """The mypy plugin's corpus (tests/mypy) under one supported mypy."""
    session.install("-e", ".[dev]", f"jax=={NEWEST[1]}", f"jaxlib=={NEWEST[1]}", f"mypy=={mypy}")
    session.run("python", "-m", "pytest", "-q", "tests/mypy", *session.posargs)
