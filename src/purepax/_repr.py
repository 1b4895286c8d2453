"""How a module prints: its structure, with arrays shown by dtype and shape, not contents."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

from ._containers import ARRAY_TYPES, FrozenDict
from ._module_marker import is_module

_WIDTH = 88


def array_summary(x: Any) -> str:
    """`f32[3,4]` for a float32 array of shape (3, 4)."""
    shape = ",".join(str(d) for d in x.shape)
    if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
        return f"{x.dtype}[{shape}]"  # e.g. key<fry>[]
    dtype = np.dtype(x.dtype)
    kind = {"f": "f", "i": "i", "u": "u", "b": "bool", "c": "c"}.get(
        dtype.kind, dtype.name
    )
    name = kind if kind == "bool" else f"{kind}{dtype.itemsize * 8}"
    if dtype.name == "bfloat16":
        name = "bf16"
    return f"{name}[{shape}]"


def _pieces(value: Any, indent: str) -> str:
    if is_module(value):
        return module_repr(value, indent)
    if isinstance(value, ARRAY_TYPES):
        return array_summary(value)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return _join(
            "(",
            [_pieces(v, indent + "  ") for v in value],
            ")" if len(value) != 1 else ",)",
            indent,
        )
    if isinstance(value, (dict, FrozenDict)):
        items = [f"{k!r}: {_pieces(v, indent + '  ')}" for k, v in value.items()]
        return _join("{", items, "}", indent)
    if callable(value) and hasattr(value, "__qualname__"):
        return (
            f"<function {value.__qualname__}>"
            if not isinstance(value, type)
            else value.__qualname__
        )
    return repr(value)


def _join(open_: str, items: list[str], close: str, indent: str) -> str:
    one_line = open_ + ", ".join(items) + close
    if len(one_line) + len(indent) <= _WIDTH and "\n" not in one_line:
        return one_line
    inner = indent + "  "
    return (
        open_ + "\n" + "".join(f"{inner}{item},\n" for item in items) + indent + close
    )


def module_repr(module: Any, indent: str = "") -> str:
    """`Linear(weight=f32[3,4], bias=f32[4])`, over several lines when it is long."""
    d = module.__dict__
    items = [
        f"{f.name}={_pieces(d.get(f.name), indent + '  ')}"
        for f in dataclasses.fields(module)
        if f.repr and f.name in d
    ]
    if d.get("training", True) is False:
        items.append("training=False")
    return _join(f"{type(module).__name__}(", items, ")", indent)
