"""The typed JAX overlays in `stubs/`: what mypy reveals through JAX's transforms.

One mypy run (mypy on JAX is slow) checks every case file in `tests/stubs_cases/` with the
project's `mypy.ini` (so `mypy_path = stubs`, and the purepax plugin when it is on), in a
fresh cache directory, and the test compares its output with the expectations written in
the case files:

    reveal_type(jax.jit(f))  # N: Revealed type is "..."
    jitted(x, "two")  # E: Argument 2 to "__call__" of "_Jitted" has ...  [arg-type]

A line that holds only such a comment (`# N: ...` or `# E: ...`) belongs to the closest
code line above it, which keeps long revealed types readable. Every case file must produce
exactly the messages it declares, and mypy must report nothing in `stubs/` itself.

Messages of the purepax plugin (codes `purepax-*`, notes "purepax plugin: ...") are left
to the plugin's own corpus tests: these cases check the overlays, with or without it.

A second test keeps the overlays in step with the installed JAX: they must export the
same public names as JAX's own `jax/__init__.py` and `jax/lax/__init__.py`, each bound to
the same object.
"""

import ast
import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from _checkers import MYPY, Finding, check_mypy, in_file

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "stubs_cases"
STUBS = ROOT / "stubs"

_MARKER = re.compile(r"#\s*([EN]):\s*")


def _expected_messages(path: Path) -> list[tuple[str, int, str, str]]:
    """The (file, line, severity, message) triples that `path` declares in its comments."""
    expected = []
    owner = 0
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        stripped = text.strip()
        continuation = _MARKER.match(stripped) is not None
        if not continuation and stripped and not stripped.startswith("#"):
            owner = number
        # Everything from the first marker on is expectations; `#` inside code is rare
        # enough in these files that the first marker is the start of the comment.
        first = _MARKER.search(text)
        if first is None:
            continue
        if continuation and owner == 0:
            raise AssertionError(
                f"{path.name}:{number}: an expectation with no code line above it"
            )
        parts = _MARKER.split(text[first.start() :])[1:]
        for kind, message in zip(parts[::2], parts[1::2]):
            severity = "error" if kind == "E" else "note"
            expected.append(
                (
                    path.name,
                    owner if continuation else number,
                    severity,
                    message.strip(),
                )
            )
    return expected


def _is_plugin_message(finding: Finding) -> bool:
    return finding.code.startswith("purepax-") or finding.message.startswith(
        "purepax plugin:"
    )


def _message(finding: Finding) -> str:
    """The message as the case files write it: with its `  [code]`, if it has one."""
    return f"{finding.message}  [{finding.code}]" if finding.code else finding.message


@pytest.fixture(scope="session")
def mypy_output(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[str, int, str, str]]:
    """mypy's messages on the case files and the stubs, from one run with a fresh cache."""
    messages = []
    for finding in check_mypy(
        sorted(CASES.glob("*.py")), tmp_path_factory.mktemp("mypy_cache")
    ):
        if _is_plugin_message(finding):
            continue
        if finding.file.is_relative_to(STUBS):
            messages.append(
                (
                    str(finding.file.relative_to(ROOT)),
                    finding.line,
                    finding.severity,
                    _message(finding),
                )
            )
        elif finding.file.is_relative_to(CASES):
            messages.append(
                (finding.file.name, finding.line, finding.severity, _message(finding))
            )
        # Anything else (purepax/ itself) is the project's own mypy check's business.
    return messages


UNCHANGED = "unchanged_cases.py"  # what the overlays must not change: JAX's own types


@pytest.mark.parametrize("case", [p.name for p in sorted(CASES.glob("*.py"))])
def test_case_file(
    mypy_output: list[tuple[str, int, str, str]],
    case: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if case == UNCHANGED:
        # What the overlays must not change is JAX's own types, whatever they are in this
        # environment (they vary with numpy's and Python's versions): compare with mypy
        # without the overlays. The notes in the file record them for the versions the
        # overlays were written for, and are compared with them there. With an older JAX,
        # the overlays re-export some names from where the newest JAX keeps them (mypy sees
        # Any there) and names JAX added since: there they must at least never make an
        # error of code that type-checks.
        plain = _messages_without_overlay(tmp_path_factory.mktemp("plain_cache"), case)
        with_overlay = [m for m in mypy_output if m[0] == case]
        if _installed_jax() >= WRITTEN_FOR:
            assert sorted(with_overlay) == sorted(plain), _difference(
                sorted(plain), sorted(with_overlay)
            )
            if (
                _installed_numpy() >= NOTES_WRITTEN_FOR_NUMPY
                and MYPY >= NOTES_WRITTEN_FOR_MYPY
            ):
                declared = sorted(_expected_messages(CASES / case))
                assert declared == sorted(with_overlay), _difference(
                    declared, sorted(with_overlay)
                )
        else:
            new_errors = [m for m in with_overlay if m[2] == "error" and m not in plain]
            assert not new_errors, (
                f"the overlays make these lines errors with JAX {_installed_jax()}: {new_errors}"
            )
        return
    expected = sorted(_expected_messages(CASES / case))
    actual = sorted(m for m in mypy_output if m[0] == case)
    if _installed_jax() < WRITTEN_FOR:
        # An older JAX: a name the overlays take from where the newest JAX keeps it may be
        # missing there, and what flows from it is Any. Revealed types may degrade to Any;
        # every expected error must still be reported, and nothing else may be.
        degraded = {
            (c, line)
            for c, line, sev, msg in actual
            if sev == "note" and '"Any"' in msg
        }
        expected = [
            m for m in expected if m[2] == "error" or (m[0], m[1]) not in degraded
        ]
        actual = [m for m in actual if m[2] == "error" or (m[0], m[1]) not in degraded]
    assert expected == actual, _difference(expected, actual)


def _difference(
    expected: list[tuple[str, int, str, str]], actual: list[tuple[str, int, str, str]]
) -> str:
    missing = [
        f"{c}:{line}: {sev}: {msg}"
        for c, line, sev, msg in expected
        if (c, line, sev, msg) not in actual
    ]
    unexpected = [
        f"{c}:{line}: {sev}: {msg}"
        for c, line, sev, msg in actual
        if (c, line, sev, msg) not in expected
    ]
    return (
        "mypy's output differs from the expectations.\n"
        + "Expected but not reported:\n  "
        + "\n  ".join(missing or ["(none)"])
        + "\nReported but not expected:\n  "
        + "\n  ".join(unexpected or ["(none)"])
    )


def _messages_without_overlay(
    cache_dir: Path, case: str
) -> list[tuple[str, int, str, str]]:
    config = cache_dir / "plain.ini"
    config.write_text("[mypy]\ncheck_untyped_defs = True\n")
    return [
        (case, f.line, f.severity, _message(f))
        for f in in_file(
            check_mypy([CASES / case], cache_dir, config=config), CASES / case
        )
    ]


def test_stubs_type_check_cleanly(mypy_output: list[tuple[str, int, str, str]]) -> None:
    in_stubs = [
        f"{path}:{line}: {sev}: {msg}"
        for path, line, sev, msg in mypy_output
        if path.startswith("stubs")
    ]
    # Also with the oldest supported JAX: a re-export that JAX added since, or keeps elsewhere
    # there, is marked `# type: ignore[attr-defined, import-not-found, unused-ignore]`.
    assert not in_stubs, "mypy reports problems in the overlays:\n" + "\n".join(
        in_stubs
    )


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _public_bindings(
    tree: ast.Module, *, explicit_only: bool
) -> dict[str, tuple[str, str] | None]:
    """The public names a module binds for mypy: name -> (module, name) for an import, else None.

    `explicit_only` keeps only `from m import x as x` imports (how a stub re-exports); for
    JAX's own `.py` files every import binds a name at run time, and `del` unbinds it.
    """
    names: dict[str, tuple[str, str] | None] = {}

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if explicit_only and alias.asname != alias.name:
                        continue
                    names[bound] = (node.module, alias.name)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names[node.name] = None
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names[node.target.id] = None
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = None
            elif isinstance(node, ast.Delete):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names.pop(target.id, None)
            elif isinstance(node, ast.If):
                # What mypy sees: the TYPE_CHECKING branch.
                negated = isinstance(node.test, ast.UnaryOp) and isinstance(
                    node.test.op, ast.Not
                )
                test = (
                    node.test.operand
                    if negated and isinstance(node.test, ast.UnaryOp)
                    else node.test
                )
                if _is_type_checking(test):
                    visit(node.orelse if negated else node.body)

    visit(tree.body)
    return {name: source for name, source in names.items() if not name.startswith("_")}


# The JAX release the overlays were written for: there they must match JAX exactly.
WRITTEN_FOR = (0, 10)
# Names that older supported JAX releases (from 0.4.36) export and the overlays, written for
# the newest, do not: JAX has removed them since. On an older JAX, mypy with the overlay
# reports them as missing (they are deprecated there); any other difference is drift.
REMOVED_SINCE = {
    "jax": {
        "custom_transpose",
        "enable_custom_vjp_by_custom_transpose",
        "spmd_mode",
        "tree_flatten",
        "tree_leaves",
        "tree_map",
        "tree_structure",
        "tree_transpose",
        "tree_unflatten",
        "treedef_is_leaf",
        "util",
    },
    "jax.lax": {
        "infeed",
        "infeed_p",
        "outfeed",
        "outfeed_p",
        "random_gamma_grad_p",
        "zeros_like_array",
    },
}


# unchanged_cases.py's notes spell JAX's own types with numpy's, as this mypy writes them
# (mypy 1.13 spells some differently); they were written with this numpy and mypy (and the
# JAX of WRITTEN_FOR), and are compared with mypy's output there.
NOTES_WRITTEN_FOR_NUMPY = (2, 4)
NOTES_WRITTEN_FOR_MYPY = (2, 4)


def _installed_numpy() -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", np.__version__)[:2])


def _installed_jax() -> tuple[int, ...]:
    import jax

    return tuple(int(p) for p in re.findall(r"\d+", jax.__version__)[:2])


@pytest.mark.parametrize(
    ("module", "stub"),
    [
        ("jax", STUBS / "jax" / "__init__.pyi"),
        ("jax.lax", STUBS / "jax" / "lax" / "__init__.pyi"),
    ],
)
def test_overlay_mirrors_installed_jax(module: str, stub: Path) -> None:
    runtime = importlib.import_module(module)
    assert runtime.__file__ is not None
    jax_names = _public_bindings(
        ast.parse(Path(runtime.__file__).read_text()), explicit_only=False
    )
    stub_names = _public_bindings(ast.parse(stub.read_text()), explicit_only=True)
    only_jax = set(jax_names) - set(stub_names)
    only_stub = set(stub_names) - set(jax_names)
    if _installed_jax() >= WRITTEN_FOR:
        drift = bool(only_jax or only_stub)
    else:  # an older JAX lacks what was added since, and has what was removed since
        drift = bool(only_jax - REMOVED_SINCE[module])
    assert not drift, (
        f"stubs/ was written for JAX {WRITTEN_FOR}; the installed JAX {sys.modules['jax'].__version__} "
        f"exports other names from {module}: update {stub.relative_to(ROOT)}.\n"
        f"Only in JAX: {sorted(only_jax)}\n"
        f"Only in the overlay: {sorted(only_stub)}"
    )
    for name, source in stub_names.items():
        if source is None or not hasattr(runtime, name):
            continue  # typed here, or (as in JAX) only visible to type checkers
        try:
            origin = importlib.import_module(source[0])
        except ImportError:
            assert _installed_jax() < WRITTEN_FOR, (
                f"{source[0]} (for {module}.{name}) does not import"
            )
            continue  # a module that JAX added since
        if not hasattr(origin, source[1]):
            assert _installed_jax() < WRITTEN_FOR, (
                f"{source[0]}.{source[1]} (for {module}.{name}) is missing"
            )
            continue
        assert getattr(origin, source[1]) is getattr(runtime, name), (
            f"{module}.{name} is not {source[0]}.{source[1]} in the installed JAX: "
            f"update {stub.relative_to(ROOT)}"
        )
