"""The package's exports: what type checkers see is what `import purepax` gives."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import purepax as px

INIT = Path(px.__file__)


def _typed_exports() -> set[str]:
    tree = ast.parse(INIT.read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If))
    # `from . import nn as nn` binds a subpackage (imported on first use), not an export.
    imports = [
        node
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module is not None
    ]
    return {alias.asname or alias.name for node in imports for alias in node.names}


def test_every_typed_export_is_exported_at_run_time_and_back():
    assert _typed_exports() == set(px.__all__)
    for name in px.__all__:
        assert getattr(px, name).__name__ == name


def test_unknown_name_is_an_attribute_error():
    try:
        px.no_such_name  # type: ignore[attr-defined]
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_loading_the_mypy_plugin_does_not_import_jax():
    code = "import sys, purepax.mypy_plugin; print('jax' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# The versions pyproject.toml claims, and where purepax touches JAX's trace machinery.

ROOT = INIT.parent.parent.parent  # src/purepax/__init__.py
PACKAGE = INIT.parent


def _project() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_installed_python_and_dependencies_are_in_the_declared_range():
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    project = _project()
    python = Version(".".join(map(str, sys.version_info[:3])))
    assert python in Requirement(f"python{project['requires-python']}").specifier, (
        f"Python {python} is outside requires-python {project['requires-python']}"
    )
    checked = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        installed = Version(version(requirement.name))
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"{requirement.name} {installed} is installed, outside the declared {requirement}"
        )
        checked.append(requirement.name)
    assert {"jax", "jaxlib"} <= set(checked)


def test_the_version_is_written_once_and_installed_as_written():
    from importlib.metadata import version

    project = _project()
    assert "version" not in project and "version" in project["dynamic"], (
        "the version belongs in purepax/_version.py"
    )
    assert version("purepax") == px.__version__, (
        f"the installed metadata says {version('purepax')}, purepax/_version.py {px.__version__}: "
        "reinstall (`pip install -e '.[dev]'`)"
    )


def _jax_trace_modules_used(tree: ast.AST) -> set[str]:
    """The modules among `jax.core`, `jax.extend*` and `jax._src*` that `tree` reaches."""
    watched = ("jax.core", "jax.extend", "jax._src")
    used = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module is not None
            and node.level == 0
        ):
            names = [node.module] + [
                f"{node.module}.{alias.name}" for alias in node.names
            ]
        elif isinstance(node, ast.Attribute):
            parts = []
            value: ast.expr = node
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                names = [".".join([value.id, *reversed(parts)])]
        used.update(
            w
            for name in names
            for w in watched
            if name == w or name.startswith(w + ".")
        )
    return used


def test_only_the_trace_engine_touches_jax_core_and_no_file_touches_jax_src():
    users = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        used = _jax_trace_modules_used(ast.parse(path.read_text()))
        if used:
            users[path.relative_to(PACKAGE).as_posix()] = used
    assert not any("jax._src" in used for used in users.values()), (
        f"jax._src used: {users}"
    )
    assert set(users) == {"_trace.py"}, (
        f"jax.core / jax.extend are used outside purepax/_trace.py: {users}; "
        "JAX moves these between versions, so every access belongs in _trace.py"
    )


def test_the_scan_finds_each_spelling_of_a_jax_core_access():
    spellings = {
        "import jax.core": {"jax.core"},
        "from jax.core import Tracer": {"jax.core"},
        "from jax import core": {"jax.core"},
        "import jax\njax.extend.core.find_top_trace(())": {"jax.extend"},
        "from jax._src import core": {"jax._src"},
        "import jax\njax.tree_util.tree_leaves(1)": set(),
    }
    for code, expected in spellings.items():
        assert _jax_trace_modules_used(ast.parse(code)) == expected, code
