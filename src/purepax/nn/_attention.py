"""`MultiHeadAttention`: scaled dot-product attention over several heads, with rotary
positions and a key-value cache for decoding one token at a time.

The cache is state (`KVCache`, a field of the layer that is `None` until `init_cache`),
so decoding with it is a mutation like a dropout call: `px.purecall(model, token)`
returns the model with its caches advanced. Its buffers have a fixed length, and every
step attends over all of them with the positions not yet written masked out (as Flax's
`decode=True` does), so one step costs the same at every position and the decode loop
compiles once.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

from .._class_spec import spec_of
from .._errors import ArgumentError
from .._fields import static
from .._module import Module, StateModule, shallow_copy
from .._stacked import Stacked
from .._trace import Tracer
from .._tree_check import map_submodules
from ._init import Initializer
from ._linear import Linear
from ._precision import DType
from ._rotary import RotaryPositionalEmbedding, rotate_heads

_M = TypeVar("_M", bound=Module)


class KVCache(StateModule):
    """The keys and values an attention layer has seen, for decoding one step at a time.

    Fixed-size buffers (`max_length` positions) and the number of positions written so
    far, all state. Made by `MultiHeadAttention.init_cache` (or `nn.init_cache` for a
    whole model), advanced by the layer's calls, never by hand.

    **Fields:** `key`: `(*batch, num_heads, head_dim, max_length)`, the projected keys
    (rotated, with rotary positions), and `value`: `(*batch, num_heads, max_length,
    head_dim)`, the projected values: each head's keys and values laid out as the two
    products of attention read them, so a step reads the buffers without transposing
    them; `index`: the next position to write.
    """

    key: Float[Array, "*batch heads head_dim max_length"]
    value: Float[Array, "*batch heads max_length head_dim"]
    index: Int[Array, ""]

    @property
    def max_length(self) -> int:
        return int(self.value.shape[-2])

    def append(self, key: jax.Array, value: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Write `key`, `value` (`(*batch, time, heads, head_dim)`) at `index`, advance it;
        return all the buffers, in their layouts (a mutation of the cache)."""
        start = self.index
        zero = jnp.zeros((), start.dtype)
        batch = (zero,) * (key.ndim - 3)
        self.key = jax.lax.dynamic_update_slice(
            self.key, _key_layout(key, self.key.dtype), (*batch, zero, zero, start)
        )
        self.value = jax.lax.dynamic_update_slice(
            self.value,
            _value_layout(value, self.value.dtype),
            (*batch, zero, start, zero),
        )
        self.index = start + key.shape[-3]
        # Read through a copy that keeps only the positions written: XLA then updates
        # the buffers in place, where it would fuse the update into a direct reader and
        # make it twice, each time on a copy of the whole buffer.
        written = jnp.arange(self.max_length) < self.index
        return (
            jnp.where(written, self.key, jnp.zeros((), self.key.dtype)),
            jnp.where(written[:, None], self.value, jnp.zeros((), self.value.dtype)),
        )

    def _batch_shape(self) -> tuple[int, ...]:
        return tuple(self.key.shape[:-3])

    def _position(self) -> jax.Array:
        return self.index

    def __stacked_view__(self, block: jax.Array) -> KVCache:
        """Block `block` of a `px.Stacked`'s caches, written in place (see `px.Stacked`)."""
        view = object.__new__(_BlockOfKVCache)
        view.__dict__.update(shallow_copy(self).__dict__, block=block)
        return view


def _key_layout(key: jax.Array, dtype: Any) -> jax.Array:
    """New keys `(*batch, time, heads, head_dim)` in the cache's layout for keys."""
    return jnp.moveaxis(key, -3, -1).astype(dtype)


def _value_layout(value: jax.Array, dtype: Any) -> jax.Array:
    """New values `(*batch, time, heads, head_dim)` in the cache's layout for values."""
    return jnp.swapaxes(value, -3, -2).astype(dtype)


class _BlockOfKVCache(KVCache):
    """Block `block` of the caches of a `px.Stacked`, seen inside the stack's scan: the
    stacked buffers whole (a leading axis of the blocks), so that a step writes the new
    positions into the scan's carry in place. Handing each block a copy of its buffers,
    and writing them back, would cost more than the block's attention."""

    index: Int[Array, " blocks"]
    block: Int[Array, ""]

    def append(self, key: jax.Array, value: jax.Array) -> tuple[jax.Array, jax.Array]:
        block = self.block.astype(self.index.dtype)
        start = self._position()
        zero = jnp.zeros((), start.dtype)
        batch = (zero,) * (key.ndim - 3)
        self.key = jax.lax.dynamic_update_slice(
            self.key,
            _key_layout(key, self.key.dtype)[None],
            (block, *batch, zero, zero, start),
        )
        self.value = jax.lax.dynamic_update_slice(
            self.value,
            _value_layout(value, self.value.dtype)[None],
            (block, *batch, zero, start, zero),
        )
        self.index = jax.lax.dynamic_update_index_in_dim(
            self.index, start + key.shape[-3], block, 0
        )
        return (
            jax.lax.dynamic_index_in_dim(self.key, block, keepdims=False),
            jax.lax.dynamic_index_in_dim(self.value, block, keepdims=False),
        )

    def _batch_shape(self) -> tuple[int, ...]:
        return tuple(self.key.shape[1:-3])

    def _position(self) -> jax.Array:
        position: jax.Array = jax.lax.dynamic_index_in_dim(
            self.index, self.block, keepdims=False
        )
        return position

    def __stacked_whole__(self) -> KVCache:
        whole = object.__new__(KVCache)
        whole.__dict__.update(shallow_copy(self).__dict__)
        del whole.__dict__["block"]
        return whole


class MultiHeadAttention(Module):
    """Multi-head attention (Vaswani et al., 2017) with projections `q_proj`, `k_proj`,
    `v_proj` and `out_proj` (each an `nn.Linear(dim, dim)`, initialised as `nn.Linear`).

    Called as `mha(q, k, v, *, mask=None, causal=False)` on `(*batch, time, dim)` arrays
    (`k` and `v` share their time axis, which may differ from `q`'s). Head `h` takes the
    contiguous block `h*d:(h+1)*d` of the projected features (`d = dim // num_heads`);
    scores are scaled by `1/sqrt(d)` and the softmax runs in float32 whatever the
    computation dtype. `mask` (True = attend) broadcasts to `(*batch, num_heads, time_q,
    time_k)`; `causal=True` lets query `i` attend to keys `0..i` only; given both, a key
    is attended where both allow it. Without a cache it has no state: calling it is
    read-only.

    With `rotary`, each head's queries and keys are rotated by their positions
    (`nn.RotaryPositionalEmbedding` over the head size) before the scores.

    With a cache (`init_cache(batch_size, max_length)` returns a copy that holds one), it
    is self-attention over everything seen so far: `q`, `k`, `v` are the `time` new
    positions (`q`'s shape), written into the cache at `cache.index`, and the queries
    attend to the cached keys (with `causal`, to those at or before their own position;
    `mask` then broadcasts to `(*batch, num_heads, time, max_length)`). That changes the
    cache, so call it with `px.purecall`. Feeding a prefix in any number of calls gives
    the outputs of one call on the whole prefix (float tolerance). A call that would
    write past `max_length` is refused, or, under a trace, where it cannot be, gives NaN.

    **Arguments:** `num_heads` (must divide `dim`), `dim`; keyword-only `use_bias`,
    `kernel_init` and `bias_init` (of the four projections, as `nn.Linear`'s), `rotary`
    (`False`, `True` for RoFormer's rotation with base 10000, or an
    `nn.RotaryPositionalEmbedding(dim // num_heads, ...)` of your own),
    `dtype` (computation dtype; `None` follows the input), `param_dtype`, `sharding`,
    `key`. `sharding` names the mesh axis the heads are split over (tensor parallelism
    as in Megatron-LM: `q_proj`, `k_proj`, `v_proj` split their outputs, `(None, axis)`,
    and `out_proj` its inputs, `(axis, None)`, so each device computes whole heads);
    `None` (default): replicated.

    **Returns:** `(*batch, time_q, dim)`.

    ```python
    mha = nn.MultiHeadAttention(2, 8, rotary=True, key=jax.random.key(0))
    x = jnp.ones((3, 5, 8))
    y = mha(x, x, x, causal=True)  # (3, 5, 8)
    decoder = mha.init_cache(3, max_length=16)
    decoder, y0 = px.purecall(decoder, x[:, :1], x[:, :1], x[:, :1], causal=True)  # position 0
    ```
    """

    q_proj: Linear
    k_proj: Linear
    v_proj: Linear
    out_proj: Linear
    rotary: RotaryPositionalEmbedding | None
    cache: KVCache | None
    num_heads: int = static()
    dim: int = static()
    dtype: Any = static()

    def __init__(
        self,
        num_heads: int,
        dim: int,
        *,
        use_bias: bool = True,
        kernel_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        rotary: bool | RotaryPositionalEmbedding = False,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        sharding: str | None = None,
        key: PRNGKeyArray,
    ) -> None:
        if num_heads < 1 or dim % num_heads:
            raise ArgumentError(
                f"MultiHeadAttention: num_heads={num_heads} must be positive and divide dim={dim}."
            )
        qkey, kkey, vkey, okey = jax.random.split(key, 4)
        if sharding is not None and not isinstance(sharding, str):
            raise ArgumentError(
                f"MultiHeadAttention: sharding={sharding!r}; give the name of the mesh axis that "
                'splits the heads, e.g. sharding="model" (or None to replicate).'
            )
        head_dim = dim // num_heads
        if isinstance(rotary, RotaryPositionalEmbedding):
            if rotary.dim != head_dim:
                raise ArgumentError(
                    f"MultiHeadAttention: rotary rotates {rotary.dim} features, but each of the {num_heads} "
                    f"heads has dim // num_heads = {head_dim}; build it as "
                    f"nn.RotaryPositionalEmbedding({head_dim}, ...)."
                )
            self.rotary = rotary
        elif rotary is True:
            if head_dim % 2:
                raise ArgumentError(
                    f"MultiHeadAttention: rotary=True rotates pairs of features, but each head has "
                    f"dim // num_heads = {head_dim}, an odd number; choose num_heads so that it is even."
                )
            self.rotary = RotaryPositionalEmbedding(head_dim)
        elif rotary is False:
            self.rotary = None
        else:
            raise ArgumentError(
                f"MultiHeadAttention: rotary={rotary!r}; give True, False or an nn.RotaryPositionalEmbedding."
            )
        options: dict[str, Any] = {
            "use_bias": use_bias,
            "kernel_init": kernel_init,
            "bias_init": bias_init,
            "dtype": dtype,
            "param_dtype": param_dtype,
        }
        split_outputs, split_inputs = (None, sharding), (sharding, None)
        self.q_proj = Linear(
            dim, dim, key=qkey, sharding=split_outputs if sharding else None, **options
        )
        self.k_proj = Linear(
            dim, dim, key=kkey, sharding=split_outputs if sharding else None, **options
        )
        self.v_proj = Linear(
            dim, dim, key=vkey, sharding=split_outputs if sharding else None, **options
        )
        self.out_proj = Linear(
            dim, dim, key=okey, sharding=split_inputs if sharding else None, **options
        )
        self.cache = None
        self.num_heads = num_heads
        self.dim = dim
        self.dtype = dtype

    def init_cache(
        self,
        batch_size: int | tuple[int, ...],
        max_length: int,
        *,
        dtype: DType | None = None,
    ) -> MultiHeadAttention:
        """A copy of this layer with an empty `KVCache` for decoding (any cache it held is
        dropped); the layer itself is unchanged.

        **Arguments:** `batch_size` (an int, or the tuple of batch axes of the inputs it
        will see), `max_length` (the positions it can hold); `dtype` of the buffers
        (default: the layer's `dtype`, else its parameters').
        """
        batch = (batch_size,) if isinstance(batch_size, int) else tuple(batch_size)
        if max_length < 1 or any(not isinstance(b, int) or b < 1 for b in batch):
            raise ArgumentError(
                f"MultiHeadAttention.init_cache: batch_size={batch_size!r} and max_length={max_length!r} must be "
                "positive whole numbers (batch_size may be a tuple of them, one per batch axis)."
            )
        dtype = (
            dtype
            if dtype is not None
            else (self.dtype if self.dtype is not None else self.k_proj.weight.dtype)
        )
        heads, d = self.num_heads, self.dim // self.num_heads
        cache = KVCache(
            jnp.zeros((*batch, heads, d, max_length), dtype),
            jnp.zeros((*batch, heads, max_length, d), dtype),
            jnp.zeros((), jnp.int32),
        )
        new = shallow_copy(self)
        new.__dict__["cache"] = cache
        return new

    def __call__(
        self,
        q: Float[Array, "*batch time_q dim"],
        k: Float[Array, "*batch time_k dim"],
        v: Float[Array, "*batch time_k dim"],
        *,
        mask: Bool[Array, "..."] | None = None,
        causal: bool = False,
    ) -> Float[Array, "*batch time_q dim"]:
        heads, d = self.num_heads, self.dim // self.num_heads
        dtype = self.dtype if self.dtype is not None else q.dtype

        def split(
            x: jax.Array,
        ) -> jax.Array:  # (*batch, time, dim) -> (*batch, time, heads, d)
            return x.reshape(*x.shape[:-1], heads, d)

        query = split(self.q_proj(q.astype(dtype)))
        key = split(self.k_proj(k.astype(dtype)))
        value = split(self.v_proj(v.astype(dtype)))
        time_q, time_k = q.shape[-2], k.shape[-2]
        overflow = None
        if self.cache is None:
            positions_q, positions_k = jnp.arange(time_q), jnp.arange(time_k)
        else:
            start, overflow = self._check_cache(q, k, v)
            positions_q = positions_k = start + jnp.arange(time_q)
        if self.rotary is not None:
            query = rotate_heads(self.rotary, query, positions_q)
            key = rotate_heads(self.rotary, key, positions_k)
        allowed = None if mask is None else jnp.asarray(mask, bool)
        if self.cache is not None:
            key, value = self.cache.append(key, value)
            key, value = key.astype(dtype), value.astype(dtype)
            positions_k = jnp.arange(self.cache.max_length)
            written = (
                positions_k < start + time_q
            )  # the positions not written yet are zeros
            allowed = written if allowed is None else jnp.logical_and(allowed, written)
        if causal:
            lower = positions_k[None, :] <= positions_q[:, None]
            allowed = lower if allowed is None else jnp.logical_and(allowed, lower)
        keys, values = (
            ("...khd", "...khd") if self.cache is None else ("...hdk", "...hkd")
        )
        scores = jnp.einsum(
            f"...qhd,{keys}->...hqk", query / jnp.asarray(math.sqrt(d), dtype), key
        )
        scores = scores.astype(jnp.promote_types(scores.dtype, jnp.float32))
        if allowed is not None:
            allowed = jnp.broadcast_to(allowed, scores.shape)
            scores = jnp.where(allowed, scores, np.finfo(scores.dtype).min)
        weights = jax.nn.softmax(scores, axis=-1).astype(dtype)
        out = jnp.einsum(f"...hqk,{values}->...qhd", weights, value)
        out = self.out_proj(out.reshape(*out.shape[:-2], self.dim))
        if overflow is not None:
            out = jnp.where(overflow, jnp.asarray(jnp.nan, out.dtype), out)
        return out

    def _check_cache(
        self, q: jax.Array, k: jax.Array, v: jax.Array
    ) -> tuple[jax.Array, jax.Array | None]:
        """The position the new keys go to, and (under a trace) whether they overflow."""
        cache = self.cache
        assert cache is not None
        batch, time = cache._batch_shape(), q.shape[-2]
        if k.shape != q.shape or v.shape != q.shape or q.shape[:-2] != batch:
            raise ArgumentError(
                f"MultiHeadAttention with a cache is self-attention over the new positions: q, k and v must "
                f"have one shape (*batch, time, dim) with the cache's batch axes {batch}, got {q.shape}, "
                f"{k.shape} and {v.shape}. Pass the same new positions as q, k and v, or make the cache "
                "with init_cache(batch_size, max_length) for this batch."
            )
        if time > cache.max_length:
            raise ArgumentError(
                f"MultiHeadAttention: {time} new positions do not fit in a cache of max_length="
                f"{cache.max_length}; make it with init_cache(batch_size, max_length) of at least {time}."
            )
        start = cache._position()
        if isinstance(start, Tracer):
            return start, start + time > cache.max_length
        if int(start) + time > cache.max_length:
            raise ArgumentError(
                f"MultiHeadAttention: the cache holds {int(start)} of its max_length={cache.max_length} "
                f"positions, so {time} more do not fit. Make a longer one with init_cache(batch_size, "
                "max_length), or start again from a fresh one."
            )
        return start, None


def init_cache(
    model: _M,
    batch_size: int | tuple[int, ...],
    max_length: int,
    *,
    dtype: DType | None = None,
) -> _M:
    """A copy of `model` in which every `nn.MultiHeadAttention` holds an empty `KVCache`.

    Blocks of a `px.Stacked` get one cache each, stacked (a leading axis of the
    number of blocks). Any cache already there is replaced by an empty one, so this
    also starts decoding afresh. `model` itself is unchanged.

    **Arguments:** `model`, any module; `batch_size`, `max_length`, `dtype` as in
    `MultiHeadAttention.init_cache`.

    **Returns:** the copy, to decode with through `px.purecall`.

    ```python
    decoder = nn.init_cache(model, batch_size=1, max_length=128)
    decoder, logits = px.purecall(decoder, first_token)
    ```
    """
    if not isinstance(model, Module):
        raise ArgumentError(
            f"nn.init_cache takes a purepax module, got {type(model).__name__}."
        )
    found = [False]

    def visit(module: Module, blocks: tuple[int, ...]) -> Module:
        if isinstance(module, MultiHeadAttention):
            found[0] = True
            layer = module.init_cache(batch_size, max_length, dtype=dtype)
            if blocks:  # in a stack: one cache per block, stacked
                layer.__dict__["cache"] = jax.tree_util.tree_map(
                    lambda a: jnp.zeros((*blocks, *a.shape), a.dtype), layer.cache
                )
            return layer
        if isinstance(module, Stacked):
            blocks = (*blocks, len(module))
        # Every other array is the model's own (not a copy): a decode loop sees that
        # the weights did not change (`_apart.py`).
        new = shallow_copy(module)
        for name in spec_of(type(module)).dynamic_names(module):
            new.__dict__[name] = map_submodules(
                lambda m: visit(m, blocks), module.__dict__[name]
            )
        return new

    cached = visit(model, ())
    if not found[0]:
        raise ArgumentError(
            f"nn.init_cache: the {type(model).__name__} holds no nn.MultiHeadAttention, so there is nothing to "
            "cache. Pass the model whose attention layers should decode with a cache."
        )
    return cached  # type: ignore[return-value]
