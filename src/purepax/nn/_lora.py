"""LoRA (Hu et al., 2021): low-rank adapters on `nn.Linear` layers, and merging them back.

`LoRALinear` is an `nn.Linear` (a subclass, so it goes wherever a field is annotated
`nn.Linear`) that adds `scale * x @ lora_a @ lora_b` to the linear map, as Flax NNX's
`nnx.LoRALinear` does (`lora_a` He-uniform, `lora_b` zeros, so a fresh adapter changes
nothing). `lora` puts adapters on the layers a selector picks (the selectors of
`px.select`), `lora_trainable` is the optimizer predicate that trains only them, and
`merge_lora` folds each adapter into a plain `nn.Linear` for inference.
"""

from __future__ import annotations

from typing import Any, TypeVar

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._fields import Sharding
from .._module import Module, replace_fields
from .._paths import Where, get, select, update_selected
from ._linear import Linear
from ._precision import DType, compute_dtype

_M = TypeVar("_M", bound=Module)


class LoRALinear(Linear):
    """An `nn.Linear` with a low-rank adapter: `x @ weight + bias + scale * x @ lora_a @ lora_b`.

    The adapter is `lora_a` `(in_features, rank)`, drawn He-uniform, and `lora_b`
    `(rank, out_features)`, zeros, as in Flax NNX's `nnx.LoRALinear`: a new adapter
    leaves the layer's output unchanged. `scale` is 1 (NNX), or `alpha / rank` when
    `alpha` is given (the LoRA paper, PEFT). Train only the adapter with
    `Optimizer(tx, model, trainable=nn.lora_trainable)`; fold it in with `nn.merge_lora`.

    **Arguments:** those of `nn.Linear`, and `rank` (the adapter's inner size) and
    `alpha` (optional; the scale is `alpha / rank`). `LoRALinear.wrap(linear, ...)`
    adapts a layer you have, keeping its weights.

    **Returns:** called on `(*batch, in_features)`, an array `(*batch, out_features)`.

    ```python
    layer = nn.LoRALinear(3, 4, rank=2, key=jax.random.key(0))
    y = layer(jnp.ones((2, 3)))   # (2, 4)
    ```
    """

    lora_a: Float[Array, "in_features rank"]
    lora_b: Float[Array, "rank out_features"]
    rank: int
    scale: float

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rank: int,
        alpha: float | None = None,
        use_bias: bool = True,
        dtype: DType | None = None,
        param_dtype: DType = jnp.float32,
        sharding: Sharding = None,
        key: PRNGKeyArray,
    ) -> None:
        if not isinstance(rank, int) or rank < 1:
            raise ArgumentError(
                f"nn.LoRALinear: rank must be a whole number of 1 or more, got {rank!r}."
            )
        base_key, a_key = jax.random.split(key)
        super().__init__(
            in_features,
            out_features,
            use_bias=use_bias,
            dtype=dtype,
            param_dtype=param_dtype,
            sharding=sharding,
            key=base_key,
        )
        self.lora_a = jax.nn.initializers.he_uniform()(
            a_key, (in_features, rank), param_dtype
        )
        self.lora_b = jnp.zeros((rank, out_features), param_dtype)
        self.rank = rank
        self.scale = 1.0 if alpha is None else float(alpha) / rank

    @classmethod
    def wrap(
        cls,
        linear: Linear,
        *,
        rank: int,
        alpha: float | None = None,
        key: PRNGKeyArray,
    ) -> LoRALinear:
        """An adapter on `linear`: its weight, bias and settings, and a new `lora_a`, `lora_b`.

        ```python
        adapted = nn.LoRALinear.wrap(nn.Linear(3, 4, key=k1), rank=2, key=k2)
        ```
        """
        if not isinstance(linear, Linear) or isinstance(linear, LoRALinear):
            raise ArgumentError(
                "nn.LoRALinear.wrap adapts a plain nn.Linear, got "
                f"{type(linear).__name__}. Merge an adapted layer first (nn.merge_lora)."
            )
        new = cls(
            linear.in_features,
            linear.out_features,
            rank=rank,
            alpha=alpha,
            use_bias=linear.use_bias,
            dtype=linear.dtype,
            param_dtype=linear.weight.dtype,
            sharding=linear.sharding,
            key=key,
        )
        return replace_fields(new, {"weight": linear.weight, "bias": linear.bias})

    def __field_shardings__(self) -> dict[str, Sharding]:
        if self.sharding is None:
            return {}
        inputs, outputs = self.sharding
        return {
            **super().__field_shardings__(),
            "lora_a": (inputs, None),
            "lora_b": (None, outputs),
        }

    def __call__(
        self, x: Float[Array, "*batch in_features"]
    ) -> Float[Array, "*batch out_features"]:
        y = super().__call__(x)
        dtype = compute_dtype(self.dtype, x, self.lora_a)
        x = jnp.asarray(x, dtype)
        update = (x @ self.lora_a.astype(dtype)) @ self.lora_b.astype(dtype)
        return y + (update if self.scale == 1.0 else self.scale * update)

    def merge(self) -> Linear:
        """The plain `nn.Linear` this layer computes: `weight + scale * lora_a @ lora_b`."""
        delta = self.scale * (self.lora_a @ self.lora_b)
        plain = Linear(
            self.in_features,
            self.out_features,
            use_bias=self.use_bias,
            dtype=self.dtype,
            param_dtype=self.weight.dtype,
            sharding=self.sharding,
            key=jax.random.key(0),  # drawn, then replaced by the merged weight
        )
        weight = (self.weight + delta).astype(self.weight.dtype)
        return replace_fields(plain, {"weight": weight, "bias": self.bias})


def lora(
    model: _M,
    where: Where = Linear,
    *,
    rank: int,
    alpha: float | None = None,
    key: PRNGKeyArray,
) -> _M:
    """A copy of `model` with a LoRA adapter on every `nn.Linear` that `where` selects.

    Each selected layer becomes an `nn.LoRALinear` with the layer's weights and a new
    adapter (its own key; one per block inside a `px.Stacked`). A fresh adapter changes
    no output.

    **Arguments:**

    - `model`: any purepax module.
    - `where`: which layers, as for `px.select`: a type (default `nn.Linear`: all of
      them), a glob over paths (`"*attn.*_proj"`) or a predicate `(path, node) -> bool`.
      Every selected node must be a plain `nn.Linear`.
    - `rank`, `alpha`: as for `nn.LoRALinear`.
    - `key`: the PRNG key that draws the adapters.

    **Returns:** the adapted model, of `model`'s type.

    ```python
    adapted = nn.lora(model, "*attn.*_proj", rank=4, key=jax.random.key(1))
    ```
    """
    paths = select(model, where)
    for path in paths:
        node = get(model, path)
        if not isinstance(node, Linear) or isinstance(node, LoRALinear):
            raise ArgumentError(
                f"nn.lora adapts plain nn.Linear layers, but the selector also picks {path!r}, "
                f"a {type(node).__name__}. Select only the linear layers (e.g. "
                "where=nn.Linear, or a glob such as '*attn.*_proj')."
            )
    if not paths:
        raise ArgumentError(
            f"nn.lora: the selector {where!r} picks no nn.Linear in the "
            f"{type(model).__name__}; px.select(model, nn.Linear) lists its linear layers."
        )

    def adapt(linear: Linear, key: jax.Array) -> LoRALinear:
        return LoRALinear.wrap(linear, rank=rank, alpha=alpha, key=key)

    for path, path_key in zip(paths, jax.random.split(key, len(paths))):
        model = update_selected(model, (path,), adapt, path_key, _split)
    return model


def merge_lora(model: _M) -> _M:
    """A copy of `model` with every `nn.LoRALinear` folded into a plain `nn.Linear`.

    The merged model computes the same function (up to rounding) with one matrix per
    layer, as the model looked before `nn.lora`, for inference or export.

    ```python
    plain = nn.merge_lora(adapted)
    ```
    """
    paths = select(model, LoRALinear)
    return update_selected(model, paths, lambda layer, _: layer.merge(), None)


def lora_trainable(path: str, leaf: Any) -> bool:
    """`Optimizer(..., trainable=nn.lora_trainable)`: train the adapters, freeze the rest.

    True for the `lora_a` and `lora_b` parameters of every `nn.LoRALinear`.
    """
    name = path.rsplit(".", 1)[-1]
    return name in ("lora_a", "lora_b")


def _split(key: jax.Array, n: int) -> jax.Array:
    return jax.random.split(key, n)
