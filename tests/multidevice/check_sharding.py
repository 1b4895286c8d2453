"""Per-field sharding on 8 CPU devices: specs, placement, constraints, and a sharded step."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, Float

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"] = px.param(sharding=(None, "model"))
    bias: Float[Array, " o"] = px.param(sharding=("model",))

    def __call__(self, x):
        return x @ self.weight + self.bias


class Counter(px.StateModule):
    count: jax.Array = px.state(default_factory=lambda: jnp.array(0))


class Net(px.Module):
    layers: tuple[Linear, ...]
    calls: Counter
    head: Float[Array, "o c"]  # no sharding given: replicated

    def __call__(self, x):
        for layer in self.layers:
            x = jnp.tanh(layer(x))
        return x @ self.head


def make_net():
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    layers = tuple(
        Linear(jax.random.normal(k, (8, 8)) / 3, jnp.zeros(8)) for k in keys[:2]
    )
    return Net(layers, Counter(), jax.random.normal(keys[2], (8, 4)))


# Mesh axis types (and explicit sharding) exist from JAX 0.5; before, every axis is "auto".
AXIS_TYPES = ["Explicit", "Auto"] if hasattr(jax.sharding, "AxisType") else [None]
# `jax.shard_map` from JAX 0.7; `jax.experimental.shard_map` before.
if hasattr(jax, "shard_map"):
    shard_map = jax.shard_map
else:
    from jax.experimental.shard_map import shard_map


@pytest.fixture(params=AXIS_TYPES, ids=lambda t: str(t).lower())
def mesh(request):
    if request.param is None:
        return jax.make_mesh((2, 4), ("data", "model"))
    axis_type = getattr(jax.sharding.AxisType, request.param)
    return jax.make_mesh((2, 4), ("data", "model"), axis_types=(axis_type,) * 2)


def test_partition_specs_follow_the_fields():
    specs = px.partition_specs(make_net())
    assert type(specs) is Net
    assert specs.layers[0].weight == P(None, "model") and specs.layers[1].bias == P(
        "model"
    )
    assert specs.head == P() and specs.calls.count == P()
    assert jax.tree.structure(specs) == jax.tree.structure(make_net())


def test_shard_places_every_array(mesh):
    net = px.shard(make_net(), mesh)
    assert net.layers[0].weight.sharding == NamedSharding(mesh, P(None, "model"))
    assert net.head.sharding.is_fully_replicated
    np.testing.assert_array_equal(net.layers[0].weight, make_net().layers[0].weight)


def test_shard_inside_jit_constrains(mesh):
    @px.jit
    def constrained(net: Net) -> Net:
        return px.shard(net, mesh)

    if hasattr(jax, "set_mesh"):
        with jax.set_mesh(
            mesh
        ):  # explicit axes inside jit need the mesh in context, as in JAX
            out = constrained(make_net())
    else:
        out = constrained(make_net())
    assert out.layers[1].weight.sharding.spec == P(None, "model")


def test_a_sharded_train_step_equals_the_unsharded_one(mesh):
    net = make_net()
    x = jax.random.normal(jax.random.PRNGKey(1), (16, 8))

    def step(net: Net, x):
        grads = px.grad(lambda n, x: jnp.mean(n(x) ** 2))(net, x)
        params = jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(net), grads)
        return px.update_parameters(net, params)

    shardings = jax.tree.map(
        lambda spec: NamedSharding(mesh, spec), px.partition_specs(net)
    )
    data = NamedSharding(mesh, P("data"))
    sharded = px.jit(step, in_shardings=(shardings, data), out_shardings=shardings)
    out = sharded(px.shard(net, mesh), jax.device_put(x, data))
    expected = jax.jit(step)(net, x)
    assert out.layers[0].weight.sharding == NamedSharding(mesh, P(None, "model"))
    for a, b in zip(jax.tree.leaves(out), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_modules_through_shard_map(mesh):
    net = make_net()
    layer = px.shard(net.layers[0], mesh)
    specs = px.partition_specs(layer)

    def local(layer: Linear, x):
        return x @ layer.weight + layer.bias  # each device: its columns of the output

    out = shard_map(
        local, mesh=mesh, in_specs=(specs, P()), out_specs=P(None, "model")
    )(layer, jnp.ones((2, 8)))
    np.testing.assert_allclose(out, net.layers[0](jnp.ones((2, 8))), rtol=1e-6)


def test_a_sharding_longer_than_the_array_is_refused():
    class Wide(px.Module):
        w: jax.Array = px.param(sharding=(None, "model"))

    with pytest.raises(
        px.FieldError, match=r"Wide\.w has sharding=.*2 entries.*shape \(4,\)"
    ):
        Wide(jnp.ones(4))
    with pytest.raises(px.FieldError, match=r"Linear\.bias has sharding="):
        px.replace(Linear(jnp.ones((2, 2)), jnp.ones(2)), bias=jnp.ones(()))
