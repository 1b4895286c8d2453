"""`px.summary`: a table of a model's submodules, their arrays and parameter counts."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from ._class_spec import spec_of
from ._errors import ArgumentError
from ._functional import parameters
from ._module import Module
from ._module_marker import is_module

_SHORT = {
    "float64": "f64",
    "float32": "f32",
    "float16": "f16",
    "bfloat16": "bf16",
    "int64": "i64",
    "int32": "i32",
    "int16": "i16",
    "int8": "i8",
    "uint64": "u64",
    "uint32": "u32",
    "uint16": "u16",
    "uint8": "u8",
    "bool": "bool",
    "complex64": "c64",
    "complex128": "c128",
}


def _describe(leaf: Any) -> tuple[str, int]:
    """`f32[3,4]` for an array (`key<threefry2x32>[2]` for PRNG keys), and its size."""
    dtype = getattr(leaf, "dtype", None)
    shape = tuple(getattr(leaf, "shape", ()))
    if dtype is None:
        return f"{type(leaf).__name__}", 1
    return _format(dtype, shape)


def _format(dtype: Any, shape: tuple[int, ...]) -> tuple[str, int]:
    if jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        name = str(dtype)
    else:
        name = _SHORT.get(np.dtype(dtype).name, np.dtype(dtype).name)
    return f"{name}[{','.join(str(n) for n in shape)}]", int(
        np.prod(shape, dtype=np.int64)
    )


def summary(module: Module) -> str:
    """A table of `module`'s submodules: path, class, arrays, and parameter counts.

    One row per module (the root first, then submodules in tree order), with the
    shapes and dtypes of the arrays it holds itself (`f32[3,4]`), its own number of
    parameters and of state values (a `px.Stacked` is one row: block type, number of
    blocks, the arrays of one block, per-block and total counts) (state, such as counters and running statistics, is
    not trained and is counted apart), then the totals. Counts are plain integers.

    **Arguments:**

    - `module`: any purepax module (concrete or from `jax.eval_shape`).

    **Returns:** the table, as a string ready to print.

    ```python
    print(px.summary(model))
    ```
    """
    if not isinstance(module, Module):
        raise ArgumentError(
            f"px.summary takes a purepax module, got {type(module).__name__}."
        )
    from ._stacked import (
        Stacked,  # a stack is one row (imported here: stacks build on modules)
    )

    param_paths = {
        keys for keys, _ in jax.tree_util.tree_flatten_with_path(parameters(module))[0]
    }
    rows: list[tuple[str, str, str, str, str]] = []
    totals = [0, 0]

    def visit_stack(m: Any, prefix: tuple[Any, ...]) -> None:
        # One row for the whole stack: block type, n, the arrays of one block, and the
        # counts of all blocks (per block in the module column).
        n = len(m)
        counts = [0, 0]
        arrays: list[str] = []
        for keys, leaf in jax.tree_util.tree_flatten_with_path(m.layers)[0]:
            path = (*prefix, jax.tree_util.GetAttrKey("layers"), *keys)
            is_param = path in param_paths
            text, size = _format(leaf.dtype, tuple(leaf.shape)[1:])
            counts[0 if is_param else 1] += size * n
            arrays.append(
                f"{jax.tree_util.keystr(keys).lstrip('.')}:{text}"
                + ("" if is_param else " (state)")
            )
        where = jax.tree_util.keystr(prefix).lstrip(".") or "(root)"
        per_block = counts[0] // n if n else 0
        module_text = (
            f"Stacked[{type(m.layers).__name__}] x{n} ({per_block} params per block)"
        )
        rows.append(
            (where, module_text, " ".join(arrays), str(counts[0]), str(counts[1]))
        )
        totals[0] += counts[0]
        totals[1] += counts[1]

    def visit(m: Module, prefix: tuple[Any, ...]) -> None:
        if isinstance(m, Stacked):
            visit_stack(m, prefix)
            return
        arrays: list[str] = []
        counts = [0, 0]
        children: list[tuple[Module, tuple[Any, ...]]] = []
        for name in spec_of(type(m)).dynamic_names(m):
            field_prefix = (*prefix, jax.tree_util.GetAttrKey(name))
            items = jax.tree_util.tree_flatten_with_path(
                m.__dict__[name], is_leaf=is_module
            )[0]
            for keys, leaf in items:
                path = (*field_prefix, *keys)
                if isinstance(leaf, Module):
                    children.append((leaf, path))
                    continue
                text, size = _describe(leaf)
                is_param = path in param_paths
                counts[0 if is_param else 1] += size
                label = jax.tree_util.keystr(keys).lstrip(".")
                arrays.append(
                    f"{name}{'.' if label and not label.startswith('[') else ''}{label}:{text}"
                    + ("" if is_param else " (state)")
                )
        where = jax.tree_util.keystr(prefix).lstrip(".") or "(root)"
        rows.append(
            (where, type(m).__name__, " ".join(arrays), str(counts[0]), str(counts[1]))
        )
        totals[0] += counts[0]
        totals[1] += counts[1]
        for child, path in children:
            visit(child, path)

    visit(module, ())
    header = ("path", "module", "arrays", "params", "state")
    rows.append(("total", "", "", str(totals[0]), str(totals[1])))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[i].ljust(widths[i]) for i in range(3)] + [
            row[i].rjust(widths[i]) for i in (3, 4)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(header), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])]
    note = (
        f"{totals[0]} parameters (trained) and {totals[1]} state values "
        "(not trained: counters, running statistics, PRNG keys), counted separately."
    )
    return "\n".join([*body, note])
