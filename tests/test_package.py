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
    return {alias.asname or alias.name for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names}


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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
