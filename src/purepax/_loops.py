"""Checked loops: `px.scan`, `px.while_loop`, `px.fori_loop`.

Their body (and `cond_fun`) are checked like every transformed function
(`_transforms.checked`). A loop also needs its carry to come back with the structure
it went in with; JAX says so in terms of pytree definitions, purepax names the
module field that changed.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, TypeVar

import jax

from ._apart import HeldApart
from ._containers import same_structure
from ._difference import first_difference, in_words
from ._errors import CarryStructureError
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
    apart = HeldApart(init)

    def scan_body(held: Any, x: Any) -> tuple[Any, _Y]:
        with apart.inside(held) as carry:
            out = body(carry, x)
            if isinstance(out, tuple) and len(out) == 2:
                check_carry("px.scan", f, carry, out[0])
                return apart.returned(out[0]), out[1]
            return out

    final, ys = jax.lax.scan(
        scan_body, apart.initial(), xs, length, reverse, unroll, **scan_kwargs
    )
    return typing.cast(_C, apart.final(final)), ys


def while_loop(
    cond_fun: Callable[[_T], Any], body_fun: Callable[[_T], _T], init_val: _T
) -> _T:
    """`jax.lax.while_loop` with checked functions; the body must keep the carry's structure.

    **Arguments:** as `jax.lax.while_loop`: `cond_fun(carry) -> bool`,
    `body_fun(carry) -> carry`, `init_val`.

    **Returns:** the final carry.

    ```python
    n = px.while_loop(lambda n: n < 10, lambda n: n + 1, 0)
    ```
    """
    body, cond = checked(body_fun, "px.while_loop"), checked(cond_fun, "px.while_loop")
    apart = HeldApart(init_val)

    def loop_cond(held: Any) -> Any:
        with apart.inside(held) as carry:
            return cond(carry)

    def loop_body(held: Any) -> Any:
        with apart.inside(held) as carry:
            new = body(carry)
            check_carry("px.while_loop", body_fun, carry, new)
            return apart.returned(new)

    out: Any = jax.lax.while_loop(loop_cond, loop_body, apart.initial())
    return typing.cast(_T, apart.final(out))


def fori_loop(
    lower: Any,
    upper: Any,
    body_fun: Callable[[Any, _T], _T],
    init_val: _T,
    **fori_kwargs: Any,
) -> _T:
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
    apart = HeldApart(init_val)

    def loop_body(i: Any, held: Any) -> Any:
        with apart.inside(held) as carry:
            new = body(i, carry)
            check_carry("px.fori_loop", body_fun, carry, new)
            return apart.returned(new)

    out: Any = jax.lax.fori_loop(
        lower, upper, loop_body, apart.initial(), **fori_kwargs
    )
    return typing.cast(_T, apart.final(out))


def check_carry(
    transform: str, fn: Callable[..., Any], given: Any, returned: Any
) -> None:
    """Raise `CarryStructureError` naming the first place where `returned` differs from `given`."""
    if same_structure(
        jax.tree_util.tree_structure(given), jax.tree_util.tree_structure(returned)
    ):
        return
    difference = first_difference(given, returned, "carry", shapes=False)
    if difference is None:
        where = (
            f"the carry given is {jax.tree_util.tree_structure(given)} and the carry returned is "
            f"{jax.tree_util.tree_structure(returned)}"
        )
    else:
        where = in_words(
            difference,
            here=" in the carry returned",
            there="the carry given has",
            shapes=False,
        )
    name = getattr(fn, "__qualname__", repr(fn))
    raise CarryStructureError(
        f"{transform}: the body `{name}` must return its carry with the structure it was given, "
        f"but {where}. Return the same kind of value at every place of the carry: the same module "
        "types, the same static fields, arrays where there were arrays and None where there was "
        "None (use px.purecall to update a module, and return the module it gives back)."
    )
