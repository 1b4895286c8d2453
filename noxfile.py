"""The version ranges `pyproject.toml` claims, tested (nox is the runner this ecosystem knows).

    .venv/bin/nox                     # the test suite on the oldest and the newest Python + JAX
    .venv/bin/nox -s mypy_plugin      # the plugin's corpus on the oldest and the newest mypy

`.ci/run` runs the README's test command on the newest only; these sessions are the slow
matrix (each builds a fresh virtual environment: several minutes apiece on 2 cores).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

# (Python, JAX) at both ends of what pyproject.toml claims. JAX 0.4.36 is the first release
# with `get_opaque_trace_state`, which the trace engine needs; JAX 0.10 dropped Python 3.10.
OLDEST = ("3.10", "0.4.36")
NEWEST = ("3.13", "0.10.2")
# The other runtime dependencies at the lower bounds pyproject.toml claims, in the oldest run.
LOWEST = (
    "jaxtyping==0.2.36",
    "beartype==0.19.0",
    "typing-extensions==4.12.2",
    "numpy==1.24.4",
    "safetensors==0.4.0",
)
# pyenv keeps the interpreters it installed off PATH until one is activated (its shims
# fail for the others): put those of the versions above where nox looks for them.
_PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
for _version in (OLDEST[0], NEWEST[0]):
    for _bin in sorted(_PYENV.glob(f"{_version}.*/bin"))[-1:]:
        os.environ["PATH"] = f"{_bin}{os.pathsep}{os.environ['PATH']}"

# The mypy range the plugin supports (purepax/mypy_plugin refuses to load outside it).
MYPY_VERSIONS = ("1.13.0", "2.4.1")


@nox.session
@nox.parametrize(("python", "jax"), [OLDEST, NEWEST], ids=["oldest", "newest"])
def tests(session: nox.Session, jax: str) -> None:
    """The README's test command: pytest (docs, examples and the plugin corpus included), then mypy."""
    lowest = LOWEST if jax == OLDEST[1] else ()
    session.install("-e", ".[dev]", f"jax=={jax}", f"jaxlib=={jax}", *lowest)
    session.run(
        "python",
        "-c",
        "import jax, sys; print('jax', jax.__version__, 'python', sys.version)",
    )
    session.run("python", "-m", "pytest", "-q", *session.posargs)
    # The overlays in stubs/ mirror the newest JAX; a re-export that the oldest lacks is
    # marked for mypy there (`Any`), so the same check runs at both ends.
    session.run("python", "-m", "mypy")


@nox.session(python=NEWEST[0])
@nox.parametrize("mypy", MYPY_VERSIONS)
def mypy_plugin(session: nox.Session, mypy: str) -> None:
    """The plugin's corpus (every bad program reported, every good one clean) under one mypy."""
    session.install("-e", ".[dev]", f"mypy=={mypy}")
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "tests/mypy",
        "tests/test_stubs.py",
        *session.posargs,
    )
