"""`kernel_init=`, `bias_init=`, ... on every layer with parameters: Flax's initializers, called
with the shapes Flax calls them with; the defaults unchanged; clear errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import purepax as px
from purepax import nn

init = jax.nn.initializers
KEY = jax.random.key(7)

# Each layer with the initializer arguments it takes, built with `KEY` from those arguments.
LAYERS: dict[str, tuple[Callable[..., px.Module], tuple[str, ...]]] = {
    "Linear": (
        lambda **kw: nn.Linear(3, 4, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "Conv2d": (
        lambda **kw: nn.Conv2d(4, 6, 3, groups=2, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "ConvTranspose1d": (
        lambda **kw: nn.ConvTranspose1d(2, 3, 4, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "Embedding": (lambda **kw: nn.Embedding(10, 4, key=KEY, **kw), ("embedding_init",)),
    "LayerNorm": (lambda **kw: nn.LayerNorm((2, 3), **kw), ("scale_init", "bias_init")),
    "RMSNorm": (
        lambda **kw: nn.RMSNorm(4, use_bias=True, **kw),
        ("scale_init", "bias_init"),
    ),
    "GroupNorm": (lambda **kw: nn.GroupNorm(2, 4, **kw), ("scale_init", "bias_init")),
    "BatchNorm": (lambda **kw: nn.BatchNorm(4, **kw), ("scale_init", "bias_init")),
    "LSTMCell": (
        lambda **kw: nn.LSTMCell(3, 4, key=KEY, **kw),
        ("kernel_init", "recurrent_kernel_init", "bias_init"),
    ),
    "GRU": (
        lambda **kw: nn.GRU(3, 4, key=KEY, **kw),
        ("kernel_init", "recurrent_kernel_init", "bias_init"),
    ),
    "MultiHeadAttention": (
        lambda **kw: nn.MultiHeadAttention(2, 4, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "MLP": (
        lambda **kw: nn.MLP(3, 2, 4, 1, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
}

# The defaults, spelled out as initializers (every layer's but the recurrent ones, which
# draw PyTorch's uniform from the hidden size, not from the shape they are given).
EXPLICIT_DEFAULTS = {
    "kernel_init": init.lecun_normal(),
    "bias_init": init.zeros,
    "scale_init": init.ones,
    "embedding_init": jax.random.normal,
}


def params(layer: px.Module) -> list[jax.Array]:
    return jax.tree.leaves(px.parameters(layer))


def assert_same(a: px.Module, b: px.Module) -> None:
    assert jax.tree.structure(px.parameters(a)) == jax.tree.structure(px.parameters(b))
    for x, y in zip(params(a), params(b)):
        np.testing.assert_array_equal(x, y)


class Recorder:
    """An initializer that records `(argument, shape, dtype)` of each call and returns `fill`."""

    def __init__(
        self, calls: list[tuple[str, tuple[int, ...], Any]], argument: str
    ) -> None:
        self.calls, self.argument = calls, argument

    def __call__(
        self, key: jax.Array, shape: Any, dtype: Any = jnp.float32
    ) -> jax.Array:
        self.calls.append((self.argument, tuple(shape), jnp.dtype(dtype)))
        return jnp.full(shape, 0.5, dtype)


def recorders(
    arguments: tuple[str, ...],
) -> tuple[list[tuple[str, tuple[int, ...], Any]], dict[str, Recorder]]:
    calls: list[tuple[str, tuple[int, ...], Any]] = []
    return calls, {name: Recorder(calls, name) for name in arguments}


@pytest.mark.parametrize("name", [n for n in LAYERS if n not in ("LSTMCell", "GRU")])
def test_a_layer_without_initializers_equals_one_given_the_defaults(name):
    build, arguments = LAYERS[name]
    assert_same(build(), build(**{a: EXPLICIT_DEFAULTS[a] for a in arguments}))


def test_the_defaults_draw_what_they_drew_before():
    """The formulas each layer used before it took initializers, with the same key."""
    linear = nn.Linear(3, 4, key=KEY)
    np.testing.assert_array_equal(
        linear.weight, init.lecun_normal()(KEY, (3, 4), jnp.float32)
    )
    np.testing.assert_array_equal(linear.bias, jnp.zeros(4))
    conv = nn.Conv2d(4, 6, 3, groups=2, key=KEY)
    np.testing.assert_array_equal(
        conv.weight, init.lecun_normal()(KEY, (3, 3, 2, 6), jnp.float32)
    )
    embedding = nn.Embedding(10, 4, key=KEY)
    np.testing.assert_array_equal(embedding.weight, jax.random.normal(KEY, (10, 4)))
    cell = nn.LSTMCell(3, 4, key=KEY)
    ikey, hkey, bkey = jax.random.split(KEY, 3)
    bound = 1 / math.sqrt(4)
    for value, key, shape in [
        (cell.weight_ih, ikey, (3, 16)),
        (cell.weight_hh, hkey, (4, 16)),
        (cell.bias, bkey, (16,)),
    ]:
        np.testing.assert_array_equal(
            value, jax.random.uniform(key, shape, jnp.float32, -bound, bound)
        )
    mha = nn.MultiHeadAttention(2, 4, key=KEY)
    np.testing.assert_array_equal(
        mha.q_proj.weight,
        init.lecun_normal()(jax.random.split(KEY, 4)[0], (4, 4), jnp.float32),
    )


@pytest.mark.parametrize("name", LAYERS)
def test_every_parameter_takes_flax_zeros_and_ones(name):
    build, arguments = LAYERS[name]
    zeros = build(**{a: init.zeros for a in arguments})
    assert all(bool(jnp.all(p == 0)) for p in params(zeros))
    ones = build(**{a: init.ones for a in arguments})
    assert all(bool(jnp.all(p == 1)) for p in params(ones))


@pytest.mark.parametrize("name", LAYERS)
def test_an_initializer_gets_param_dtype_and_its_result_is_stored_in_it(name):
    build, arguments = LAYERS[name]
    calls, given = recorders(arguments)
    layer = build(param_dtype=jnp.bfloat16, **given)
    assert {argument for argument, _, _ in calls} == set(arguments)
    assert {dtype for _, _, dtype in calls} == {jnp.dtype(jnp.bfloat16)}
    assert all(
        p.dtype == jnp.bfloat16 and bool(jnp.all(p == 0.5)) for p in params(layer)
    )


def flax_calls(
    layer: Callable[..., object], arguments: tuple[str, ...]
) -> list[tuple[str, tuple[int, ...], Any]]:
    calls, given = recorders(arguments)
    layer(**given, param_dtype=jnp.float32, rngs=nnx.Rngs(0))
    return sorted(calls)


def our_calls(
    build: Callable[..., object], arguments: tuple[str, ...]
) -> list[tuple[str, tuple[int, ...], Any]]:
    calls, given = recorders(arguments)
    build(**given)
    return sorted(calls)


FLAX_TWINS: dict[
    str, tuple[Callable[..., object], Callable[..., object], tuple[str, ...]]
] = {
    "Linear": (
        lambda **kw: nnx.Linear(3, 4, **kw),
        lambda **kw: nn.Linear(3, 4, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "Conv": (
        lambda **kw: nnx.Conv(4, 6, (3, 2), feature_group_count=2, **kw),
        lambda **kw: nn.Conv2d(4, 6, (3, 2), groups=2, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "ConvTranspose": (
        lambda **kw: nnx.ConvTranspose(2, 3, (4,), **kw),
        lambda **kw: nn.ConvTranspose1d(2, 3, 4, key=KEY, **kw),
        ("kernel_init", "bias_init"),
    ),
    "Embed": (
        lambda **kw: nnx.Embed(10, 4, **kw),
        lambda **kw: nn.Embedding(10, 4, key=KEY, **kw),
        ("embedding_init",),
    ),
    "LayerNorm": (
        lambda **kw: nnx.LayerNorm(4, **kw),
        lambda **kw: nn.LayerNorm(4, **kw),
        ("scale_init", "bias_init"),
    ),
    "BatchNorm": (
        lambda **kw: nnx.BatchNorm(4, **kw),
        lambda **kw: nn.BatchNorm(4, **kw),
        ("scale_init", "bias_init"),
    ),
    "LSTMCell": (
        lambda **kw: nnx.LSTMCell(3, 4, **kw),
        lambda **kw: nn.LSTMCell(3, 4, key=KEY, **kw),
        ("kernel_init", "recurrent_kernel_init", "bias_init"),
    ),
    "GRUCell": (
        lambda **kw: nnx.GRUCell(3, 4, **kw),
        lambda **kw: nn.GRUCell(3, 4, key=KEY, **kw),
        ("kernel_init", "recurrent_kernel_init", "bias_init"),
    ),
}


@pytest.mark.parametrize("name", FLAX_TWINS)
def test_initializers_are_called_with_the_shapes_flax_calls_them_with(name, peers):
    peers.require("flax")
    theirs, ours, arguments = FLAX_TWINS[name]
    expected = flax_calls(theirs, arguments)
    if (
        name == "GRUCell"
    ):  # purepax's GRU also has `bias_n`, PyTorch's b_hn, which NNX's lacks
        expected = sorted([*expected, ("bias_init", (4,), jnp.dtype(jnp.float32))])
    assert our_calls(ours, arguments) == expected


def test_fan_in_initializers_scale_as_in_flax():
    """`lecun_normal()` on a (in, out) weight: variance 1 / in, as for Flax's kernel."""
    wide = nn.Linear(1024, 64, kernel_init=init.lecun_normal(), key=KEY).weight
    assert float(jnp.std(wide)) == pytest.approx(1 / math.sqrt(1024), rel=0.05)
    conv = nn.Conv2d(16, 64, 3, kernel_init=init.he_normal(), key=KEY).weight
    assert float(jnp.std(conv)) == pytest.approx(math.sqrt(2 / (16 * 9)), rel=0.05)


def test_normal_and_orthogonal_draw_their_distributions():
    linear = nn.Linear(
        64, 64, kernel_init=init.normal(0.02), bias_init=init.normal(0.02), key=KEY
    )
    assert float(jnp.std(linear.weight)) == pytest.approx(0.02, rel=0.05)
    assert linear.bias is not None and float(jnp.std(linear.bias)) > 0
    # The bias draws with a key of its own, not the weight's.
    assert not bool(jnp.any(jnp.isin(linear.bias, linear.weight)))
    square = nn.Linear(8, 8, kernel_init=init.orthogonal(), key=KEY).weight
    np.testing.assert_allclose(square.T @ square, jnp.eye(8), atol=1e-5)


def test_a_recurrent_initializer_is_called_per_gate_so_each_gate_is_orthogonal():
    cell = nn.LSTMCell(3, 4, recurrent_kernel_init=init.orthogonal(), key=KEY)
    blocks = jnp.split(cell.weight_hh, 4, axis=-1)
    for block in blocks:
        np.testing.assert_allclose(block.T @ block, jnp.eye(4), atol=1e-5)
    assert not np.allclose(blocks[0], blocks[1])


def test_a_norm_draws_a_random_initializer_from_its_key():
    a = nn.LayerNorm(16, scale_init=init.normal(1.0), key=jax.random.key(1))
    b = nn.LayerNorm(16, scale_init=init.normal(1.0), key=jax.random.key(2))
    assert not np.allclose(a.scale, b.scale)
    unkeyed = nn.LayerNorm(16, scale_init=init.normal(1.0))
    np.testing.assert_array_equal(
        unkeyed.scale, init.normal(1.0)(jax.random.key(0), (16,), jnp.float32)
    )


@pytest.mark.parametrize("name", LAYERS)
def test_a_non_callable_initializer_is_refused(name):
    build, arguments = LAYERS[name]
    with pytest.raises(
        px.ArgumentError, match=f"{arguments[0]}=0.02 is not an initializer"
    ):
        build(**{arguments[0]: 0.02})


def test_an_initializer_factory_passed_uncalled_is_refused():
    with pytest.raises(px.ArgumentError, match=r"lecun_normal\(\), not"):
        nn.Linear(3, 4, kernel_init=init.lecun_normal, key=KEY)


def test_an_initializer_returning_the_wrong_shape_is_refused():
    with pytest.raises(
        px.ArgumentError,
        match=r"Conv2d: kernel_init returned an array of shape \(3, 3\)",
    ):
        nn.Conv2d(
            2,
            4,
            3,
            kernel_init=lambda key, shape, dtype: jnp.zeros((3, 3), dtype),
            key=KEY,
        )


def test_initializers_work_when_a_model_is_built_abstractly():
    shapes = jax.eval_shape(
        lambda: nn.MLP(3, 2, 8, 2, kernel_init=init.orthogonal(), key=KEY)
    )
    assert shapes.layers[1].weight.shape == (8, 8)
