"""`px.summary` and `px.step_cost` of a sharded model on 8 CPU devices: the bytes per
device are those JAX places on a device, a sharded step costs each device less; and
none of it imports treescope (optional: only treescope itself imports it)."""

from __future__ import annotations

import re
import sys

import jax
import jax.numpy as jnp
import optax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, Float, Int

import purepax as px
from purepax.optim import Optimizer


class Block(px.Module):
    weight: Float[Array, "i o"] = px.param(sharding=(None, "model"))
    bias: Float[Array, " o"] = px.param(sharding=("model",))
    seen: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        return jnp.tanh(x @ self.weight + self.bias)


class Tower(px.Module):
    first: Block
    blocks: px.Stacked[Block]
    head: Float[Array, "o c"]  # replicated

    def __call__(self, x):
        return self.blocks(self.first(x)) @ self.head


def make_tower():
    blocks = [Block(jnp.full((16, 16), 0.1 * i), jnp.zeros(16)) for i in range(3)]
    return Tower(
        Block(jnp.ones((6, 16)), jnp.zeros(16)), px.stack(blocks), jnp.ones((16, 5))
    )


def test_bytes_per_device_are_what_jax_places_on_a_device():
    mesh = jax.make_mesh((2, 4), ("data", "model"))
    model = px.shard(make_tower(), mesh)
    opt = px.shard(Optimizer(optax.adam(1e-3), model), mesh)
    device = jax.devices()[0]

    def held(tree):
        return sum(
            shard.data.nbytes
            for leaf in jax.tree.leaves(tree)
            for shard in leaf.addressable_shards
            if shard.device == device
        )

    last = px.summary(model, mesh=mesh, optimizer=opt).splitlines()[-1]
    assert last.startswith("Per device, on a mesh of data=2, model=4 (8 devices): ")
    counted = {
        what: int(n)
        for what, n in re.findall(
            r"(parameters|state|optimizer state|) ?(\d+) bytes", last
        )
    }
    params = held(px.parameters(model))
    assert counted == {
        "parameters": params,
        "state": held(model) - params,
        "optimizer state": held(opt),
        "": held(model) + held(opt),  # in all
    }


def test_a_sharded_step_costs_each_device_a_share_of_the_flops():
    mesh = jax.make_mesh((2, 4), ("data", "model"))
    model = make_tower()
    x = jax.ShapeDtypeStruct((64, 6), jnp.float32)

    def forward(model, x):
        return jnp.sum(model(x))

    shardings = jax.tree.map(
        lambda s: NamedSharding(mesh, s), px.partition_specs(model)
    )
    sharded = px.jit(forward, in_shardings=(shardings, NamedSharding(mesh, P("data"))))
    whole, split = px.step_cost(forward, model, x), px.step_cost(sharded, model, x)
    # Data over 2 and hidden units over 4: each device does about an eighth of the matmuls.
    assert split.flops < whole.flops / 4
    assert split.argument_bytes < whole.argument_bytes


def test_purepax_imports_no_treescope():
    import purepax.nn  # imports every layer's file
    import purepax.optim  # noqa: F401

    for name in px.__all__:  # imports the file behind each name (PEP 562)
        getattr(px, name)
    assert "treescope" not in sys.modules
