"""The first difference between two trees: where it is, and what each tree holds there.

Three checks explain a mismatch of two trees of modules, containers and arrays: a loop
body's carry that comes back changed (`px.scan`, ...), blocks that cannot be stacked
(`px.stack`), a model or gradient that an optimizer was not built for
(`Optimizer.apply_gradients`). JAX compares whole tree definitions and prints both;
this walks the trees together, module field by module field, and names the first path
that differs (`carry.counter.step`, `blocks[2].norm.scale`, `MLP.layers[0].weight`), a
static field included, and `in_words` says it in one sentence form for all three
checks, each naming its two trees in its own terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import jax
import jax.numpy as jnp

from ._class_spec import spec_of
from ._containers import ARRAY_TYPES, same_structure
from ._module_marker import is_module

Signature = tuple[tuple[tuple[int, ...], Any], ...]
"""The shape and dtype of each leaf of a tree, in the order JAX flattens it."""


class Difference(NamedTuple):
    """Where two trees first differ, and what each holds there.

    `kind` is `"value"` (`first` and `second` are the values at `path`: another module
    class, `None` where the other has an array, arrays of other shapes or dtypes),
    `"static"` (the values of a static field), `"length"` (the lengths of two tuples or
    lists) or `"keys"` (the sorted keys of two mappings).
    """

    path: str
    first: Any
    second: Any
    kind: Literal["value", "static", "length", "keys"] = "value"


def first_difference(a: Any, b: Any, path: str, *, shapes: bool) -> Difference | None:
    """The first place where trees `a` and `b` differ, or None where they do not.

    **Arguments:**

    - `a`, `b`: the trees, walked in `a`'s order of fields, items and keys.
    - `path`: the name of the trees' root (`"carry"`, `"blocks[2]"`, `"MLP"`).
    - `shapes`: compare the shapes and dtypes of array leaves too; otherwise only the
      tree structure counts (any two leaves are alike).

    **Returns:** a `Difference`, or None: also where the trees differ only inside a
    pytree node that is not a module, tuple, list or mapping (the caller falls back to
    comparing tree definitions).
    """
    if _alike(a, b, shapes):
        return None
    if is_module(a) and type(a) is type(b):
        spec = spec_of(type(a))
        dynamic_a, dynamic_b = spec.dynamic_names(a), spec.dynamic_names(b)
        for name in spec.fields:
            va, vb, where = a.__dict__[name], b.__dict__[name], f"{path}.{name}"
            if (name in dynamic_a) != (name in dynamic_b):
                return Difference(where, va, vb)
            if name in dynamic_a:
                found = first_difference(va, vb, where, shapes=shapes)
                if found:
                    return found
            elif not _same_static(va, vb):
                return Difference(where, va, vb, "static")
        return None
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        if len(a) != len(b):
            return Difference(path, len(a), len(b), "length")
        for i, (va, vb) in enumerate(zip(a, b)):
            found = first_difference(va, vb, f"{path}[{i}]", shapes=shapes)
            if found:
                return found
        return None
    if isinstance(a, Mapping) and type(a) is type(b):
        if set(a) != set(b):
            return Difference(path, sorted(map(str, a)), sorted(map(str, b)), "keys")
        for key in a:
            found = first_difference(a[key], b[key], f"{path}[{key!r}]", shapes=shapes)
            if found:
                return found
        return None
    if _is_array(a) and _is_array(b):
        return Difference(path, a, b)  # not alike: another shape or dtype
    if type(a) is type(b) and not is_module(a):
        return None  # another kind of pytree node, whose children are not named here
    return Difference(path, a, b)


def in_words(
    difference: Difference, *, here: str, there: str, shapes: bool = True
) -> str:
    """`difference` as a clause: what the second tree holds at its path, then the first.

    **Arguments:**

    - `difference`: from `first_difference(first, second, ...)`.
    - `here`: where the second tree holds its value, after it (`" in the gradient"`), or `""`.
    - `there`: the first tree and a verb (`"block 0 has"`, `"the carry given has"`).
    - `shapes`: name the shapes and dtypes of arrays (as `describe`).

    **Returns:** e.g. `blocks[2].heads is 4, where block 0 has 2 (a static field)`,
    `carry has 1 item in the carry returned, where the carry given has 2`.
    """
    path, first, second, kind = difference
    if kind == "static":
        return f"{path} is {second!r}{here}, where {there} {first!r} (a static field)"
    if kind == "length":
        return f"{path} has {second} item{'' if second == 1 else 's'}{here}, where {there} {first}"
    if kind == "keys":
        return f"{path} has keys {second}{here}, where {there} {first}"
    return f"{path} is {describe(second, shapes=shapes)}{here}, where {there} {describe(first, shapes=shapes)}"


def describe(x: Any, *, shapes: bool = True) -> str:
    """`x` in words: `None`, `a Linear module`, `an array of shape (3,) and dtype float32`
    (`an array` without `shapes`), or `a tuple`."""
    if x is None:
        return "None"
    if is_module(x):
        return f"a {type(x).__name__} module"
    if _is_array(x) and not isinstance(x, (int, float, complex)):
        if not shapes:
            return "an array"
        shape, dtype = shape_and_dtype(x)
        return f"an array of shape {shape} and dtype {dtype}"
    return f"a {type(x).__name__}"


def signature(leaves: Sequence[Any]) -> Signature:
    """The shape and dtype of each of `leaves` (no device work: both are known statically)."""
    return tuple(shape_and_dtype(x) for x in leaves)


def shape_and_dtype(x: Any) -> tuple[tuple[int, ...], Any]:
    """The shape and dtype of an array, tracer, shape-dtype struct or Python number."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return tuple(x.shape), dtype
    return tuple(jnp.shape(x)), jnp.result_type(x)


def _alike(a: Any, b: Any, shapes: bool) -> bool:
    leaves_a, treedef_a = jax.tree_util.tree_flatten(a)
    leaves_b, treedef_b = jax.tree_util.tree_flatten(b)
    if not same_structure(treedef_a, treedef_b):
        return False
    return not shapes or signature(leaves_a) == signature(leaves_b)


def _is_array(x: Any) -> bool:
    return (
        isinstance(x, ARRAY_TYPES)
        or isinstance(x, (int, float, complex))
        or hasattr(x, "shape")
    )


def _same_static(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return a is b
