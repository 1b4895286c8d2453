"""nn.Dropout: statistics, its key as state, modes, and models that hold it (with BatchNorm)
trained under px.jit, or run in a raw jax.lax.scan (Flax NNX issue #4151)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purepax as px
from purepax import nn


def test_fields_and_rate_checked(getkey):
    key = getkey()
    drop = nn.Dropout(0.3, key=key)
    assert drop.rate == 0.3
    np.testing.assert_array_equal(
        jax.random.key_data(drop.key), jax.random.key_data(key)
    )
    assert px.parameters(drop).key is None  # the key is state, not a parameter
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.Dropout(1.5, key=getkey())


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_statistics_and_exact_scaling(getkey, rate):
    drop = nn.Dropout(rate, key=getkey())
    x = jax.random.uniform(getkey(), (200_000,), minval=1.0, maxval=2.0)
    _, y = px.purecall(drop, x)
    zeroed = y == 0
    assert abs(float(jnp.mean(zeroed)) - rate) < 0.01
    np.testing.assert_array_equal(y[~zeroed], x[~zeroed] / jnp.float32(1 - rate))


def test_key_is_advanced_by_split_and_matches_equinox(getkey, peers):
    key = getkey()
    drop = nn.Dropout(0.5, key=key)
    x = jax.random.normal(getkey(), (64,))
    new, y = px.purecall(drop, x)
    advanced, mask_key = jax.random.split(key)
    np.testing.assert_array_equal(
        jax.random.key_data(new.key), jax.random.key_data(advanced)
    )
    if peers.current("equinox"):
        np.testing.assert_array_equal(y, eqx.nn.Dropout(0.5)(x, key=mask_key))
    np.testing.assert_array_equal(
        jax.random.key_data(drop.key), jax.random.key_data(key)
    )  # caller unchanged
    newer, y2 = px.purecall(new, x)
    assert not np.array_equal(y, y2)  # a new mask on the next call
    assert not np.array_equal(
        jax.random.key_data(newer.key), jax.random.key_data(new.key)
    )


def test_raw_uint32_keys_work(getkey):
    drop = nn.Dropout(0.5, key=jax.random.PRNGKey(3))
    new, y = px.purecall(drop, jnp.ones(16))
    assert new.key.shape == (2,) and set(np.unique(y)) <= {0.0, 2.0}


def test_eval_mode_is_the_identity_and_read_only(getkey):
    drop = px.eval_mode(nn.Dropout(0.5, key=getkey()))
    x = jax.random.normal(getkey(), (10,))
    np.testing.assert_array_equal(drop(x), x)  # called directly, outside px.pure
    same, y = px.purecall(drop, x)
    np.testing.assert_array_equal(y, x)
    np.testing.assert_array_equal(
        jax.random.key_data(same.key), jax.random.key_data(drop.key)
    )


def test_rates_zero_and_one(getkey):
    x = jax.random.normal(getkey(), (10,))
    _, y = px.purecall(nn.Dropout(0.0, key=getkey()), x)
    np.testing.assert_array_equal(y, x)
    _, y = px.purecall(nn.Dropout(1.0, key=getkey()), x)
    np.testing.assert_array_equal(y, jnp.zeros_like(x))


def test_training_call_needs_purecall(getkey):
    drop = nn.Dropout(0.5, key=getkey())
    with pytest.raises(px.ImmutableModuleError, match="purecall"):
        drop(jnp.ones(4))


def test_dtype_is_kept(getkey):
    _, y = px.purecall(nn.Dropout(0.5, key=getkey()), jnp.ones(8, jnp.bfloat16))
    assert y.dtype == jnp.bfloat16


class Net(px.Module):
    linear: nn.Linear
    norm: nn.BatchNorm
    drop: nn.Dropout
    head: nn.Linear

    def __init__(self, *, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.linear = nn.Linear(4, 16, key=k1)
        self.norm = nn.BatchNorm(16, momentum=0.9)
        self.drop = nn.Dropout(0.2, key=k2)
        self.head = nn.Linear(16, 1, key=k3)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.head(self.drop(jax.nn.relu(self.norm(self.linear(x)))))


def test_model_trains_inside_px_jit_with_purecall(getkey):
    model = Net(key=getkey())
    x = jax.random.normal(getkey(), (32, 4))
    y = jnp.sum(x, axis=1, keepdims=True)

    def loss_fn(model, x, y):
        model, pred = px.purecall(model, x)
        return jnp.mean((pred - y) ** 2), model

    @px.jit
    def step(model, x, y):
        (loss, model), grads = px.value_and_grad(loss_fn, has_aux=True)(model, x, y)
        params = jax.tree.map(lambda p, g: p - 0.05 * g, px.parameters(model), grads)
        return px.update_parameters(model, params), loss

    losses, keys, means = [], [], []
    for _ in range(30):
        model, loss = step(model, x, y)
        losses.append(float(loss))
        keys.append(np.asarray(jax.random.key_data(model.drop.key)))
        means.append(np.asarray(model.norm.mean))
    assert losses[-1] < 0.5 * losses[0]
    for a, b in zip(keys, keys[1:]):
        assert not np.array_equal(a, b)  # a new dropout key (so a new mask) every step
    for a, b in zip(means, means[1:]):
        assert not np.allclose(a, b)  # the running statistics move every step
    # Evaluation is a plain read-only call, and deterministic:
    evaluated = px.eval_mode(model)
    np.testing.assert_array_equal(evaluated(x), evaluated(x))


def test_dropout_masks_differ_step_to_step_in_a_scan(getkey):
    drop = nn.Dropout(0.5, key=getkey())
    new, ys = jax.lax.scan(lambda d, x: px.purecall(d, x), drop, jnp.ones((6, 100)))
    masks = np.asarray(ys == 0)
    assert len({m.tobytes() for m in masks}) == 6
    assert not np.array_equal(
        jax.random.key_data(new.key), jax.random.key_data(drop.key)
    )


def test_flax_nnx_4151_dropout_model_in_raw_scan_says_the_fix(getkey):
    """Flax NNX #4151: a model with Dropout called in a `jax.lax.scan` body. Without
    px.purecall the key update has nowhere to go: a clear error, not a leaked tracer."""
    model = Net(key=getkey())
    xs = jax.random.normal(getkey(), (3, 8, 4))

    def body(model, x):
        return model, model(x)

    with pytest.raises(px.ImmutableModuleError) as info:
        jax.lax.scan(body, model, xs)
    message = str(info.value)
    assert "explicit argument" in message and "px.purecall" in message

    def fixed(model, x):
        return px.purecall(model, x)

    new, ys = jax.lax.scan(fixed, model, xs)
    assert ys.shape == (3, 8, 1)
    assert not np.array_equal(
        jax.random.key_data(new.drop.key), jax.random.key_data(model.drop.key)
    )


@pytest.mark.parametrize("layer", ["dropout", "batchnorm"])
def test_stateful_layer_inside_raw_jit_without_purecall(getkey, layer):
    module = nn.Dropout(0.5, key=getkey()) if layer == "dropout" else nn.BatchNorm(4)
    with pytest.raises(
        px.ImmutableModuleError, match=r"explicit argument.*px\.purecall"
    ):
        jax.jit(lambda m, x: m(x))(module, jnp.ones((2, 4)))
    with pytest.raises(
        px.ImmutableModuleError, match=r"explicit argument.*px\.purecall"
    ):
        jax.jit(lambda x: module(x))(jnp.ones((2, 4)))  # captured from outside
    new, _ = jax.jit(lambda m, x: px.purecall(m, x))(module, jnp.ones((2, 4)))
    assert isinstance(new, type(module))
    assert jnp.all(
        jax.jit(lambda m, x: m(x))(px.eval_mode(module), jnp.ones((2, 4)))
        == px.eval_mode(module)(jnp.ones((2, 4)))
    )
