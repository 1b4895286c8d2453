"""purepax as a user installs it: the wheel, in a fresh virtual environment outside the checkout.

`python -m build` makes the sdist and, from it, the wheel (so the sdist must hold all the
wheel is built from); the wheel goes into a new virtual environment with its `mypy` and
`optax` extras, and a small user project is then checked as docs/install.md says:

- mypy with only `plugins = purepax.mypy_plugin` in its configuration: `jax.jit` and
  `jax.grad` keep their types (the typed JAX overlay, installed with the wheel), the issue's
  `jax.lax.scan(lambda c, v: (c + v, c), 0.0, xs)` draws nothing, and the plugin reports
  the one planted closure, nothing else;
- pyright with no configuration, run as in an activated environment: the same types and
  no report at all;
- a file that uses optax, with the mypy configuration docs/install.md shows for it;
- and the project runs.

Several minutes (the environment is installed from the package index), hence `slow`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
INSTALL_PAGE = ROOT / "docs" / "install.md"

TRAIN = textwrap.dedent(
    """
    import jax
    import jax.numpy as jnp
    from jaxtyping import Array, Float
    from typing_extensions import reveal_type

    import purepax as px


    class Scale(px.Module):
        w: Float[Array, ""] = px.param()

        def __call__(self, x: jax.Array) -> jax.Array:
            return self.w * x


    def loss(model: Scale, x: jax.Array) -> jax.Array:
        return jnp.sum(model(x) ** 2)


    model = Scale(w=jnp.array(2.0))
    step = jax.jit(loss)
    reveal_type(step)  # jit
    reveal_type(jax.grad(loss))  # grad
    grads = jax.grad(loss)(model, jnp.ones(3))
    total, history = jax.lax.scan(lambda c, v: (c + v, c), 0.0, jnp.arange(4.0))


    @jax.jit
    def stale(x: jax.Array) -> jax.Array:
        return model(x)  # planted


    print(f"loss={float(step(model, jnp.ones(3))):.1f} grad={float(grads.w):.1f} total={float(total):.1f}")
    """
)

FIT = textwrap.dedent(
    """
    import jax
    import jax.numpy as jnp
    import optax

    import purepax as px
    from purepax.optim import Optimizer


    class Line(px.Module):
        slope: jax.Array = px.param()

        def __call__(self, x: jax.Array) -> jax.Array:
            return self.slope * x


    def loss(model: Line, x: jax.Array, y: jax.Array) -> jax.Array:
        return jnp.mean((model(x) - y) ** 2)


    @jax.jit
    def step(model: Line, optimizer: Optimizer, x: jax.Array, y: jax.Array) -> tuple[Line, Optimizer]:
        return optimizer.apply_gradients(model, jax.grad(loss)(model, x, y))


    model = Line(slope=jnp.array(0.0))
    optimizer = Optimizer(optax.sgd(0.1), model)
    xs = jnp.linspace(-1.0, 1.0, 16)
    for _ in range(200):
        model, optimizer = step(model, optimizer, xs, 3.0 * xs)
    print(f"slope={float(model.slope):.2f}")
    """
)

# What the checkers reveal with the overlay (JAX's own types: `JitWrapped`, `def (*Any, **Any) -> Any`).
MYPY_TYPES = {
    "jit": (
        'Revealed type is "jax._Jitted[[model: train.Scale, x: jax._src.basearray.Array], '
        'jax._src.basearray.Array]"'
    ),
    "grad": 'Revealed type is "def (train.Scale, x: jax._src.basearray.Array) -> train.Scale"',
}
PYRIGHT_TYPES = {
    "jit": 'Type of "step" is "_Jitted[(model: Scale, x: Array), Array]"',
    "grad": 'Type of "jax.grad(loss)" is "(Scale, x: Array) -> Scale"',
}


def _line(source: str, marker: str) -> int:
    return next(
        n
        for n, text in enumerate(source.splitlines(), start=1)
        if text.endswith(f"# {marker}")
    )


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    """The command's standard output; it must succeed."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{out[-6000:]}"
    )
    return result.stdout


def _user_env(venv: Path) -> dict[str, str]:
    """The environment of a user who activated `venv`: nothing of this checkout in it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "MYPYPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `python -m build` makes from the sdist of this checkout."""
    import build  # noqa: F401  (the dev extra installs it: its absence is a failure, not a skip)

    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=dist)
    (built,) = dist.glob("purepax-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no site packages, outside the checkout) with the wheel installed."""
    venv = tmp_path_factory.mktemp("user") / ".venv"
    assert not venv.resolve().is_relative_to(ROOT)
    _run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    _run([*pip, f"{wheel}[mypy,optax]"], cwd=venv.parent, env=_user_env(venv))
    return venv


@pytest.fixture(scope="module")
def project(venv: Path) -> Path:
    project = venv.parent / "project"
    project.mkdir()
    (project / "train.py").write_text(TRAIN)
    (project / "mypy.ini").write_text("[mypy]\nplugins = purepax.mypy_plugin\n")
    return project


def _mypy(venv: Path, project: Path, *files: str) -> list[str]:
    """mypy's messages (`file:line: severity: message`), run by the environment's own mypy.

    Every run shares one cache (mypy keeps each module's options with it), so that JAX is
    analysed once.
    """
    command = [
        str(venv / "bin" / "python"),
        "-m",
        "mypy",
        "--no-error-summary",
        "--no-pretty",
        "--show-error-codes",
    ]
    result = subprocess.run(
        [*command, "--cache-dir", str(venv.parent / "mypy_cache"), *files],
        cwd=project,
        env=_user_env(venv),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode in (0, 1) and not result.stderr, (
        result.stdout + result.stderr
    )
    return result.stdout.splitlines()


def _pyright(venv: Path, project: Path, *files: str) -> list[dict[str, Any]]:
    """pyright's diagnostics, run in the project with no configuration, the environment activated.

    pyright is a Node.js program that imports nothing of purepax: it asks the `python` on
    PATH (the user's environment) for its search paths, so this checkout's pinned pyright
    sees exactly what a user's pyright would.
    """
    pyright = shutil.which(
        "pyright", path=str(Path(sys.executable).parent)
    ) or shutil.which("pyright")
    if pyright is None:
        pytest.fail("pyright is not installed: `pip install -e '.[dev]'` installs it")
    assert not any(
        (project / name).exists() for name in ("pyrightconfig.json", "pyproject.toml")
    )
    result = subprocess.run(
        [pyright, "--outputjson", *files],
        cwd=project,
        env=_user_env(venv),
        capture_output=True,
        text=True,
        timeout=900,
    )
    diagnostics: list[dict[str, Any]] = json.loads(result.stdout)["generalDiagnostics"]
    return diagnostics


def _revealed(diagnostics: list[dict[str, Any]]) -> dict[int, str]:
    """pyright's `reveal_type` messages by line."""
    return {
        d["range"]["start"]["line"] + 1: d["message"]
        for d in diagnostics
        if d["severity"] == "information"
    }


def test_the_wheel_holds_the_licence_and_the_overlay(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    version = wheel.name.split("-")[1]
    assert (
        "Apache License"
        in archive.read(f"purepax-{version}.dist-info/licenses/LICENSE").decode()
    )
    overlay = {
        name for name in archive.namelist() if name.startswith("purepax-jax-overlay")
    }
    source = ROOT / "stubs" / "jax"
    stubs = {
        f"purepax-jax-overlay/jax-stubs/{p.relative_to(source)}"
        for p in source.rglob("*.pyi")
    }
    assert overlay == {
        "purepax-jax-overlay.pth",
        "purepax-jax-overlay/jax-stubs/py.typed",
        *stubs,
    }
    assert archive.read("purepax-jax-overlay.pth") == b"purepax-jax-overlay\n"
    assert (
        archive.read("purepax-jax-overlay/jax-stubs/py.typed") == b"partial"
    )  # see setup.py


def test_mypy_with_only_the_plugin_line_keeps_jax_types_and_reports_only_the_planted_closure(
    venv: Path, project: Path
) -> None:
    messages = _mypy(venv, project, "train.py")
    for marker, revealed in MYPY_TYPES.items():
        assert f"train.py:{_line(TRAIN, marker)}: note: {revealed}" in messages, (
            "\n".join(messages)
        )
    errors = [m for m in messages if ": error: " in m]
    assert len(errors) == 1, "\n".join(messages)
    assert errors[0].startswith(
        f"train.py:{_line(TRAIN, 'planted')}: error: "
    ) and errors[0].endswith("[purepax-closure]"), errors
    assert "Instead, pass it to the function as an explicit argument" in errors[0]


def test_pyright_with_no_configuration_keeps_jax_types_and_reports_nothing(
    venv: Path, project: Path
) -> None:
    diagnostics = _pyright(venv, project, "train.py")
    reports = [d for d in diagnostics if d["severity"] != "information"]
    assert not reports, json.dumps(reports, indent=1)
    revealed = _revealed(diagnostics)
    for marker, message in PYRIGHT_TYPES.items():
        assert revealed.get(_line(TRAIN, marker)) == message, revealed


def test_the_install_page_s_mypy_configuration_checks_an_optax_user_cleanly(
    venv: Path, project: Path
) -> None:
    (configuration,) = [
        block
        for block in re.findall(
            r"^```ini\n(.*?)^```", INSTALL_PAGE.read_text(), re.M | re.S
        )
        if "optax" in block
    ]
    folder = project.parent / "optax_project"
    folder.mkdir()
    (folder / "fit.py").write_text(FIT)
    (folder / "mypy.ini").write_text(configuration)
    assert _mypy(venv, folder, "fit.py") == []
    assert [
        d for d in _pyright(venv, folder, "fit.py") if d["severity"] != "information"
    ] == []
    assert (
        _run(
            [str(venv / "bin" / "python"), "fit.py"], cwd=folder, env=_user_env(venv)
        ).strip()
        == "slope=3.00"
    )


def test_the_project_runs(venv: Path, project: Path) -> None:
    out = _run(
        [str(venv / "bin" / "python"), "train.py"], cwd=project, env=_user_env(venv)
    )
    assert out.splitlines()[-1] == "loss=12.0 grad=12.0 total=6.0", out


def test_the_installed_metadata_carries_the_package_s_version(
    venv: Path, project: Path
) -> None:
    code = "import importlib.metadata, purepax; print(importlib.metadata.version('purepax'), purepax.__version__)"
    installed, package = _run(
        [str(venv / "bin" / "python"), "-c", code], cwd=project, env=_user_env(venv)
    ).split()
    assert installed == package


def test_deleting_the_pth_file_turns_the_overlay_off(venv: Path, project: Path) -> None:
    purelib = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        cwd=project,
    ).strip()
    pth = Path(purelib) / "purepax-jax-overlay.pth"
    kept = pth.read_bytes()
    pth.unlink()
    try:
        messages = _mypy(venv, project, "train.py")
        assert (
            f"train.py:{_line(TRAIN, 'jit')}: note: {MYPY_TYPES['jit']}" not in messages
        ), messages
        assert any(
            m.startswith(f"train.py:{_line(TRAIN, 'jit')}: note: Revealed type")
            for m in messages
        ), messages
        revealed = _revealed(_pyright(venv, project, "train.py"))
        assert revealed[_line(TRAIN, "jit")] != PYRIGHT_TYPES["jit"], revealed
    finally:
        pth.write_bytes(kept)
