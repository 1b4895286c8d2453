"""Checked loops: `px.scan`, `px.while_loop`, `px.fori_loop`.

Their body (and `cond_fun`) are checked like every transformed function
(`_transforms.checked`). A loop also needs its carry to come back with the structure
it went in with; JAX says so in terms of pytree definitions, purepax names the
module field that changed.
"""

from __future__ import annotations

import contextlib
import contextvars
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import jax
import jax.numpy as jnp

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


HELD_APART: contextvars.ContextVar[dict[int, Any]] = contextvars.ContextVar(
    "purepax_held_apart", default={}
)
"""The stacked parameters, by `id`, that an enclosing loop's body stacked again from
blocks held apart (`HeldApart`); a `px.Stacked` holding them runs its blocks unrolled."""


class HeldApart:
    """How a loop carries `init`: the parameters of each `px.Stacked` that decodes held
    apart, one array per block (`_stacked.py`'s module doc says why); the rest as it is.

    A loop's body gets `inside(carry)`, the carry rebuilt (those parameters stacked
    again, and marked so that their stack unrolls), and returns `returned(given, new)`:
    a parameter the body left alone goes back as the arrays it came in as (a loop
    invariant, which JAX hoists); one it changed is sliced again. `final(carry)` is the
    loop's result, the parameters the loop left alone those of `init`.
    """

    def __init__(self, init: Any) -> None:
        self._init = init
        self._leaves, self._treedef = jax.tree_util.tree_flatten(init)

        def stacks(x: Any) -> bool:
            return hasattr(type(x), "__held_apart__")

        positions: list[int] = []
        n = 0
        for item in jax.tree_util.tree_leaves(init, is_leaf=stacks):
            if stacks(item):
                positions.extend(n + j for j in sorted(item.__held_apart__()))
                n += len(jax.tree_util.tree_leaves(item))
            else:
                n += 1
        self._apart = positions
        self._unchanged = [True] * len(positions)
        self._given: tuple[list[Any], list[tuple[Any, ...]]] = ([], [])

    def initial(self) -> Any:
        """The loop's initial carry: `init`, its decoding stacks' parameters held apart."""
        if not self._apart:
            return self._init
        return self._held(self._leaves)

    def _held(self, leaves: list[Any]) -> tuple[list[Any], list[tuple[Any, ...]]]:
        apart = set(self._apart)
        rest = [leaf for j, leaf in enumerate(leaves) if j not in apart]
        return rest, [_blocks(leaves[j]) for j in self._apart]

    @contextlib.contextmanager
    def inside(self, carry: Any) -> Iterator[Any]:
        """The carry as the body sees it, while the body runs."""
        if not self._apart:
            yield carry
            return
        rest, parts = carry
        leaves = list(rest)
        stacked = [jnp.stack(blocks) for blocks in parts]
        for j, leaf in zip(self._apart, stacked):
            leaves.insert(j, leaf)
        self._given = stacked, parts
        held = dict(HELD_APART.get())
        held.update((id(leaf), leaf) for leaf in stacked)
        token = HELD_APART.set(held)
        try:
            yield jax.tree_util.tree_unflatten(self._treedef, leaves)
        finally:
            HELD_APART.reset(token)

    def returned(self, new: Any) -> Any:
        """The carry the body returned (of the structure it was given), as the loop
        carries it."""
        if not self._apart:
            return new
        stacked, given = self._given
        leaves = jax.tree_util.tree_leaves(new)
        apart = set(self._apart)
        parts = []
        for k, j in enumerate(self._apart):
            if leaves[j] is stacked[k]:
                parts.append(given[k])
            else:
                self._unchanged[k] = False
                parts.append(_blocks(leaves[j]))
        return [leaf for j, leaf in enumerate(leaves) if j not in apart], parts

    def final(self, carry: Any) -> Any:
        """The loop's result, from its final carry."""
        if not self._apart:
            return carry
        rest, parts = carry
        leaves = list(rest)
        for k, j in enumerate(self._apart):
            leaves.insert(
                j, self._leaves[j] if self._unchanged[k] else jnp.stack(parts[k])
            )
        return jax.tree_util.tree_unflatten(self._treedef, leaves)


def _blocks(stacked: Any) -> tuple[Any, ...]:
    return tuple(stacked[i] for i in range(stacked.shape[0]))


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
