"""The supported range, tested at both ends: `nox` runs the README's test command on the
oldest and on the newest supported Python and JAX, and the plugin's corpus on the oldest
and the newest supported mypy.

    nox                      # every session below
    nox -s tests             # the suite, oldest and newest JAX
    nox -s mypy_plugin       # the plugin's corpus, oldest and newest mypy
    nox -l                   # list the sessions

Each session needs its Python on PATH as `python3.X`. With pyenv, make them all visible
first, e.g. `export PYENV_VERSION=3.13.0:3.10.13:3.11.7`. `.ci/run` runs the same test
command on the newest versions only, in the project's own `.venv`.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "mypy_plugin"]
nox.options.error_on_missing_interpreters = True

# (Python, JAX) at both ends of the supported range. jaxlib is pinned to the same version.
# The oldest: JAX 0.4.36 is the first whose `get_opaque_trace_state` identifies the trace
# itself (the "stackless" rewrite); JAX 0.7 dropped Python 3.10, hence two pairs.
OLDEST = ("3.10", "0.4.36")
NEWEST = ("3.13", "0.10.2")
JAX_MATRIX = (OLDEST, NEWEST)

# The oldest and the newest mypy the plugin supports.
MYPY_VERSIONS = ("1.13.0", "2.4.1")


@nox.session
@nox.parametrize(
    ("python", "jax"),
    [nox.param(python, jax, id=f"py{python}-jax{jax}") for python, jax in JAX_MATRIX],
)
def tests(session: nox.Session, jax: str) -> None:
    """The README's test command (pytest, then the project's own mypy check)."""
    session.install("-e", ".[dev]", f"jax=={jax}", f"jaxlib=={jax}")
    session.run("python", "-c", "import jax, sys; print('JAX', jax.__version__, 'on Python', sys.version)")
    session.run("python", "-m", "pytest", "-q", *session.posargs)
    session.run("python", "-m", "mypy")


@nox.session(python=NEWEST[0])
@nox.parametrize("mypy", list(MYPY_VERSIONS))
def mypy_plugin(session: nox.Session, mypy: str) -> None:
    """The mypy plugin's corpus (tests/mypy) under one supported mypy."""
    session.install("-e", ".[dev]", f"jax=={NEWEST[1]}", f"jaxlib=={NEWEST[1]}", f"mypy=={mypy}")
    session.run("python", "-m", "pytest", "-q", "tests/mypy", *session.posargs)
