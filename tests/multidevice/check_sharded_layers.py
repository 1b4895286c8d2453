"""Every `purepax.nn` layer that takes `sharding=`, on 8 CPU devices, on `Explicit` and on
`Auto` mesh axes: forward and gradient equal the unsharded layer's."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import purepax as px
from purepax import nn

# Mesh axis types exist from JAX 0.5; before, every axis is what later JAX calls Auto.
AXIS_TYPES = ["Explicit", "Auto"] if hasattr(jax.sharding, "AxisType") else [None]
EXPLICIT = getattr(getattr(jax.sharding, "AxisType", None), "Explicit", None)


@pytest.fixture(params=AXIS_TYPES, ids=lambda t: str(t).lower())
def mesh(request: pytest.FixtureRequest) -> jax.sharding.Mesh:
    if request.param is None:
        return jax.make_mesh((2, 4), ("data", "model"))
    axis_type = getattr(jax.sharding.AxisType, request.param)
    return jax.make_mesh((2, 4), ("data", "model"), axis_types=(axis_type,) * 2)


def under(mesh: jax.sharding.Mesh) -> Any:
    # JAX with jax.set_mesh wants the mesh in context for Explicit axes; before, nothing.
    return jax.set_mesh(mesh) if hasattr(jax, "set_mesh") else contextlib.nullcontext()


def floats(*spec: str | None) -> Callable[[jax.sharding.Mesh], jax.Array]:
    return lambda mesh: jax.device_put(
        jax.random.normal(jax.random.key(7), (8, 5, 32)), NamedSharding(mesh, P(*spec))
    )


def ids(mesh: jax.sharding.Mesh) -> jax.Array:
    return jax.device_put(
        jax.random.randint(jax.random.key(8), (8, 5), 0, 64),
        NamedSharding(mesh, P("data")),
    )


key = jax.random.key(0)
# name: (the layer given a sharding, its input on the mesh, how it is called)
CASES: dict[
    str,
    tuple[
        Callable[[Any], Any],
        Callable[[jax.sharding.Mesh], jax.Array],
        Callable[[Any, Any], Any],
    ],
] = {
    "linear-columns": (
        lambda s: nn.Linear(32, 48, sharding=s and (None, s), key=key),
        floats("data"),
        lambda m, x: m(x),
    ),
    # The input split like the rows: the output of a column-parallel layer.
    "linear-rows": (
        lambda s: nn.Linear(32, 16, sharding=s and (s, None), key=key),
        floats("data", None, "model"),
        lambda m, x: m(x),
    ),
    "embedding-vectors": (
        lambda s: nn.Embedding(64, 32, sharding=s and (None, s), key=key),
        ids,
        lambda m, i: m(i),
    ),
    "embedding-vocabulary": (
        lambda s: nn.Embedding(64, 32, sharding=s and (s, None), key=key),
        ids,
        lambda m, i: m(i),
    ),
    "embedding-replicated": (
        lambda s: nn.Embedding(64, 32, key=key),
        ids,
        lambda m, i: m(i),
    ),  # ids split over "data"
    "embedding-attend": (
        lambda s: nn.Embedding(64, 32, sharding=s and (None, s), key=key),
        floats("data", None, "model"),
        lambda m, q: m.attend(q),
    ),
    "attention": (
        lambda s: nn.MultiHeadAttention(4, 32, sharding=s, key=key),
        floats("data"),
        lambda m, x: m(x, x, x, causal=True),
    ),
}
JITS = {"px.jit": px.jit, "jax.jit": jax.jit}


@pytest.mark.parametrize("jit", JITS, ids=str)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_sharded_layer_computes_what_the_unsharded_one_does(
    case: str, jit: str, mesh: jax.sharding.Mesh
) -> None:
    make, inputs, call = CASES[case]

    def loss(layer: Any, x: jax.Array) -> jax.Array:
        return jnp.mean(jnp.tanh(call(layer, x)))

    layer, x = make(None), inputs(mesh)
    expected = (
        jax.jit(call)(layer, np.asarray(x)),
        jax.jit(px.grad(loss))(layer, np.asarray(x)),
    )

    sharded = px.shard(make("model"), mesh)
    with under(mesh):
        out = JITS[jit](call)(sharded, x)
        grads = JITS[jit](px.grad(loss))(sharded, x)
    np.testing.assert_allclose(out, expected[0], rtol=1e-5, atol=1e-6)
    explicit = EXPLICIT is not None and EXPLICIT in (mesh.axis_types or ())
    if explicit and case == "linear-rows":
        assert out.sharding.spec == P(
            "data", None, None
        )  # whole outputs: the shards' sums added up
    for got, want, param in zip(
        jax.tree.leaves(grads), jax.tree.leaves(expected[1]), jax.tree.leaves(sharded)
    ):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
        if explicit:  # the gradient has its parameter's type
            assert got.sharding.is_equivalent_to(param.sharding, got.ndim), (
                got.sharding,
                param.sharding,
            )


def test_on_auto_axes_a_sharded_layer_traces_as_the_plain_formula() -> None:
    # Nothing added where JAX needs no out_sharding: the layer's jaxpr is the formula's.
    kwargs = (
        {"axis_types": (jax.sharding.AxisType.Auto,) * 2}
        if hasattr(jax.sharding, "AxisType")
        else {}
    )
    mesh = jax.make_mesh((2, 4), ("data", "model"), **kwargs)
    x = floats("data", None, "model")(mesh)
    row = px.shard(nn.Linear(32, 16, sharding=("model", None), key=key), mesh)
    embed = px.shard(nn.Embedding(64, 32, sharding=("model", None), key=key), mesh)
    with under(mesh):
        assert str(jax.make_jaxpr(lambda m, x: m(x))(row, x)) == str(
            jax.make_jaxpr(lambda w, b, x: x @ w + b)(row.weight, row.bias, x)
        )
        assert str(jax.make_jaxpr(lambda m, i: m(i))(embed, ids(mesh))) == str(
            jax.make_jaxpr(lambda w, i: jnp.take(w, i, axis=0))(embed.weight, ids(mesh))
        )
