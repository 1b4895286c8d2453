"""DP-SGD: per-example gradients with `px.vmap(px.grad(...))`, clipped, noised, then one optimizer step.

`px.vmap` over the examples (the model unbatched, `in_axes=None`) gives a gradient module
whose every parameter has a leading batch axis. Each example's gradient is clipped to
norm `CLIP` (the norm taken over all of its parameters), the clipped gradients are summed,
Gaussian noise of scale `NOISE * CLIP` is added and the sum divided by the batch size:
that is shaped like the model's parameters again, and the optimizer applies it.

Checks: with no noise and a clip larger than any norm, the private gradient is the
ordinary batch gradient; every clipped per-example norm is at most `CLIP`; private
training brings the loss down.
"""

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer

CLIP = 1.0
NOISE = 0.5
BATCH = 32


class Classifier(px.Module):
    hidden: nn.Linear
    out: nn.Linear

    def __init__(self, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = nn.Linear(5, 16, key=k1)
        self.out = nn.Linear(16, 1, key=k2)

    def __call__(self, x: Float[Array, "*b 5"]) -> Float[Array, "*b 1"]:
        return self.out(jax.nn.relu(self.hidden(x)))


def example_loss(model: Classifier, x: Float[Array, " 5"], y: Float[Array, ""]) -> jax.Array:
    return optax.sigmoid_binary_cross_entropy(model(x)[0], y)


def batch_loss(model: Classifier, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean(jax.vmap(example_loss, in_axes=(None, 0, 0))(model, x, y))


def per_example_norms(grads: Classifier) -> jax.Array:
    return jnp.sqrt(sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in jax.tree.leaves(grads)))


def private_gradient(
    model: Classifier, x: jax.Array, y: jax.Array, key: PRNGKeyArray, clip: float, noise: float
) -> tuple[Classifier, jax.Array]:
    """The noised mean of the clipped per-example gradients, and the clipped norms."""
    grads = px.vmap(px.grad(example_loss), in_axes=(None, 0, 0))(model, x, y)
    factor = jnp.minimum(1.0, clip / (per_example_norms(grads) + 1e-12))
    clipped = jax.tree.map(lambda g: g * factor.reshape(-1, *(1,) * (g.ndim - 1)), grads)
    leaves, treedef = jax.tree.flatten(jax.tree.map(lambda g: g.sum(0), clipped))
    keys = jax.random.split(key, len(leaves))
    noised = [(g + noise * clip * jax.random.normal(k, g.shape)) / x.shape[0] for g, k in zip(leaves, keys)]
    return jax.tree.unflatten(treedef, noised), per_example_norms(clipped)


@px.jit
def dp_step(
    model: Classifier, optimizer: Optimizer, x: jax.Array, y: jax.Array, key: PRNGKeyArray
) -> tuple[Classifier, Optimizer]:
    grads, _ = private_gradient(model, x, y, key, CLIP, NOISE)
    return optimizer.apply_gradients(model, grads)


def main() -> None:
    kx, kw, km = jax.random.split(jax.random.key(0), 3)
    x = jax.random.normal(kx, (256, 5))
    y = (x @ jax.random.normal(kw, (5,)) > 0).astype(jnp.float32)
    model = Classifier(key=km)

    private = px.jit(private_gradient, static_argnums=(4, 5))
    exact, _ = private(model, x[:BATCH], y[:BATCH], jax.random.key(1), 1e6, 0.0)
    batch = px.jit(px.grad(batch_loss))(model, x[:BATCH], y[:BATCH])
    for got, want in zip(jax.tree.leaves(exact), jax.tree.leaves(batch)):
        assert jnp.allclose(got, want, atol=1e-6)
    _, norms = private(model, x[:BATCH], y[:BATCH], jax.random.key(1), 0.01, 0.0)
    assert norms.shape == (BATCH,) and bool(jnp.all(norms <= 0.01 + 1e-6))

    optimizer = Optimizer(optax.sgd(0.5, momentum=0.9), model)
    first = float(px.jit(batch_loss)(model, x, y))
    key = jax.random.key(2)
    for step in range(80):
        start = (step * BATCH) % x.shape[0]
        key, sub = jax.random.split(key)
        model, optimizer = dp_step(model, optimizer, x[start : start + BATCH], y[start : start + BATCH], sub)
    last = float(px.jit(batch_loss)(model, x, y))
    assert last < 0.6 * first, (first, last)


if __name__ == "__main__":
    main()
