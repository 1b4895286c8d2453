"""A stack is an ordinary module everywhere else: summary, save/load, the optimizer, cast."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Net(px.Module):
    embed: nn.Embedding
    blocks: px.Stacked[nn.Linear]

    def __call__(self, ids: jax.Array) -> jax.Array:
        return self.blocks(self.embed(ids))


def make_net(n: int = 3) -> Net:
    keys = jax.random.split(jax.random.key(0), n + 1)
    return Net(
        nn.Embedding(10, 4, key=keys[0]),
        px.stack(lambda k: nn.Linear(4, 4, key=k), keys[1:]),
    )


def _equations(jaxpr: jax.extend.core.Jaxpr) -> int:
    """Equations of a jaxpr, those of the jaxprs inside its equations (scan bodies, ...) included."""
    inner = (
        sub.jaxpr if hasattr(sub, "jaxpr") else sub
        for eqn in jaxpr.eqns
        for param in eqn.params.values()
        for sub in (param if isinstance(param, tuple) else (param,))
        if isinstance(sub, (jax.extend.core.Jaxpr, jax.extend.core.ClosedJaxpr))
    )
    return len(jaxpr.eqns) + sum(_equations(sub) for sub in inner)


def test_summary_has_one_row_for_the_stack() -> None:
    table = px.summary(make_net())
    row = next(line for line in table.splitlines() if line.startswith("blocks"))
    assert "Stacked[Linear] x3 (20 params per block)" in row
    assert "weight:f32[4,4] bias:f32[4]" in row and row.rstrip().endswith("60      0")
    assert not any(line.startswith("blocks.layers") for line in table.splitlines())
    assert "100 parameters" in table


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    net = make_net()
    px.save(tmp_path / "net.px", net)
    back = px.load(tmp_path / "net.px", like=jax.eval_shape(make_net))
    assert type(back.blocks) is px.Stacked and len(back.blocks) == 3
    for a, b in zip(jax.tree.leaves(back), jax.tree.leaves(net)):
        np.testing.assert_array_equal(a, b)


def test_optimizer_updates_a_stack_like_the_unstacked_blocks() -> None:
    net, ids = make_net(), jnp.arange(6).reshape(2, 3)
    loss = lambda n, ids: jnp.mean(n(ids) ** 2)  # noqa: E731
    opt = Optimizer(optax.adam(1e-2), net)
    grads = px.grad(loss)(net, ids)
    new, _ = px.jit(lambda n, o, g: o.apply_gradients(n, g))(net, opt, grads)
    # The same update by hand on block 1, through raw optax on its own arrays.
    block, grad = net.blocks[1], grads.blocks[1]
    tx = optax.adam(1e-2)
    updates, _ = tx.update(
        px.parameters(grad), tx.init(px.parameters(block)), px.parameters(block)
    )
    np.testing.assert_allclose(
        new.blocks[1].weight, block.weight + updates.weight, rtol=1e-6, atol=1e-7
    )
    assert float(loss(new, ids)) < float(loss(net, ids))


def test_a_train_step_is_as_large_for_any_number_of_blocks() -> None:
    # What XLA compiles (forward, gradient, optimizer update) does not grow with the stack:
    # the block is traced once, and each optimizer update covers all blocks' arrays at once.
    def step(net: Net, opt: Optimizer, ids: jax.Array) -> tuple[Net, Optimizer]:
        grads = px.grad(lambda n, ids: jnp.mean(n(ids) ** 2))(net, ids)
        return opt.apply_gradients(net, grads)

    tx = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(1e-3))
    ids = jnp.arange(6).reshape(2, 3)
    sizes = []
    for n in (2, 7):
        net = make_net(n)
        sizes.append(
            _equations(jax.make_jaxpr(step)(net, Optimizer(tx, net), ids).jaxpr)
        )
    assert sizes[0] == sizes[1]


def test_cast_reaches_the_blocks() -> None:
    half = px.cast(make_net(), jnp.bfloat16)
    assert (
        half.blocks.layers.weight.dtype == jnp.bfloat16
        and half.blocks[2].bias.dtype == jnp.bfloat16
    )
    assert half(jnp.arange(3)).dtype == jnp.bfloat16
