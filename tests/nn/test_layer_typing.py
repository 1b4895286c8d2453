"""Every public layer of `purepax.nn` type-checks as users write it, under mypy and pyright.

`typing_cases/every_layer.py` builds and calls every layer as the docstrings and
docs/layers.md do. It is correct code (it runs), so a type checker must report nothing
on it, and each `reveal_type` must reveal the type in its `# revealed:` comment (short
names: mypy's `purepax.nn._conv.Conv2d` is `Conv2d`). Checked by mypy with the project's
`mypy.ini` (strict, plugin on), by mypy as a user runs it (a bare config from another
folder, with and without the purepax plugin), and by pyright (standard mode, without this
repository's stubs overlay).

A layer class that defines no `__init__` of its own is a trap here: at run time it keeps
its parent's custom `__init__` (`_module.py`), but PEP 681 tells type checkers to
synthesize one from the fields. So every such layer spells out its own `__init__`;
`test_signature_matches_implementation` keeps those copies equal to the one they call.

The second half checks the class-scoped dimension names: which names each layer takes
from its constructor (a table, against the annotations), that the construction check
binds every one a field uses, and the binding on user modules.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import pytest
from _checkers import (
    Finding,
    assert_mypy_ran,
    in_file,
    mypy_findings,
    revealed_type,
    run_pyright,
    unqualified,
)
from jaxtyping import Array, Float

import purepax as px
from purepax import nn
from purepax.nn._conv import _Convolution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASE = HERE / "typing_cases" / "every_layer.py"
REVEALED = re.compile(r"^\s*reveal_type\(.*#\s*revealed:\s*(.+?)\s*$")


def expected_reveals() -> dict[int, str]:
    lines = CASE.read_text().splitlines()
    found = {
        n: m.group(1) for n, line in enumerate(lines, 1) if (m := REVEALED.search(line))
    }
    assert len(found) >= 10, "the case file lost its `# revealed:` marks"
    return found


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def user_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}


def findings(found: list[Finding], path: Path) -> tuple[list[str], dict[int, str]]:
    """The errors and warnings reported on `path`, and its revealed types by line."""
    errors, reveals = [], {}
    for finding in in_file(found, path):
        revealed = revealed_type(finding)
        if revealed is not None:
            reveals[finding.line] = unqualified(revealed)
        elif finding.severity in ("error", "warning"):
            errors.append(
                f"{finding.line}: {finding.severity}: {finding.message}  [{finding.code}]"
            )
    return errors, reveals


def user_folder(tmp_path: Path, config: str) -> Path:
    """A folder as a user has one: their program and their own mypy config, nothing else."""
    folder = tmp_path / "user"
    folder.mkdir()
    shutil.copy(CASE, folder / CASE.name)
    (folder / "mypy.ini").write_text(config)
    return folder


MYPY_RUNS = {
    "project-config": None,
    "user-config-plugin": "[mypy]\nplugins = purepax.mypy_plugin\n",
    "user-config-no-plugin": "[mypy]\n",
}


@pytest.mark.parametrize("config", MYPY_RUNS)
def test_mypy_reports_nothing(config: str, tmp_path: Path) -> None:
    user_config = MYPY_RUNS[config]
    common = [
        "--no-pretty",
        "--no-error-summary",
        "--show-absolute-path",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    if user_config is None:
        cwd, path = ROOT, CASE
        args = ["--strict", "--config-file", str(ROOT / "mypy.ini"), *common, str(path)]
    else:
        cwd = user_folder(tmp_path, user_config)
        path = cwd / CASE.name
        args = [*common, CASE.name]
    done = run([sys.executable, "-m", "mypy", *args], cwd)
    assert_mypy_ran(done.stdout, done.stderr, done.returncode)
    errors, reveals = findings(mypy_findings(done.stdout), path)
    assert errors == [], "\n".join(errors)
    assert reveals == expected_reveals(), done.stdout


def test_pyright_reports_nothing(tmp_path: Path) -> None:
    # The dev extra installs pyright: a missing one is a broken environment, not a skip.
    folder = tmp_path / "user"
    folder.mkdir()
    shutil.copy(CASE, folder / CASE.name)
    found = run_pyright(
        [folder / CASE.name],
        folder,
        {"typeCheckingMode": "standard"},
        env=user_environment(),
    )
    errors, reveals = findings(found, folder / CASE.name)
    listed = "\n".join(f"{f.line}: {f.severity}: {f.message}" for f in found)
    assert errors == [], listed
    assert reveals == expected_reveals(), listed


def test_case_runs() -> None:
    """The case file is correct code: it runs, and its own asserts hold."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(CASE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


SAME_SIGNATURE = [
    (getattr(nn, name), implementation)
    for implementation, names in [
        (
            _Convolution,
            [
                "Conv",
                "Conv1d",
                "Conv2d",
                "Conv3d",
                "ConvTranspose",
                "ConvTranspose1d",
                "ConvTranspose2d",
                "ConvTranspose3d",
            ],
        ),
        (
            nn.Pool,
            [
                "MaxPool",
                "MaxPool1d",
                "MaxPool2d",
                "MaxPool3d",
                "AvgPool",
                "AvgPool1d",
                "AvgPool2d",
                "AvgPool3d",
            ],
        ),
    ]
    for name in names
]


@pytest.mark.parametrize(
    ("cls", "implementation"), SAME_SIGNATURE, ids=lambda c: c.__name__
)
def test_signature_matches_implementation(cls: type, implementation: type) -> None:
    """A layer's own `__init__`, there for type checkers, takes exactly the arguments of the one it calls."""
    assert inspect.signature(cls.__init__) == inspect.signature(implementation.__init__)


@pytest.mark.parametrize(
    "name", sorted(n for n in dir(nn) if isinstance(getattr(nn, n), type))
)
def test_runtime_init_is_the_one_type_checkers_see(name: str) -> None:
    """A public layer has an `__init__` of its own, or uses the generated one, as PEP 681 says."""
    cls = getattr(nn, name)
    assert "__init__" in vars(cls) or not cls._purepax_custom_init, (
        f"nn.{name} inherits a custom __init__ at run time, but type checkers synthesize one "
        "from its fields: give it its own __init__ that calls the inherited one."
    )


# --- class-scoped dimension names -------------------------------------------------------
#
# In a module class, a dimension name (not variadic) equal to an `int` parameter of
# `__init__` is that argument's value for the instance (docs/layers.md, "Shapes named by
# the constructor"). The names are read here from the source, as the mypy plugin reads
# them: every annotation of a field, a method parameter or a return, in the class and the
# purepax classes it inherits from.

CONVOLUTIONS = [
    "Conv",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
]
CLASS_SCOPED: dict[str, set[str]] = {
    "Linear": {"in_features", "out_features"},
    "LoRALinear": {"in_features", "out_features", "rank"},
    "MLP": {"in_features", "out_features"},
    "Embedding": {"num_embeddings", "embedding_dim"},
    **{name: {"in_channels", "out_channels"} for name in CONVOLUTIONS},
    "GroupNorm": {"num_channels"},
    "BatchNorm": {"num_features"},
    **{
        name: {"input_size", "hidden_size"}
        for name in ["LSTMCell", "GRUCell", "LSTM", "GRU"]
    },
    "MultiHeadAttention": {"dim"},
    "RotaryPositionalEmbedding": {"dim"},
}
# Those of them that the layer's fields use (the construction check binds them).
IN_FIELDS: dict[str, set[str]] = {
    "Linear": {"in_features", "out_features"},
    "LoRALinear": {"in_features", "out_features", "rank"},
    "Embedding": {"num_embeddings", "embedding_dim"},
    # the kernel's input axis is in_channels // groups, a name of its own
    **{name: {"out_channels"} for name in CONVOLUTIONS},
    "GroupNorm": {"num_channels"},
    "BatchNorm": {"num_features"},
    "LSTMCell": {"input_size", "hidden_size"},
    "GRUCell": {"input_size", "hidden_size"},
}
# Class-scoped names that are no field of the layer (its cell holds them): the runtime
# cannot read them back, and no field of the layer names them.
NOT_FIELDS: dict[str, set[str]] = {
    "LSTM": {"input_size", "hidden_size"},
    "GRU": {"input_size", "hidden_size"},
}
SHAPE_PRESERVING = {"Identity", "Dropout", "LayerNorm", "RMSNorm"}

MODULE_CLASSES = sorted(
    name
    for name in dir(nn)
    if isinstance(getattr(nn, name), type) and issubclass(getattr(nn, name), px.Module)
)


def own_classes(cls: type) -> list[type]:
    """`cls` and the classes of purepax it inherits from, whose source declares its annotations."""
    return [k for k in cls.__mro__ if k.__module__.startswith("purepax.nn.")]


def class_source(cls: type) -> ast.ClassDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    found = tree.body[0]
    assert isinstance(found, ast.ClassDef)
    return found


def shape_strings(annotation: ast.expr | None) -> list[str]:
    """The shape strings of the jaxtyping arrays in an annotation (`Float[Array, "a b"]`)."""
    if annotation is None:
        return []
    return [
        node.slice.elts[1].value
        for node in ast.walk(annotation)
        if isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Tuple)
        and len(node.slice.elts) == 2
        and isinstance(node.slice.elts[1], ast.Constant)
        and isinstance(node.slice.elts[1].value, str)
    ]


def names_in(shape: str) -> set[str]:
    """The non-variadic dimension names of a shape string."""
    found = set()
    for dim in shape.split():
        dim = dim.lstrip("#")
        if dim.isidentifier() and not dim.startswith("_"):
            found.add(dim)
    return found


def annotated_names(cls: type) -> tuple[set[str], set[str]]:
    """The dimension names in the field annotations of `cls`, and in all its annotations."""
    fields: set[str] = set()
    everywhere: set[str] = set()
    for klass in own_classes(cls):
        for statement in class_source(klass).body:
            shapes: list[str] = []
            if isinstance(statement, ast.AnnAssign):
                shapes = shape_strings(statement.annotation)
                fields.update(*map(names_in, shapes))
            elif isinstance(statement, ast.FunctionDef):
                arguments = statement.args
                shapes = [
                    s
                    for a in [*arguments.args, *arguments.kwonlyargs]
                    for s in shape_strings(a.annotation)
                ] + shape_strings(statement.returns)
            everywhere.update(*map(names_in, shapes))
    return fields, everywhere


def int_parameters(cls: type) -> set[str]:
    """The parameters of `cls.__init__` annotated `int` (every module file here defers
    its annotations, so they are the strings of the source)."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {p.name for p in parameters if p.annotation in ("int", int)}


def class_scoped(cls: type) -> set[str]:
    return annotated_names(cls)[1] & int_parameters(cls)


@pytest.mark.parametrize("name", MODULE_CLASSES)
def test_each_layer_names_the_dimensions_of_its_constructor(name: str) -> None:
    """The table above is the convention: a rename that breaks it (a dimension called `in`
    where the argument is `in_features`) fails here."""
    assert class_scoped(getattr(nn, name)) == CLASS_SCOPED.get(name, set())


@pytest.mark.parametrize("name", MODULE_CLASSES)
def test_a_class_scoped_name_is_a_field_unless_listed(name: str) -> None:
    cls = getattr(nn, name)
    fields = {f.name for f in dataclasses.fields(cls)}
    assert class_scoped(cls) - fields == NOT_FIELDS.get(name, set())
    field_names, _ = annotated_names(cls)
    assert not field_names & NOT_FIELDS.get(name, set())


@pytest.mark.parametrize("name", MODULE_CLASSES)
def test_shape_preserving_layers_map_dims_to_dims(name: str) -> None:
    calls = [
        statement
        for klass in own_classes(getattr(nn, name))
        for statement in class_source(klass).body
        if isinstance(statement, ast.FunctionDef) and statement.name == "__call__"
    ]
    preserving = any(
        shape_strings(call.args.args[1].annotation) == ["*dims"]
        and shape_strings(call.returns) == ["*dims"]
        for call in calls
    )
    assert preserving == (name in SHAPE_PRESERVING)


KEY = jax.random.key(0)
# How to build one small instance of every layer whose fields name a class-scoped dimension.
SMALL_LAYERS: dict[str, Callable[[], px.Module]] = {
    "Linear": lambda: nn.Linear(2, 3, key=KEY),
    "LoRALinear": lambda: nn.LoRALinear(2, 3, rank=2, key=KEY),
    "Embedding": lambda: nn.Embedding(5, 3, key=KEY),
    "GroupNorm": lambda: nn.GroupNorm(2, 4),
    "BatchNorm": lambda: nn.BatchNorm(3),
    "LSTMCell": lambda: nn.LSTMCell(2, 3, key=KEY),
    "GRUCell": lambda: nn.GRUCell(2, 3, key=KEY),
    **{
        name: functools.partial(getattr(nn, name), 2, 4, 1, key=KEY)
        for name in CONVOLUTIONS
        if name[-1] == "d"
    },
}


@pytest.mark.parametrize("name", MODULE_CLASSES)
def test_each_layer_names_its_fields_dimensions_by_its_constructor(name: str) -> None:
    """A field that stops using a class-scoped name (`weight: "in out_features"`) fails here."""
    cls = getattr(nn, name)
    assert annotated_names(cls)[0] & class_scoped(cls) == IN_FIELDS.get(name, set())


BOUND = [
    (name, dimension)
    for name, names in IN_FIELDS.items()
    for dimension in sorted(names)
]


def test_every_class_scoped_name_of_a_field_is_exercised() -> None:
    assert {name for name, _ in BOUND} - {"Conv", "ConvTranspose"} == set(SMALL_LAYERS)


@pytest.mark.parametrize(("name", "dimension"), BOUND, ids=lambda v: v)
def test_a_field_that_contradicts_its_layers_size_is_refused(
    name: str, dimension: str
) -> None:
    """Each class-scoped name of a field is bound to the layer's own int at construction."""
    if name in ("Conv", "ConvTranspose"):
        name += "2d"  # base classes: built through a subclass
    layer = SMALL_LAYERS[name]()
    size = getattr(layer, dimension)
    assert px.replace(layer, **{dimension: size}) is not layer  # its own size: accepted
    with pytest.raises(px.FieldError, match=f"{dimension}={size + 1}"):
        px.replace(layer, **{dimension: size + 1})


def test_a_linear_whose_weight_has_another_input_width_is_refused() -> None:
    layer = nn.Linear(3, 4, key=jax.random.key(0))
    with pytest.raises(px.FieldError, match="parameter 'weight'"):
        px.replace(
            layer, weight=jnp.zeros((5, 4))
        )  # bias (4,) agrees: in_features does not
    assert px.replace(layer, weight=jnp.zeros((3, 4))).weight.shape == (3, 4)


# --- the binding on user modules --------------------------------------------------------


class Sized(px.Module):
    """A generated `__init__`: the int field `n` is a parameter of it."""

    n: int
    w: Float[Array, " n"]


class SizedByHand(px.Module):
    """A hand-written `__init__` whose int parameter is stored under its own name."""

    w: Float[Array, " n"]
    n: int = px.static()

    def __init__(self, n: int, w: jax.Array) -> None:
        self.n = n
        self.w = w


class SizeNotStored(px.Module):
    """An int parameter of `__init__` that no field keeps: the name stays per call."""

    w: Float[Array, " n"]
    b: Float[Array, " n"]

    def __init__(self, n: int, w: jax.Array) -> None:
        self.w = w
        self.b = jnp.zeros(w.shape)


class FieldNotParameter(px.Module):
    """An int field that `__init__` does not take: not class-scoped, the name stays per call."""

    w: Float[Array, " n"]
    n: int = px.static()

    def __init__(self, size: int) -> None:
        self.n = size + 1
        self.w = jnp.zeros(size)


class SizeOfAnyField(px.Module):
    """A size kept in a field annotated `Any` (so that the field itself is not checked)."""

    w: Float[Array, " n"]
    n: Any = px.static()

    def __init__(self, n: int, w: jax.Array) -> None:
        self.n = n
        self.w = w


def test_a_generated_init_binds_an_int_field_to_its_dimension() -> None:
    assert Sized(3, jnp.ones(3)).n == 3
    with pytest.raises(px.FieldError, match="parameter 'w'") as info:
        Sized(3, jnp.ones(4))
    assert "n=3" in str(info.value)


def test_a_hand_written_init_binds_the_field_of_its_int_parameter() -> None:
    assert SizedByHand(3, jnp.ones(3)).w.shape == (3,)
    with pytest.raises(px.FieldError, match="n=3"):
        SizedByHand(3, jnp.ones(4))


def test_an_int_parameter_that_no_field_keeps_is_left_per_call() -> None:
    assert SizeNotStored(3, jnp.ones(4)).w.shape == (4,)  # n is bound by w alone
    with pytest.raises(px.FieldError):
        px.replace(SizeNotStored(3, jnp.ones(4)), b=jnp.zeros(5))  # w and b still agree


def test_an_int_field_that_init_does_not_take_is_no_class_scoped_name() -> None:
    assert FieldNotParameter(3).n == 4  # w has 3 entries: n is w's, per call


def test_a_size_is_part_of_what_a_passing_check_remembers() -> None:
    """A check that passed is not run again for the same fingerprint: the sizes are in it,
    also from a field whose annotation (Any) is not checked itself."""
    Sized(3, jnp.ones(3))
    SizeOfAnyField(3, jnp.ones(3))
    with pytest.raises(px.FieldError):
        Sized(4, jnp.ones(3))
    with pytest.raises(px.FieldError):
        SizeOfAnyField(4, jnp.ones(3))


def test_a_size_that_is_no_int_leaves_the_name_per_call() -> None:
    assert SizeOfAnyField("three", jnp.ones(3)).w.shape == (3,)  # type: ignore[arg-type]
