"""A deep ensemble trained with optax, as in Equinox's ensembling recipe, two ways.

The members are built under `jax.vmap` over keys (one module whose arrays have a leading
member axis), each trained on its own bootstrap sample. First way: an optimizer per
member, built under `jax.vmap` too, and the step `px.vmap`ped over members and
optimizers; inside it each optimizer sees one member, shaped as the one it was built for.
Second way: one optimizer for the stacked ensemble, stepping the stacked gradient. Adam
works element by element, so both give the same ensemble.
"""

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer

MEMBERS = 4


class MLP(px.Module):
    hidden: nn.Linear
    out: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = nn.Linear(1, 16, key=k1)
        self.out = nn.Linear(16, 1, key=k2)

    def __call__(self, x: Float[Array, "b 1"]) -> Float[Array, "b 1"]:
        return self.out(jnp.tanh(self.hidden(x)))


def loss_fn(model: MLP, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)


def make_optimizer(model: MLP) -> Optimizer:
    return Optimizer(optax.adam(1e-2), model)


@px.jit
def step_each(members: MLP, optimizers: Optimizer, xs: jax.Array, ys: jax.Array) -> tuple[MLP, Optimizer, jax.Array]:
    def one(model: MLP, optimizer: Optimizer, x: jax.Array, y: jax.Array) -> tuple[MLP, Optimizer, jax.Array]:
        loss, grads = px.value_and_grad(loss_fn)(model, x, y)
        model, optimizer = optimizer.apply_gradients(model, grads)
        return model, optimizer, loss

    return px.vmap(one)(members, optimizers, xs, ys)


@px.jit
def step_stacked(members: MLP, optimizer: Optimizer, xs: jax.Array, ys: jax.Array) -> tuple[MLP, Optimizer]:
    grads = px.vmap(px.grad(loss_fn))(members, xs, ys)
    return optimizer.apply_gradients(members, grads)


@px.jit
def predict(members: MLP, x: jax.Array) -> jax.Array:
    return px.vmap(lambda m: m(x))(members)


def main() -> None:
    kx, kb, km = jax.random.split(jax.random.key(0), 3)
    x = jax.random.uniform(kx, (48, 1), minval=-2.0, maxval=2.0)
    y = jnp.sin(2 * x)
    samples = jax.random.randint(kb, (MEMBERS, 48), 0, 48)  # a bootstrap sample per member
    xs, ys = x[samples], y[samples]

    members = jax.vmap(lambda k: MLP(key=k))(jax.random.split(km, MEMBERS))
    assert members.hidden.weight.shape == (MEMBERS, 1, 16)
    optimizers = jax.vmap(make_optimizer)(members)
    stacked = members
    optimizer = make_optimizer(members)

    history = []
    for _ in range(100):
        members, optimizers, losses = step_each(members, optimizers, xs, ys)
        stacked, optimizer = step_stacked(stacked, optimizer, xs, ys)
        history.append(losses)
    first, losses = history[0], history[-1]
    assert losses.shape == (MEMBERS,)
    assert bool(jnp.all(losses < 0.2 * first)), (first, losses)
    for got, want in zip(jax.tree.leaves(stacked), jax.tree.leaves(members)):
        assert jnp.allclose(got, want, atol=1e-4), float(jnp.abs(got - want).max())

    preds = predict(members, x)
    assert preds.shape == (MEMBERS, 48, 1) and float(preds.std(0).mean()) > 0  # members differ
    assert float(jnp.mean((preds.mean(0) - y) ** 2)) < float(losses.max())


if __name__ == "__main__":
    main()
