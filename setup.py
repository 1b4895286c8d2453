"""The wheel carries the typed JAX overlay (`stubs/jax/`) beside purepax, for mypy and pyright.

Everything else about the build is in `pyproject.toml`; this file only adds, to a built
(not an editable) wheel:

    purepax-jax-overlay.pth                  one line, `purepax-jax-overlay`: that folder joins sys.path
    purepax-jax-overlay/jax-stubs/*.pyi      stubs/jax/, a PEP 561 stub package for `jax`
    purepax-jax-overlay/jax-stubs/py.typed   `partial`, without a newline

Both checkers then take `jax` and `jax.lax` from the stub package and every other JAX module
from JAX itself. Why a folder of its own and no newline: pyright merges a stub package it
reads as partial (`partial\\n`) into JAX's folder and hides the `.pyi` files JAX ships, and
one it reads as complete hides every JAX module it lacks when it sits beside JAX; mypy
reads the stripped text `partial` as partial. stubs/README.md ("How the wheel ships it")
has the probes. At run time the folder holds no importable name.

An editable install (`pip install -e .`) gets none of this: the checkout's `mypy.ini`
(`mypy_path = stubs`) and `pyproject.toml` (`[tool.pyright] stubPath`) read `stubs/` itself,
so mypy never sees two copies of the overlay.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

STUBS = Path(__file__).resolve().parent / "stubs" / "jax"
OVERLAY = "purepax-jax-overlay"


class BuildPyWithOverlay(build_py):
    """`build_py`, then the overlay's folder and `.pth` file beside the packages."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        root = Path(self.build_lib)
        target = root / OVERLAY / "jax-stubs"
        stubs = sorted(STUBS.rglob("*.pyi"))
        if not stubs:
            raise FileNotFoundError(
                f"no stubs in {STUBS}: the sdist must include stubs/ (MANIFEST.in)"
            )
        for stub in stubs:
            destination = target / stub.relative_to(STUBS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(stub.read_bytes())
        (target / "py.typed").write_text("partial")
        (root / f"{OVERLAY}.pth").write_text(f"{OVERLAY}\n")


setup(cmdclass={"build_py": BuildPyWithOverlay})
