"""Normalisation layers: `LayerNorm`, `RMSNorm`, `GroupNorm` and `BatchNorm`.

All of them compute their statistics in at least float32 (as Flax does), so a bfloat16
model normalises as accurately as a float32 one, and return the computation dtype
(`dtype`, or the input's dtype when `dtype` is None). Affine parameters are `scale`
(initially 1; output `normalised * scale + bias`) and `bias` (initially 0), `None` where
turned off. `scale_init` and `bias_init` replace those initial values (see `affine`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ArgumentError
from .._fields import state, static
from .._module import Module
from ._init import Initializer, initialize

# `jax.lax.pmean` is untyped in JAX's stubs; this names the signature used here.
_pmean: Callable[[jax.Array, Hashable], jax.Array] = jax.lax.pmean


def _shape(shape: int | Sequence[int]) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)


def compute_dtype(x: jax.Array, dtype: Any) -> Any:
    """The computation dtype of a layer: `dtype`, else the input's (if floating), else float32."""
    if dtype is not None:
        return dtype
    return x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.float32


def _stats_dtype(x: jax.Array) -> Any:
    return jnp.promote_types(x.dtype, jnp.float32)


def _standardised_and_rstd(
    x: jax.Array, axes: tuple[int, ...], eps: float
) -> tuple[jax.Array, jax.Array]:
    centred = x - jnp.mean(x, axis=axes, keepdims=True)
    rstd = jax.lax.rsqrt(jnp.mean(jnp.square(centred), axis=axes, keepdims=True) + eps)
    return centred * rstd, rstd


@partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _standardise(x: jax.Array, axes: tuple[int, ...], eps: float) -> jax.Array:
    """`(x - mean) / sqrt(var + eps)` over `axes`, the variance taken about the mean
    (two passes: the stable way).

    Its derivative is given by hand (a custom JVP, so forward mode, reverse mode and
    higher orders all work): `rstd * (dxc - xhat * mean(xhat * dxc))`, `dxc` the centred
    tangent. Reverse mode, JAX's transpose of it, keeps only `xhat` and `rstd` for the
    backward pass, where differentiating the formula op by op keeps the centred input as
    well and does more passes over it. Layer norms are a memory-bound part of a
    transformer's train step: this makes char_lm's step 7% faster on CPU
    (`benchmarks/train_step.py`), its values equal to float precision.
    """
    return _standardised_and_rstd(x, axes, eps)[0]


@_standardise.defjvp
def _standardise_jvp(
    axes: tuple[int, ...],
    eps: float,
    primals: tuple[jax.Array],
    tangents: tuple[jax.Array],
) -> tuple[jax.Array, jax.Array]:
    (x,), (dx,) = primals, tangents
    standardised, rstd = _standardised_and_rstd(x, axes, eps)
    dcentred = dx - jnp.mean(dx, axis=axes, keepdims=True)
    along = jnp.mean(standardised * dcentred, axis=axes, keepdims=True)
    return standardised, rstd * (dcentred - standardised * along)


def _affine(
    normalised: jax.Array, scale: jax.Array | None, bias: jax.Array | None, dtype: Any
) -> jax.Array:
    if scale is not None:
        normalised = normalised * scale.astype(normalised.dtype)
    if bias is not None:
        normalised = normalised + bias.astype(normalised.dtype)
    return normalised.astype(dtype)


def affine(
    layer: str,
    shape: tuple[int, ...],
    use_scale: bool,
    use_bias: bool,
    scale_init: Initializer | None,
    bias_init: Initializer | None,
    key: PRNGKeyArray | None,
    dtype: Any,
) -> tuple[jax.Array | None, jax.Array | None]:
    """A norm's `scale` (ones) and `bias` (zeros) of `shape`, or what `scale_init` and
    `bias_init` draw, with `key` (the bias with `fold_in(key, 1)`). Without a key they
    get `jax.random.key(0)`: enough for the constant initializers a norm usually takes.
    """
    scale = jnp.ones(shape, dtype) if use_scale else None
    bias = jnp.zeros(shape, dtype) if use_bias else None
    if scale_init is None and bias_init is None:
        return scale, bias
    key = jax.random.key(0) if key is None else key
    if scale is not None and scale_init is not None:
        scale = initialize(layer, "scale_init", scale_init, key, shape, dtype)
    if bias is not None and bias_init is not None:
        bias_key = jax.random.fold_in(key, 1)
        bias = initialize(layer, "bias_init", bias_init, bias_key, shape, dtype)
    return scale, bias


def _check_trailing(layer: str, x: jax.Array, shape: tuple[int, ...]) -> None:
    if tuple(x.shape[x.ndim - len(shape) :]) != shape or x.ndim < len(shape):
        raise ArgumentError(
            f"{layer} normalises over the trailing shape {shape}, but got an input of shape "
            f"{tuple(x.shape)}. Give an input whose last {len(shape)} axes are {shape}."
        )


class LayerNorm(Module):
    """Layer normalisation over the trailing `shape` of the input (Ba et al., 2016).

    `(x - mean) / sqrt(var + eps) * scale + bias`, mean and (biased) variance taken over
    the last `len(shape)` axes. Parameters `scale` (ones) and `bias` (zeros), each of
    shape `shape` or `None` where turned off; no state, so calling it is read-only in
    both modes. Initialised as PyTorch and Flax do. The variance is taken about the mean
    (two passes, not Flax's faster `E[x²] − E[x]²`); the derivative is written by hand, so
    the backward pass keeps less and reads less than differentiating the formula would.

    **Arguments:** `shape` (int or tuple: the trailing axes normalised over); keyword-only
    `eps`, `use_scale`, `use_bias`, `scale_init` and `bias_init` (initializers
    `(key, shape, dtype) -> array`, e.g. `jax.nn.initializers.zeros`, called with `shape`
    as Flax calls them; `None`: ones and zeros), `dtype` (computation dtype; `None`
    follows the input), `param_dtype` (storage dtype of `scale` and `bias`), `key` (for a
    random initializer; without one they get `jax.random.key(0)`).

    **Returns** (when called on `(*batch, *shape)`): an array of the same shape.

    ```python
    norm = nn.LayerNorm(4)
    y = norm(jnp.arange(8.0).reshape(2, 4))
    ```
    """

    scale: Float[Array, "*shape"] | None
    bias: Float[Array, "*shape"] | None
    shape: tuple[int, ...] = static()
    eps: float = static()
    dtype: Any = static()

    def __init__(
        self,
        shape: int | Sequence[int],
        *,
        eps: float = 1e-5,
        use_scale: bool = True,
        use_bias: bool = True,
        scale_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray | None = None,
    ) -> None:
        self.shape = _shape(shape)
        self.eps = eps
        self.dtype = dtype
        self.scale, self.bias = affine(
            "LayerNorm",
            self.shape,
            use_scale,
            use_bias,
            scale_init,
            bias_init,
            key,
            param_dtype,
        )

    def __call__(self, x: Float[Array, "*dims"]) -> Float[Array, "*dims"]:
        _check_trailing("LayerNorm", x, self.shape)
        axes = tuple(range(x.ndim - len(self.shape), x.ndim))
        normalised = _standardise(x.astype(_stats_dtype(x)), axes, self.eps)
        return _affine(normalised, self.scale, self.bias, compute_dtype(x, self.dtype))


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing `shape` (Zhang and Sennrich, 2019).

    `x / sqrt(mean(x**2) + eps) * scale (+ bias)`, the mean over the last `len(shape)`
    axes (no centring). Parameter `scale` (ones), and `bias` (zeros) only with
    `use_bias=True` (else `None`, as in Flax and T5/LLaMA); no state. Initialised as Flax.

    **Arguments:** `shape` (int or tuple); keyword-only `eps`, `use_scale`, `use_bias`,
    `scale_init`, `bias_init`, `dtype`, `param_dtype`, `key` (as `LayerNorm`).

    **Returns** (when called on `(*batch, *shape)`): an array of the same shape.

    ```python
    norm = nn.RMSNorm(4)
    y = norm(jnp.arange(8.0).reshape(2, 4))
    ```
    """

    scale: Float[Array, "*shape"] | None
    bias: Float[Array, "*shape"] | None
    shape: tuple[int, ...] = static()
    eps: float = static()
    dtype: Any = static()

    def __init__(
        self,
        shape: int | Sequence[int],
        *,
        eps: float = 1e-6,
        use_scale: bool = True,
        use_bias: bool = False,
        scale_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray | None = None,
    ) -> None:
        self.shape = _shape(shape)
        self.eps = eps
        self.dtype = dtype
        self.scale, self.bias = affine(
            "RMSNorm",
            self.shape,
            use_scale,
            use_bias,
            scale_init,
            bias_init,
            key,
            param_dtype,
        )

    def __call__(self, x: Float[Array, "*dims"]) -> Float[Array, "*dims"]:
        _check_trailing("RMSNorm", x, self.shape)
        axes = tuple(range(x.ndim - len(self.shape), x.ndim))
        x32 = x.astype(_stats_dtype(x))
        mean_square = jnp.mean(jnp.square(x32), axis=axes, keepdims=True)
        normalised = x32 * jax.lax.rsqrt(mean_square + self.eps)
        return _affine(normalised, self.scale, self.bias, compute_dtype(x, self.dtype))


class GroupNorm(Module):
    """Group normalisation (Wu and He, 2018) over groups of contiguous channels.

    The input is channels-last `(batch, *spatial, num_channels)`; channel `c` belongs to
    group `c // (num_channels // num_groups)`. Mean and (biased) variance are taken per
    example and group, over the spatial axes and the group's channels. Parameters `scale`
    (ones) and `bias` (zeros) of shape `(num_channels,)`, `None` where turned off; no
    state. Initialised as PyTorch and Flax do.

    **Arguments:** `num_groups` (must divide `num_channels`), `num_channels`; keyword-only
    `eps`, `use_scale`, `use_bias`, `scale_init`, `bias_init` (called with shape
    `(num_channels,)`), `dtype`, `param_dtype`, `key` (as `LayerNorm`).

    **Returns:** an array of the input's shape.

    ```python
    norm = nn.GroupNorm(2, 4)
    y = norm(jnp.arange(24.0).reshape(2, 3, 4))
    ```
    """

    scale: Float[Array, "num_channels"] | None
    bias: Float[Array, "num_channels"] | None
    num_groups: int = static()
    num_channels: int = static()
    eps: float = static()
    dtype: Any = static()

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        *,
        eps: float = 1e-5,
        use_scale: bool = True,
        use_bias: bool = True,
        scale_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray | None = None,
    ) -> None:
        if num_groups < 1 or num_channels % num_groups:
            raise ArgumentError(
                f"GroupNorm: num_groups={num_groups} must be positive and divide "
                f"num_channels={num_channels}."
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.dtype = dtype
        self.scale, self.bias = affine(
            "GroupNorm",
            (num_channels,),
            use_scale,
            use_bias,
            scale_init,
            bias_init,
            key,
            param_dtype,
        )

    def __call__(
        self, x: Float[Array, "batch *spatial num_channels"]
    ) -> Float[Array, "batch *spatial num_channels"]:
        if x.ndim < 2 or x.shape[-1] != self.num_channels:
            raise ArgumentError(
                f"GroupNorm expects a channels-last input (batch, *spatial, {self.num_channels}), "
                f"got shape {tuple(x.shape)}."
            )
        x32 = x.astype(_stats_dtype(x))
        grouped = x32.reshape(
            *x.shape[:-1], self.num_groups, self.num_channels // self.num_groups
        )
        axes = (
            *range(1, x.ndim - 1),
            x.ndim,
        )  # spatial axes and the channels of a group
        normalised = _standardise(grouped, axes, self.eps).reshape(x.shape)
        return _affine(normalised, self.scale, self.bias, compute_dtype(x, self.dtype))


class BatchNorm(Module):
    """Batch normalisation (Ioffe and Szegedy, 2015) over every axis but the last.

    Parameters `scale` (ones) and `bias` (zeros); state `mean` (zeros) and `var` (ones),
    the running statistics, all of shape `(num_features,)`.

    - Training mode (`px.train_mode`, the default): normalises with the statistics of the
      batch (mean and biased variance over every axis but the last) and updates the
      running ones, `running = momentum * running + (1 - momentum) * batch` (Flax's
      convention). That is a mutation: call it through `px.purecall` / `px.pure`.
    - Eval mode (`px.eval_mode`): normalises with the running statistics and changes
      nothing (a read-only call).

    With `axis_name`, the batch statistics are averaged over that named axis too
    (`jax.lax.pmean`), for a batch split across `jax.vmap`/`jax.pmap`/`shard_map` (each
    shard the same size). Initialised as PyTorch and Flax do.

    **Arguments:** `num_features`; keyword-only `momentum`, `eps`, `use_scale`,
    `use_bias`, `scale_init`, `bias_init` (called with shape `(num_features,)`; the
    running statistics start at zeros and ones whatever they are), `axis_name`, `dtype`,
    `param_dtype` (storage of parameters and statistics), `key` (as `LayerNorm`).

    **Returns:** an array of the input's shape.

    ```python
    bn = nn.BatchNorm(3)
    bn, y = px.purecall(bn, jnp.arange(6.0).reshape(2, 3))   # training: updates bn.mean/var
    y = px.eval_mode(bn)(jnp.ones((2, 3)))                    # eval: read-only
    ```
    """

    scale: Float[Array, "num_features"] | None
    bias: Float[Array, "num_features"] | None
    mean: Float[Array, "num_features"] = state()
    var: Float[Array, "num_features"] = state()
    num_features: int = static()
    momentum: float = static()
    eps: float = static()
    axis_name: Hashable | None = static()
    dtype: Any = static()

    def __init__(
        self,
        num_features: int,
        *,
        momentum: float = 0.99,
        eps: float = 1e-5,
        use_scale: bool = True,
        use_bias: bool = True,
        axis_name: Hashable | None = None,
        scale_init: Initializer | None = None,
        bias_init: Initializer | None = None,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        key: PRNGKeyArray | None = None,
    ) -> None:
        self.num_features = num_features
        self.momentum = momentum
        self.eps = eps
        self.axis_name = axis_name
        self.dtype = dtype
        self.scale, self.bias = affine(
            "BatchNorm",
            (num_features,),
            use_scale,
            use_bias,
            scale_init,
            bias_init,
            key,
            param_dtype,
        )
        self.mean = jnp.zeros((num_features,), param_dtype)
        self.var = jnp.ones((num_features,), param_dtype)

    def __call__(
        self, x: Float[Array, "*batch num_features"]
    ) -> Float[Array, "*batch num_features"]:
        if x.ndim < 1 or x.shape[-1] != self.num_features:
            raise ArgumentError(
                f"BatchNorm expects an input whose last axis has {self.num_features} features, "
                f"got shape {tuple(x.shape)}."
            )
        x32 = x.astype(_stats_dtype(x))
        if self.training:
            axes = tuple(range(x.ndim - 1))
            mean = jnp.mean(x32, axis=axes)
            if self.axis_name is not None:
                mean = _pmean(mean, self.axis_name)
            var = jnp.mean(jnp.square(x32 - mean), axis=axes)
            if self.axis_name is not None:
                var = _pmean(var, self.axis_name)
            m = self.momentum
            self.mean = (m * self.mean + (1 - m) * jax.lax.stop_gradient(mean)).astype(
                self.mean.dtype
            )
            self.var = (m * self.var + (1 - m) * jax.lax.stop_gradient(var)).astype(
                self.var.dtype
            )
        else:
            mean, var = self.mean.astype(x32.dtype), self.var.astype(x32.dtype)
        normalised = (x32 - mean) * jax.lax.rsqrt(var + self.eps)
        return _affine(normalised, self.scale, self.bias, compute_dtype(x, self.dtype))
