"""The installed package as a user's type checker sees it: mypy run from outside the checkout.

An editable install that is an import hook is invisible to mypy (it cannot run the hook):
`import purepax` is then "not found", or with `ignore_missing_imports` every module type
is `Any` and the plugin checks nothing. The src layout makes the editable install a plain
path entry, so a project anywhere on the machine sees purepax's real types and the plugin.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import purepax as px

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = textwrap.dedent(
    """
    import jax
    import jax.numpy as jnp
    from jaxtyping import Array, Float

    import purepax as px


    class Scale(px.Module):
        w: Float[Array, ""] = px.param()

        def __call__(self, x: Array) -> Array:
            return self.w * x


    model = Scale(w=jnp.array(2.0))
    reveal_type(model)
    reveal_type(px.jit)


    @jax.jit
    def step(x: Array) -> Array:
        return model(x)
    """
)


def test_mypy_outside_the_checkout_sees_purepax_and_runs_the_plugin(
    tmp_path: Path,
) -> None:
    assert not Path(px.__file__).resolve().is_relative_to(tmp_path)
    (tmp_path / "user_program.py").write_text(PROGRAM)
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = purepax.mypy_plugin\n")
    # A clean environment: nothing of the checkout on the path, the user's own folder as cwd.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            "user_program.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout + result.stderr
    assert "Cannot find implementation or library stub" not in out, out
    assert 'Revealed type is "user_program.Scale"' in out, out
    assert "purepax-closure" in out, out  # the plugin ran on the user's file
    assert str(ROOT) not in out.replace(str(tmp_path), ""), (
        out
    )  # no messages about purepax's own files
    lines = [line for line in out.splitlines() if ": error:" in line]
    assert len(lines) == 1 and "user_program.py:23" in lines[0], out


def test_the_mypy_extra_installs_the_range_the_plugin_supports_and_its_refusal_names_the_extra() -> (
    None
):
    from purepax.mypy_plugin import SUPPORTED, plugin

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
        import tomli as tomllib
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert extras["mypy"] == [f"mypy{SUPPORTED}"]
    with pytest.raises(RuntimeError, match=re.escape("pip install 'purepax[mypy]'")):
        plugin("2.5.0")
