"""px.cast: floating-point parameters cast; state, integers and PRNG keys untouched."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxtyping import Array, Float, Int

import purepax as px
from purepax import nn


class Counter(px.StateModule):
    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    running: Float[Array, "n"] = px.state(default_factory=lambda: jnp.full(3, 0.1))
    key: jax.Array = px.state(default_factory=lambda: jax.random.key(0))
    scale: Float[Array, "n"] = px.param(default_factory=lambda: jnp.full(3, 1.1))

    def __call__(self, x: jax.Array) -> jax.Array:
        self.count = self.count + 1
        return x * self.scale


class Model(px.Module):
    layer: nn.Linear
    counter: Counter
    table: Int[Array, "k"]
    ema: nn.Linear = px.state()

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.counter(self.layer(x))


def _model(getkey) -> Model:
    return Model(
        nn.Linear(3, 3, key=getkey()),
        Counter(),
        jnp.arange(4),
        nn.Linear(3, 3, key=getkey()),
    )


def test_casts_floating_parameters_only(getkey):
    model = _model(getkey)
    half = px.cast(model, jnp.bfloat16)
    assert isinstance(half, Model)
    assert (
        half.layer.weight.dtype == jnp.bfloat16
        and half.layer.bias is not None
        and half.layer.bias.dtype == jnp.bfloat16
    )
    assert half.counter.scale.dtype == jnp.bfloat16
    # state, integer arrays and keys are untouched (the same arrays)
    assert (
        half.counter.count is model.counter.count
        and half.counter.running is model.counter.running
    )
    assert half.counter.key is model.counter.key
    assert half.table is model.table
    assert half.ema.weight is model.ema.weight  # a submodule kept as state
    # the original is unchanged
    assert (
        model.layer.weight.dtype == jnp.float32
        and model.counter.scale.dtype == jnp.float32
    )


def test_bfloat16_round_trip(getkey):
    model = _model(getkey)
    back = px.cast(px.cast(model, jnp.bfloat16), jnp.float32)
    assert jax.tree.structure(back) == jax.tree.structure(model)
    for before, after in zip(
        jax.tree.leaves(px.parameters(model)), jax.tree.leaves(px.parameters(back))
    ):
        assert after.dtype == before.dtype
        np.testing.assert_allclose(after, before, rtol=2**-8)
    np.testing.assert_allclose(
        back.layer.weight, model.layer.weight.astype(jnp.bfloat16).astype(jnp.float32)
    )


def test_cast_model_still_runs_and_mutates_through_purecall(getkey):
    half = px.cast(_model(getkey), jnp.bfloat16)
    new, y = px.jit(lambda m, x: px.purecall(m, x))(
        half, jnp.ones((2, 3), jnp.bfloat16)
    )
    assert y.dtype == jnp.bfloat16
    assert (
        int(new.counter.count) == 1
        and new.counter.count.dtype == half.counter.count.dtype
    )


def test_abstract_models_and_bad_arguments(getkey):
    abstract = jax.eval_shape(lambda: nn.Linear(3, 2, key=jax.random.key(0)))
    cast = px.cast(abstract, jnp.float16)
    assert cast.weight.dtype == jnp.float16 and cast.weight.shape == (3, 2)
    with pytest.raises(TypeError, match="floating-point dtype"):
        px.cast(_model(getkey), jnp.int8)
    with pytest.raises(TypeError, match="purepax module"):
        px.cast({"w": jnp.ones(2)}, jnp.bfloat16)
