"""purepax's files import each other one way: no import cycle, no hidden dependency.

The graph is read from the source (the AST of every file under `src/purepax`), not from
a running interpreter, so it holds every import: at the top of a file, under
`TYPE_CHECKING`, and inside a function (a deferred import that hides a cycle counts).
A package's `__init__.py` only re-exports its files: an import of a name from a package
is followed to the file that defines it. The mypy plugin is a package apart (it imports
only mypy) and is left out.
"""

from __future__ import annotations

import ast
import importlib.util
import pathlib
import textwrap

import pytest

_spec = importlib.util.find_spec("purepax")
assert _spec is not None and _spec.origin is not None
SOURCE = pathlib.Path(_spec.origin).parent
SKIPPED = ("mypy_plugin",)


def _module_names(root: pathlib.Path, package: str) -> dict[str, pathlib.Path]:
    """Every file of the package under `root`, by dotted name (`purepax._module`); a
    package's `__init__.py` under the package's name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] in SKIPPED:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join((package, *parts))] = path
    return names


def _is_package(path: pathlib.Path) -> bool:
    return path.name == "__init__.py"


def _imports(name: str, path: pathlib.Path) -> list[tuple[str, str | None]]:
    """`(module, imported name or None)` for every import in the file, absolute, at any depth."""
    package = name if _is_package(path) else name.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.extend((module, alias.name) for alias in node.names)
    return found


def import_graph(root: pathlib.Path, package: str) -> dict[str, set[str]]:
    """Which files of the package each file imports (re-exports followed to their file)."""
    files = _module_names(root, package)

    def target(module: str, imported: str | None) -> str | None:
        if imported is not None and f"{module}.{imported}" in files:
            return (
                f"{module}.{imported}"  # `from . import _containers`: the file itself
            )
        if module in files and imported is not None and _is_package(files[module]):
            # A name a package's __init__ re-exports: the file it comes from.
            for source, name in _imports(module, files[module]):
                if name == imported and source in files:
                    return source
        return module if module in files else None

    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        if _is_package(path):
            continue  # re-exports only
        graph[name] = {
            t
            for module, imported in _imports(name, path)
            if (t := target(module, imported)) and t != name
        }
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (`[a, b, a]`), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for other in sorted(graph.get(node, ())):
            cycle = visit(other)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def assignments_into_other_modules(root: pathlib.Path, package: str) -> list[str]:
    """`file:line: target` for every assignment (or `setattr`) that writes an attribute of
    another of the package's modules, such as `_containers.module_types = ...`."""
    files = _module_names(root, package)
    found = []
    for name, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        package_of = name if _is_package(path) else name.rpartition(".")[0]
        modules: set[str] = set()  # local names bound to modules of the package
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = (
                    package_of.split(".")[: len(package_of.split(".")) - node.level + 1]
                    if node.level
                    else []
                )
                module = ".".join([*base, *([node.module] if node.module else [])])
                modules.update(
                    a.asname or a.name
                    for a in node.names
                    if f"{module}.{a.name}" in files
                )
            elif isinstance(node, ast.Import):
                modules.update(
                    a.asname for a in node.names if a.asname and a.name in files
                )
        for node in ast.walk(tree):
            written: list[
                tuple[ast.expr, str]
            ] = []  # (the module object, what is written)
            if isinstance(node, ast.Assign):
                written = [
                    (t.value, f".{t.attr}")
                    for t in node.targets
                    if isinstance(t, ast.Attribute)
                ]
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(
                node.target, ast.Attribute
            ):
                written = [(node.target.value, f".{node.target.attr}")]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
            ):
                written = [(node.args[0], " (setattr)")] if node.args else []
            for value, what in written:
                if isinstance(value, ast.Name) and value.id in modules:
                    found.append(
                        f"{path.relative_to(root)}:{node.lineno}: {value.id}{what}"
                    )
    return found


def test_purepax_files_import_each_other_without_a_cycle():
    graph = import_graph(SOURCE, "purepax")
    # The graph is read at all (a sample of edges that exist, one of them through a
    # package's re-exports), so that an empty graph cannot pass.
    assert "purepax._tree_check" in graph["purepax._module"]
    assert "purepax._module_marker" in graph["purepax._containers"]
    assert "purepax._module" in graph["purepax.nn._linear"]
    cycle = find_cycle(graph)
    assert cycle is None, (
        "purepax's files import each other in a cycle: " + " -> ".join(cycle or ())
    )


def test_the_module_marker_is_a_leaf():
    # Lower files recognise modules through it; it may import nothing of purepax.
    assert import_graph(SOURCE, "purepax")["purepax._module_marker"] == set()


def test_no_purepax_file_assigns_into_another_files_namespace():
    # A dependency the import graph cannot show: `_containers.module_types = (Module,)`.
    assert assignments_into_other_modules(SOURCE, "purepax") == []


def _package(tmp_path: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


@pytest.mark.parametrize(
    "b",
    [
        "from .a import f\n",
        "def g():\n    from .a import f\n",  # deferred into a function
        "def g():\n    from . import a\n",
        "def g():\n    import pkg.a as a\n",
        "def g():\n    from .sub import h\n",  # through sub/__init__.py's re-export of sub/_c.py
    ],
    ids=[
        "top level",
        "in a function",
        "from package import file",
        "absolute",
        "re-exported",
    ],
)
def test_a_cycle_is_found_and_named(tmp_path, b):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import g\ndef f(): pass\n",
            "b.py": b,
            "sub/__init__.py": "from ._c import h as h\n",
            "sub/_c.py": "from ..a import f\ndef h(): pass\n",
        },
    )
    cycle = find_cycle(import_graph(root, "pkg"))
    assert (
        cycle is not None and cycle[0] == cycle[-1] and {"pkg.a", "pkg.b"} <= set(cycle)
    )


def test_an_assignment_into_another_file_is_found(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "_containers.py": "module_types = ()\n",
            "_module.py": "from . import _containers\n_containers.module_types = (int,)\n",
            "_other.py": "import pkg._containers as c\ndef f():\n    setattr(c, 'x', 1)\n",
        },
    )
    assert assignments_into_other_modules(root, "pkg") == [
        "_module.py:2: _containers.module_types",
        "_other.py:3: c (setattr)",
    ]
