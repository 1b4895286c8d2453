"""The installed package is visible to type checkers run from outside the checkout.

The editable install is a plain path entry (hatchling), which mypy follows; with an
import-hook finder (setuptools' default) mypy would not find purepax, every module type
would silently become Any, and the plugin would check nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = '''
import jax
import jax.numpy as jnp
import purepax as px
from jaxtyping import Array, Int


class Counter(px.StateModule):
    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x: Array) -> Array:
        self.count = self.count + 1
        return x


def scan_fn(c: Counter, x: Array) -> tuple[Counter, Array]:
    y = c(x)
    return c, y


jax.lax.scan(scan_fn, Counter(), jnp.arange(3))
reveal_type(px.purecall(Counter(), jnp.ones(2))[0])
'''


def test_mypy_with_the_plugin_from_another_folder(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text(PROGRAM)
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = purepax.mypy_plugin\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "prog.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout + result.stderr
    assert "import-not-found" not in out and "Cannot find implementation" not in out, out
    assert "[purepax-mutation]" in out, out  # the plugin saw the module types
    assert 'Revealed type is "prog.Counter"' in out, out
