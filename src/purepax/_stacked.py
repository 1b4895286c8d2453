"""`px.Stacked` and `px.stack`: `n` blocks of one type, held as one block and scanned over.

A deep model repeats one block. Called in a Python loop, its code is traced (and
compiled) `n` times; held as one block whose arrays have a leading axis of length `n`
and applied with `jax.lax.scan`, once. The blocks' annotations describe one block:
they are checked per block when the blocks are built (each `make(key)` under
`jax.vmap`, or each block given to `px.stack`), and the stacked block is assembled by
JAX's pytree rebuild, which checks nothing; `Stacked`'s own check of `layers` asks only
that it is a module.

Blocks that change themselves (a dropout key, batch-norm statistics) are called with
`px.purecall` inside the scan's body. Which of a block's leaves changed is seen there,
when the body is traced (a new array object where the old one was), so the body
returns only those, stacked as the scan's outputs, and the call writes them back
into `layers`: a mutation of the stack, allowed where the stack is a `px.pure` view.
Blocks that only read return nothing but `x`: the stack is never carried through the
scan's outputs.

State stays in the scan's carry, stacked. A block is handed its own slice of it and the
slice it returns is written back: two copies of the block's state per call. For a large
state updated a little at a time (a key-value cache: one position per decoding step),
those copies cost more than the block's work, so a state module may instead be viewed
in place: a class that defines `__stacked_view__(self, block)` is handed to block
`block` as that method's result, which holds the stacked arrays whole and knows its
block, so it reads and writes its own row of them (a `lax.dynamic_update_slice` of the
carry, which XLA does in place); the view's `__stacked_whole__()` gives back the
stacked module. Inside a nested stack, state is sliced as before.

A stack that decodes (it holds such a viewed state: a key-value cache) inside a loop
has its parameters carried one array per block, and runs its blocks unrolled
(`_apart.py` says why).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import jax
import jax.numpy as jnp

from ._apart import marked
from ._difference import first_difference, in_words
from ._errors import ArgumentError, FieldError, ImmutableModuleError
from ._fields import static
from ._functional import parameters
from ._loops import check_carry
from ._module import Module, shallow_copy
from ._nans import calling_block
from ._pure import purecall
from ._trace import Tracer

_M = TypeVar("_M", bound=Module)
_X = TypeVar("_X")

CAPTURE_TAG = "_purepax_capture"  # instance key of a module that a px.capture tagged

Remat = bool | Callable[..., Any]
"""`False`, `True`, or a `jax.checkpoint_policies` policy."""


class Stacked(Module, Generic[_M]):
    """`n` blocks of type `M`, held as one `M` whose arrays have a leading axis of length `n`.

    Build it with `px.stack`. Calling it applies the blocks in order with
    `jax.lax.scan` (`x = block(x, *args, **kwargs)`), so a block's code is traced
    once, not `n` times. Blocks that change themselves (dropout keys, batch-norm
    statistics) make the call a mutation of the stack: call it with `px.purecall`, or
    inside `px.pure`, and each block keeps its own updates.

    **Fields:** `layers`, the stacked block; `remat` (static): `False`, `True`
    (recompute each block on the backward pass) or a `jax.checkpoint_policies` policy;
    `unroll` (static): blocks per scan iteration, as in `jax.lax.scan` (a stack that
    decodes, with key-value caches, inside a `px.scan`, `px.fori_loop` or
    `px.while_loop` runs all its blocks unrolled: docs/generation.md says why).

    ```python
    blocks = px.stack(lambda key: Linear(jnp.ones((4, 4)), jnp.zeros(4)), jax.random.split(key, 3))
    y = blocks(jnp.ones((2, 4)))
    assert len(blocks) == 3 and blocks[-1].weight.shape == (4, 4)
    ```
    """

    layers: _M
    remat: Remat = static(default=False, kw_only=True)
    unroll: int = static(default=1, kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.layers, Module):
            raise FieldError(
                f"Stacked.layers must be a module (the blocks, stacked), got "
                f"{type(self.layers).__name__}. Build a stack with px.stack(make, keys) or "
                "px.stack(blocks)."
            )
        _length(self.layers)  # every array has the same leading axis
        if (
            self.remat is not False
            and self.remat is not True
            and not callable(self.remat)
        ):
            raise FieldError(
                f"Stacked.remat must be False, True or a jax.checkpoint_policies policy, got "
                f"{self.remat!r}."
            )

    def __call__(self, x: _X, *args: Any, **kwargs: Any) -> _X:
        """Apply the blocks in order: `x = block(x, *args, **kwargs)` for each block.

        **Arguments:** `x`, the input of the first block (an array or a pytree; each
        block must return the same shapes and dtypes); `args`, `kwargs`, shared by every
        block.

        **Returns:** the output of the last block.
        """
        leaves, treedef = jax.tree_util.tree_flatten(self.layers)
        state = _state_leaves(self.layers)
        viewed = _viewed_leaves(self.layers) & state
        fixed = [leaf for j, leaf in enumerate(leaves) if j not in state]
        changed: list[tuple[int, ...]] = [()]  # set when the body is traced
        # A px.capture that selects modules in the blocks tags the stack (`_capture.py`).
        capturing: Any = self.__dict__.get(CAPTURE_TAG)

        def body(
            carry: tuple[Any, list[Any]], xs: tuple[Any, list[Any]]
        ) -> tuple[Any, tuple[list[Any], Any]]:
            x, stacked_state = carry
            index, fixed_leaves = xs
            given, taken = iter(fixed_leaves), iter(stacked_state)
            block_leaves = [
                next(taken)
                if j in viewed
                else jax.lax.dynamic_index_in_dim(next(taken), index, keepdims=False)
                if j in state
                else next(given)
                for j in range(len(leaves))
            ]
            block = jax.tree_util.tree_unflatten(treedef, block_leaves)
            called = _view(block, index) if viewed else block
            with calling_block(index):  # names the block in px.check_finite's reports
                if capturing is None:
                    new_view, out = purecall(called, x, *args, **kwargs)
                    recorded = None
                else:
                    new_view, out, recorded = capturing.call_block(
                        called, x, args, kwargs
                    )
            _check_output(block, x, out)
            new_block = _whole(new_view) if viewed else new_view
            new_leaves, new_treedef = jax.tree_util.tree_flatten(new_block)
            if new_treedef != treedef:  # type: ignore[operator, unused-ignore]
                check_carry("px.Stacked", type(block).__call__, block, new_block)
            changed[0] = tuple(
                j
                for j, (old, new) in enumerate(zip(block_leaves, new_leaves))
                if old is not new
            )
            # State (a cache, a key) stays in the carry and is written in place; a copy
            # through the scan's outputs would cost a whole key-value cache per step.
            new_state = [
                new_leaves[j]
                if j in viewed
                else jax.lax.dynamic_update_index_in_dim(
                    stacked, new_leaves[j], index, 0
                )
                if j in changed[0]
                else stacked
                for j, stacked in zip(sorted(state), stacked_state)
            ]
            return (out, new_state), (
                [new_leaves[j] for j in changed[0] if j not in state],
                recorded,
            )

        if self.remat is not False:
            policy = None if self.remat is True else self.remat
            body = jax.checkpoint(body, policy=policy, prevent_cse=False)
        initial = [leaves[j] for j in sorted(state)]
        # Parameters that a loop holds apart (`HeldApart`) are stacks of the blocks'
        # own arrays: unrolled, each block reads its own, not a copy.
        unroll = len(self) if any(marked(leaf) for leaf in fixed) else self.unroll
        (out, final_state), (updates, recorded) = jax.lax.scan(
            body, (x, initial), (jnp.arange(len(self)), fixed), unroll=unroll
        )
        if capturing is not None:
            capturing.record_blocks(recorded)
        if changed[0]:
            new_leaves = list(leaves)
            for j, final in zip(sorted(state), final_state):
                new_leaves[j] = final
            for j, update in zip((j for j in changed[0] if j not in state), updates):
                new_leaves[j] = update
            self._write_back(
                jax.tree_util.tree_unflatten(treedef, new_leaves), changed[0]
            )
        return out

    def __held_apart__(self) -> frozenset[int]:
        """The positions, among the leaves of `layers`, that a loop carrying this stack
        holds apart (see the module doc): the parameters of a stack that decodes."""
        if not _viewed_leaves(self.layers):
            return frozenset()
        state = _state_leaves(self.layers)
        count = len(jax.tree_util.tree_leaves(self.layers))
        return frozenset(j for j in range(count) if j not in state)

    def _write_back(self, layers: _M, changed: tuple[int, ...]) -> None:
        try:
            self.layers = layers
        except ImmutableModuleError as error:
            paths = jax.tree_util.tree_flatten_with_path(self.layers)[0]
            where = ", ".join(
                type(self.layers).__name__ + jax.tree_util.keystr(paths[i][0])
                for i in changed
            )
            raise ImmutableModuleError(
                f"The blocks of this Stacked[{type(self.layers).__name__}] change themselves "
                f"({where} set), so calling the stack is a mutation. {_message(error)}"
            ) from None

    @overload
    def __getitem__(self, index: int) -> _M: ...
    @overload
    def __getitem__(self, index: slice) -> Stacked[_M]: ...
    def __getitem__(self, index: int | slice) -> _M | Stacked[_M]:
        """Block `index` (an `M`; negative indices count from the end), or a `Stacked` of a slice."""
        if isinstance(index, slice):
            layers = jax.tree_util.tree_map(lambda a: a[index], self.layers)
            return Stacked(layers, remat=self.remat, unroll=self.unroll)
        if isinstance(index, Tracer):
            # A traced index (inside a loop): JAX clamps it, as it does for arrays.
            traced: _M = jax.tree_util.tree_map(lambda a: a[index], self.layers)
            return traced
        n, i = len(self), operator.index(index)
        if not -n <= i < n:
            raise IndexError(
                f"Stacked index {i} is out of range for a stack of {n} blocks."
            )
        block: _M = jax.tree_util.tree_map(lambda a: a[i], self.layers)
        return block

    def __len__(self) -> int:
        return _length(self.layers)

    def __bool__(self) -> bool:
        return True  # a module is true, whatever its length (as every other module)

    def __iter__(self) -> Iterator[_M]:
        return iter(self.unstack())

    def unstack(self) -> tuple[_M, ...]:
        """The blocks, as a tuple of `n` modules of type `M` (`px.stack` of it round-trips)."""
        leaves, treedef = jax.tree_util.tree_flatten(self.layers)
        columns = [list(leaf) for leaf in leaves] if leaves else []
        return tuple(
            jax.tree_util.tree_unflatten(treedef, [c[i] for c in columns])
            for i in range(len(self))
        )

    def __purepax_note__(self) -> str:
        """One line on the stack: its blocks and remat policy (treescope and `px.step_cost` show it)."""
        return (
            f"{len(self)} blocks of {type(self.layers).__name__} (stacked on a leading axis), "
            f"remat={remat_name(self.remat)}, unroll={self.unroll}"
        )

    def __partition_specs__(self) -> Stacked[_M]:
        """Each block's field shardings, after a replicated leading (block) axis."""
        from jax.sharding import PartitionSpec

        from ._sharding import partition_specs

        specs = jax.tree_util.tree_map(
            lambda spec: PartitionSpec(None, *spec),  # type: ignore[no-untyped-call]
            partition_specs(self.layers),
            is_leaf=lambda x: isinstance(x, PartitionSpec),
        )
        out = shallow_copy(self)
        out.__dict__["layers"] = specs
        return out


def remat_name(remat: Remat) -> str:
    """`True`, `False`, or a policy's name (`nothing_saveable`) or repr (`DotsSaveable(...)`)."""
    if isinstance(remat, bool):
        return str(remat)
    name = getattr(remat, "__qualname__", None)
    return name.split(".<locals>")[0] if isinstance(name, str) else repr(remat)


def _state_leaves(layers: Module) -> frozenset[int]:
    """The positions, among the leaves of `layers`, of its state (not its parameters)."""
    is_none = lambda v: v is None  # noqa: E731
    everything = jax.tree_util.tree_leaves(layers, is_leaf=is_none)
    trained = jax.tree_util.tree_leaves(parameters(layers), is_leaf=is_none)
    positions = [j for j, leaf in enumerate(everything) if leaf is not None]
    return frozenset(n for n, j in enumerate(positions) if trained[j] is None)


def _viewable(x: Any) -> bool:
    """Whether `x` is stacked state that blocks read and write in place (see the module doc)."""
    return (
        isinstance(x, Module)
        and hasattr(type(x), "__stacked_view__")
        and not hasattr(type(x), "__stacked_whole__")
    )


def _is_view(x: Any) -> bool:
    return isinstance(x, Module) and hasattr(type(x), "__stacked_whole__")


def _viewed_leaves(layers: Module) -> frozenset[int]:
    """The positions, among the leaves of `layers`, of the viewable state's arrays (not
    those inside a nested stack, which slices its own)."""
    items = jax.tree_util.tree_leaves(
        layers, is_leaf=lambda x: isinstance(x, Stacked) or _viewable(x)
    )
    positions: list[int] = []
    n = 0
    for item in items:
        count = len(jax.tree_util.tree_leaves(item)) if isinstance(item, Module) else 1
        if _viewable(item):
            positions.extend(range(n, n + count))
        n += count
    return frozenset(positions)


def _view(block: _M, index: jax.Array) -> _M:
    """`block` with each viewable state module replaced by its view as block `index`."""
    viewed: _M = jax.tree_util.tree_map(
        lambda x: x.__stacked_view__(index) if _viewable(x) else x,
        block,
        is_leaf=lambda x: isinstance(x, Stacked) or _viewable(x),
    )
    return viewed


def _whole(block: _M) -> _M:
    """`block` with each view replaced by the stacked module it views."""
    whole: _M = jax.tree_util.tree_map(
        lambda x: x.__stacked_whole__() if _is_view(x) else x,
        block,
        is_leaf=lambda x: isinstance(x, Stacked) or _is_view(x),
    )
    return whole


def _message(error: Exception) -> str:
    """An error's message without the docs pointer that `PurepaxError` appends (added again)."""
    return str(error).rsplit("\n(More:", 1)[0]


def _length(layers: Module) -> int:
    """The number of blocks: the leading axis shared by every array of `layers`."""
    leaves = jax.tree_util.tree_flatten_with_path(layers)[0]
    if not leaves:
        raise FieldError(
            f"Stacked: the {type(layers).__name__} holds no arrays, so it has no leading axis "
            "to count its blocks by."
        )
    n: int | None = None
    for path, leaf in leaves:
        shape = getattr(leaf, "shape", None)
        if shape is None or len(shape) == 0 or (n is not None and shape[0] != n):
            raise FieldError(
                f"Stacked: every array of the stacked {type(layers).__name__} must have the "
                f"leading (block) axis of length {n if n is not None else 'n'}, but "
                f"{type(layers).__name__}{jax.tree_util.keystr(path)} has shape {shape}. Build a "
                "stack with px.stack(make, keys) or px.stack(blocks)."
            )
        n = int(shape[0])
    assert n is not None
    return n


def _check_output(block: Module, given: Any, returned: Any) -> None:
    """Refuse a block whose output differs from its input in structure, shape or dtype."""
    check_carry("px.Stacked", type(block).__call__, given, returned)
    for path, a, b in zip(
        (p for p, _ in jax.tree_util.tree_flatten_with_path(given)[0]),
        jax.tree_util.tree_leaves(given),
        jax.tree_util.tree_leaves(returned),
    ):
        if jnp.shape(a) != jnp.shape(b) or jnp.result_type(a) != jnp.result_type(b):
            raise ArgumentError(
                f"px.Stacked: each block's output is the next block's input, so it must have "
                f"the input's shape and dtype, but a {type(block).__name__} maps x"
                f"{jax.tree_util.keystr(path)} of shape {jnp.shape(a)} and dtype "
                f"{jnp.result_type(a)} to shape {jnp.shape(b)} and dtype {jnp.result_type(b)}. "
                "Keep the blocks that change the shape (an embedding, a head) outside the stack."
            )


@overload
def stack(
    make: Callable[[jax.Array], _M],
    keys: jax.Array,
    /,
    *,
    remat: Remat = False,
    unroll: int = 1,
) -> Stacked[_M]: ...
@overload
def stack(
    blocks: Sequence[_M], /, *, remat: Remat = False, unroll: int = 1
) -> Stacked[_M]: ...
def stack(
    make_or_blocks: Callable[[jax.Array], _M] | Sequence[_M],
    keys: jax.Array | None = None,
    /,
    *,
    remat: Remat = False,
    unroll: int = 1,
) -> Stacked[_M]:
    """A `px.Stacked` of `n` blocks: built from one key each, or stacked from given blocks.

    `px.stack(make, keys)` calls `make(key)` for every key of `keys` in one call under
    `jax.vmap`, so block `i` equals `make(keys[i])` and the block is built (and its
    fields checked) once, whatever `n`. `px.stack(blocks)` stacks a sequence of modules
    of one structure.

    **Arguments:** `make`, a function from a PRNG key to a block, and `keys`, one key
    per block (`jax.random.split(key, n)`: typed keys of shape `(n,)` or raw `uint32`
    keys of shape `(n, 2)`); or `blocks`, a sequence of modules of one type, with the same
    static fields and array shapes and dtypes. `remat`: `False`, `True` or a
    `jax.checkpoint_policies` policy (recompute each block on the backward pass).
    `unroll`: blocks per scan iteration, as in `jax.lax.scan`.

    **Returns:** a `px.Stacked[M]`.

    ```python
    blocks = px.stack(lambda key: Linear(jax.random.normal(key, (4, 4)), jnp.zeros(4)), jax.random.split(key, 3))
    again = px.stack(blocks.unstack())
    ```
    """
    if keys is not None:
        if isinstance(make_or_blocks, Module) or not callable(make_or_blocks):
            raise ArgumentError(
                f"px.stack(make, keys) takes a function from a key to a block, got "
                f"{make_or_blocks!r}. To stack blocks you have, pass them alone: px.stack(blocks)."
            )
        return _stack_made(make_or_blocks, keys, remat, unroll)
    if isinstance(make_or_blocks, Module) or not isinstance(make_or_blocks, Sequence):
        raise ArgumentError(
            "px.stack takes a sequence of blocks, or a function and one key per block "
            f"(px.stack(make, jax.random.split(key, n))); got {make_or_blocks!r} alone."
        )
    return _stack_blocks(make_or_blocks, remat, unroll)


def _stack_made(
    make: Callable[[jax.Array], _M], keys: jax.Array, remat: Remat, unroll: int
) -> Stacked[_M]:
    dtype = getattr(keys, "dtype", None)
    typed = dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key)
    ndim = getattr(keys, "ndim", 0)
    if dtype is None or ndim != (1 if typed else 2):
        raise ArgumentError(
            f"px.stack(make, keys) takes one PRNG key per block (jax.random.split(key, n): "
            f"typed keys of shape (n,) or raw uint32 keys of shape (n, 2)), got "
            f"{'shape ' + str(getattr(keys, 'shape', None)) if dtype is not None else repr(keys)}."
        )

    def build(key: jax.Array) -> _M:
        block = make(key)
        if not isinstance(block, Module):
            raise ArgumentError(
                f"px.stack: make(key) must return a purepax module, got {type(block).__name__}."
            )
        return block

    layers = jax.vmap(build)(keys)
    return Stacked(layers, remat=remat, unroll=unroll)


def _stack_blocks(blocks: Sequence[_M], remat: Remat, unroll: int) -> Stacked[_M]:
    if not blocks:
        raise ArgumentError("px.stack needs at least one block, got an empty sequence.")
    first = blocks[0]
    treedef = jax.tree_util.tree_structure(first)
    for i, block in enumerate(blocks):
        if not isinstance(block, Module):
            raise ArgumentError(
                f"px.stack: blocks[{i}] is a {type(block).__name__}, not a purepax module."
            )
        difference = (
            first_difference(first, block, f"blocks[{i}]", shapes=True) if i else None
        )
        where = (
            in_words(difference, here="", there="block 0 has") if difference else None
        )
        if where is None and i and jax.tree_util.tree_structure(block) != treedef:  # type: ignore[operator, unused-ignore]
            where = f"blocks[{i}] has the tree structure {jax.tree_util.tree_structure(block)}, block 0 has {treedef}"
        if where is not None:
            raise FieldError(
                f"px.stack: the blocks must have one structure, but {where}. Give every block "
                "the same configuration and array shapes (px.stack(make, keys) builds them so)."
            )
    layers: _M = jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *blocks)
    return Stacked(layers, remat=remat, unroll=unroll)
