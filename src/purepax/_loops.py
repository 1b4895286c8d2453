"""Checked loops: `px.scan`, `px.while_loop`, `px.fori_loop`.

Their body (and `cond_fun`) are checked like every transformed function
(`_transforms.checked`). A loop also needs its carry to come back with the structure
it went in with; JAX says so in terms of pytree definitions, purepax names the
module field that changed.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import jax

from ._containers import same_structure
from ._errors import CarryStructureError
from ._module import Module, spec_of
from ._transforms import checked

_C = TypeVar("_C")
_Y = TypeVar("_Y")
_T = TypeVar("_T")


def scan(
    f: Callable[[_C, Any], tuple[_C, _Y]],
    init: _C,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
    **scan_kwargs: Any,
) -> tuple[_C, _Y]:
    """`jax.lax.scan` with a checked body that must return its carry unchanged in structure.

    **Arguments:** as `jax.lax.scan`: `f(carry, x) -> (carry, y)`, `init`, `xs`,
    `length`, `reverse`, `unroll`. A module carry is passed to `f` (rebuilt and
    immutable, as JAX gives it): update it with `px.purecall` and return it.

    **Returns:** `(final_carry, stacked_ys)`.

    ```python
    def step(counter, x):
        counter, y = px.purecall(counter, x)
        return counter, y

    counter, ys = px.scan(step, Counter(), xs)
    ```
    """
    body = checked(f, "px.scan")

    def scan_body(carry: _C, x: Any) -> tuple[_C, _Y]:
        out = body(carry, x)
        if isinstance(out, tuple) and len(out) == 2:
            check_carry("px.scan", f, carry, out[0])
        return out

    out: Any = jax.lax.scan(scan_body, init, xs, length, reverse, unroll, **scan_kwargs)
    return typing.cast(tuple[_C, _Y], out)


def while_loop(cond_fun: Callable[[_T], Any], body_fun: Callable[[_T], _T], init_val: _T) -> _T:
    """`jax.lax.while_loop` with checked functions; the body must keep the carry's structure.

    **Arguments:** as `jax.lax.while_loop`: `cond_fun(carry) -> bool`,
    `body_fun(carry) -> carry`, `init_val`.

    **Returns:** the final carry.

    ```python
    n = px.while_loop(lambda n: n < 10, lambda n: n + 1, 0)
    ```
    """
    body = checked(body_fun, "px.while_loop")

    def loop_body(carry: _T) -> _T:
        new = body(carry)
        check_carry("px.while_loop", body_fun, carry, new)
        return new

    out: Any = jax.lax.while_loop(checked(cond_fun, "px.while_loop"), loop_body, init_val)
    return typing.cast(_T, out)


def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, _T], _T], init_val: _T, **fori_kwargs: Any) -> _T:
    """`jax.lax.fori_loop` with a checked body that must keep the carry's structure.

    **Arguments:** as `jax.lax.fori_loop`: `lower`, `upper`, `body_fun(i, carry) ->
    carry`, `init_val`, `unroll`. `i` is a traced integer scalar, which satisfies an
    `int` annotation.

    **Returns:** the final carry.

    ```python
    total = px.fori_loop(0, 10, lambda i, total: total + i, 0)
    ```
    """
    body = checked(body_fun, "px.fori_loop")

    def loop_body(i: Any, carry: _T) -> _T:
        new = body(i, carry)
        check_carry("px.fori_loop", body_fun, carry, new)
        return new

    out: Any = jax.lax.fori_loop(lower, upper, loop_body, init_val, **fori_kwargs)
    return typing.cast(_T, out)


def check_carry(transform: str, fn: Callable[..., Any], given: Any, returned: Any) -> None:
    """Raise `CarryStructureError` naming the first place where `returned` differs from `given`."""
    if same_structure(jax.tree_util.tree_structure(given), jax.tree_util.tree_structure(returned)):
        return
    where = _difference(given, returned, "carry") or (
        f"the carry given is {jax.tree_util.tree_structure(given)} and the carry returned is "
        f"{jax.tree_util.tree_structure(returned)}"
    )
    name = getattr(fn, "__qualname__", repr(fn))
    raise CarryStructureError(
        f"{transform}: the body `{name}` must return its carry with the structure it was given, "
        f"but {where}. Return the same kind of value at every place of the carry: the same module "
        "types, the same static fields, arrays where there were arrays and None where there was "
        "None (use px.purecall to update a module, and return the module it gives back)."
    )


def _kind(x: Any) -> str:
    if x is None:
        return "None"
    if isinstance(x, Module):
        return f"a {type(x).__name__} module"
    if isinstance(x, jax.Array) or hasattr(x, "shape"):
        return "an array"
    return f"a {type(x).__name__}"


def _difference(a: Any, b: Any, path: str) -> str | None:
    """Where `a` and `b` first differ in structure, in words, or None if they do not."""
    if same_structure(jax.tree_util.tree_structure(a), jax.tree_util.tree_structure(b)):
        return None
    if isinstance(a, Module) and type(a) is type(b):
        spec = spec_of(type(a))
        dynamic_a, dynamic_b = spec.dynamic_names(a), spec.dynamic_names(b)
        for name in spec.fields:
            va, vb = a.__dict__[name], b.__dict__[name]
            if (name in dynamic_a) != (name in dynamic_b):
                return f"{path}.{name} is {_kind(va)} in the carry given and {_kind(vb)} in the carry returned"
            if name in dynamic_a:
                found = _difference(va, vb, f"{path}.{name}")
                if found:
                    return found
            elif va != vb:
                return f"the static field {path}.{name} is {va!r} in the carry given and {vb!r} in the carry returned"
        return None
    if isinstance(a, (tuple, list)) and type(a) is type(b) and len(a) == len(b):
        for i, (va, vb) in enumerate(zip(a, b)):
            found = _difference(va, vb, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, Mapping) and type(a) is type(b) and set(a) == set(b):
        for key in a:
            found = _difference(a[key], b[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        return f"{path} has {len(a)} items in the carry given and {len(b)} in the carry returned"
    if isinstance(a, Mapping) and type(a) is type(b):
        return f"{path} has keys {sorted(map(str, a))} in the carry given and {sorted(map(str, b))} in the carry returned"
    return f"{path} is {_kind(a)} in the carry given and {_kind(b)} in the carry returned"
