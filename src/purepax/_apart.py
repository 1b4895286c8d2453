"""Stacked parameters held apart, one array per block, through loops and branches.

A `px.Stacked` that decodes (it holds a key-value cache) inside a loop would slice each
block's parameters out of their stacks at every step, and XLA copies a slice and does
not move one out of a loop: every decoded token would copy every weight of the model.
So a loop (`px.scan`, `px.fori_loop`, `px.while_loop`) carries such a stack's
parameters held apart, one array per block (sliced once, before the loop), and its body
sees them stacked again (`jnp.stack` of the blocks' arrays) and *marked*: a stack
holding marked parameters runs its blocks unrolled, and XLA reads each block's slice of
a stack of arrays as that array, without a copy. A branch (`px.cond`, `px.switch`) that
is given marked parameters takes them apart in the same way, since XLA would otherwise
build the stacks as the branch's operands (a copy at every step).

A stack finds out which of its parameters to hold apart through its `__held_apart__()`
(the positions among its leaves); this file imports nothing of purepax, so that the
loops, the branches and the stack can all use it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp

_MARKED: contextvars.ContextVar[dict[int, tuple[Any, tuple[Any, ...]]]] = (
    contextvars.ContextVar("purepax_held_apart", default={})
)
"""The stacks made again from blocks held apart, by `id`: the stack and the blocks."""


def marked(leaf: Any) -> bool:
    """Whether `leaf` is a stack of blocks held apart (see the module doc)."""
    entry = _MARKED.get().get(id(leaf))
    return entry is not None and entry[0] is leaf


def _blocks(leaf: Any) -> tuple[Any, ...]:
    """`leaf`'s blocks: those it was stacked from, or its slices along its first axis."""
    entry = _MARKED.get().get(id(leaf))
    if entry is not None and entry[0] is leaf:
        return entry[1]
    return tuple(leaf[i] for i in range(leaf.shape[0]))


def _restack(
    rest: list[Any], parts: list[tuple[Any, ...]], positions: list[int]
) -> list[Any]:
    """The leaves, those at `positions` stacked again from `parts` and marked (until
    the enclosing `_scope` ends)."""
    leaves = list(rest)
    stacks = [jnp.stack(blocks) for blocks in parts]
    for j, leaf in zip(positions, stacks):
        leaves.insert(j, leaf)
    marks = dict(_MARKED.get())
    marks.update((id(s), (s, blocks)) for s, blocks in zip(stacks, parts))
    _MARKED.set(marks)
    return leaves


@contextlib.contextmanager
def _scope() -> Iterator[None]:
    """Marks made inside the `with` block (a body's trace) end with it."""
    token = _MARKED.set(_MARKED.get())
    try:
        yield
    finally:
        _MARKED.reset(token)


def _apart(
    leaves: list[Any], positions: list[int]
) -> tuple[list[Any], list[tuple[Any, ...]]]:
    chosen = set(positions)
    rest = [leaf for j, leaf in enumerate(leaves) if j not in chosen]
    return rest, [_blocks(leaves[j]) for j in positions]


class HeldApart:
    """How a loop carries `init`: the parameters of each `px.Stacked` that decodes held
    apart, one array per block; the rest as it is.

    The loop's body gets its carry through `inside(held)` (those parameters stacked
    again and marked) and returns `returned(new)`: a parameter the body left alone goes
    back as the arrays it came in as (a loop invariant, which JAX hoists); one it
    changed is taken apart again. `final(held)` is the loop's result, each parameter
    the loop left alone the one of `init`.
    """

    def __init__(self, init: Any) -> None:
        self._init = init
        self._leaves, self._treedef = jax.tree_util.tree_flatten(init)

        def stack(x: Any) -> bool:
            return hasattr(type(x), "__held_apart__")

        positions: list[int] = []
        n = 0
        for item in jax.tree_util.tree_leaves(init, is_leaf=stack):
            if stack(item):
                positions.extend(n + j for j in sorted(item.__held_apart__()))
                n += len(jax.tree_util.tree_leaves(item))
            else:
                n += 1
        self._positions = positions
        self._unchanged = [True] * len(positions)
        self._given: list[tuple[Any, ...]] = []

    def initial(self) -> Any:
        """The loop's initial carry."""
        if not self._positions:
            return self._init
        return _apart(self._leaves, self._positions)

    @contextlib.contextmanager
    def inside(self, held: Any) -> Iterator[Any]:
        """The carry as the body sees it, while the body runs."""
        if not self._positions:
            yield held
            return
        rest, parts = held
        self._given = parts
        with _scope():
            leaves = _restack(rest, parts, self._positions)
            yield jax.tree_util.tree_unflatten(self._treedef, leaves)

    def returned(self, new: Any) -> Any:
        """The carry the body returned (of the structure it was given), as the loop
        carries it; inside `inside`, where the stacks it was given are marked."""
        if not self._positions:
            return new
        rest, parts = _apart(jax.tree_util.tree_leaves(new), self._positions)
        for k, (blocks, given) in enumerate(zip(parts, self._given)):
            if any(a is not b for a, b in zip(blocks, given)):
                self._unchanged[k] = False
        return rest, parts

    def final(self, held: Any) -> Any:
        """The loop's result, from its final carry."""
        if not self._positions:
            return held
        rest, parts = held
        leaves = list(rest)
        for k, j in enumerate(self._positions):
            leaves.insert(
                j, self._leaves[j] if self._unchanged[k] else jnp.stack(parts[k])
            )
        return jax.tree_util.tree_unflatten(self._treedef, leaves)


def branches_apart(
    branches: Sequence[Callable[..., Any]], operands: tuple[Any, ...]
) -> tuple[list[Callable[..., Any]], tuple[Any, ...], Callable[[Any], Any]]:
    """Branches, operands and a function of the branch's output that keep marked
    stacks apart through a `jax.lax.cond` or `jax.lax.switch` (see the module doc):
    `finish(jax.lax.cond(pred, *branches, *operands))` is the branch's output."""
    leaves, treedef = jax.tree_util.tree_flatten(operands)
    positions = [j for j, leaf in enumerate(leaves) if marked(leaf)]
    if not positions:
        return list(branches), operands, lambda out: out
    decided: list[Any] = []  # the output's treedef and positions, from the first branch

    def apart_branch(branch: Callable[..., Any]) -> Callable[..., Any]:
        def run(rest: list[Any], parts: list[tuple[Any, ...]]) -> Any:
            with _scope():
                given = _restack(rest, parts, positions)
                out = branch(*jax.tree_util.tree_unflatten(treedef, given))
                out_leaves, out_treedef = jax.tree_util.tree_flatten(out)
                if not decided:
                    chosen = [j for j, leaf in enumerate(out_leaves) if marked(leaf)]
                    decided.extend((out_treedef, chosen))
                if out_treedef != decided[0]:  # JAX says how the branches differ
                    return out
                return _apart(out_leaves, decided[1])

        return run

    def finish(out: Any) -> Any:
        if not decided or not decided[1]:
            return out
        out_treedef, chosen = decided
        rest, parts = out
        # Marked for the rest of the enclosing body: a loop takes them apart as the
        # very blocks the branch gave back.
        return jax.tree_util.tree_unflatten(out_treedef, _restack(rest, parts, chosen))

    return [apart_branch(b) for b in branches], tuple(_apart(leaves, positions)), finish
