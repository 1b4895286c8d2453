"""An ensemble: modules built under jax.vmap over keys, trained together with px.grad under vmap."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class MLP(px.Module):
    w1: Float[Array, "i h"]
    b1: Float[Array, " h"]
    w2: Float[Array, "h o"]

    def __init__(self, i: int, h: int, o: int, *, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.w1 = jax.random.normal(k1, (i, h)) / i**0.5
        self.b1 = jnp.zeros((h,))
        self.w2 = jax.random.normal(k2, (h, o)) / h**0.5

    def __call__(self, x: jax.Array) -> jax.Array:
        return jnp.tanh(x @ self.w1 + self.b1) @ self.w2


def loss_fn(model: MLP, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((model(x) - y) ** 2)


@px.jit
def train_step(models: MLP, x: jax.Array, y: jax.Array) -> tuple[MLP, jax.Array]:
    def one(model: MLP) -> tuple[MLP, jax.Array]:
        loss, g = px.value_and_grad(loss_fn)(model, x, y)
        return jax.tree.map(lambda p, d: p - 0.1 * d, model, g), loss

    return px.vmap(one)(models)


def main() -> None:
    keys = jax.random.split(jax.random.PRNGKey(0), 5)
    models = jax.vmap(lambda k: MLP(2, 8, 1, key=k))(keys)
    assert isinstance(models, MLP) and models.w1.shape == (5, 2, 8)
    # member 3 equals a model built alone from key 3
    alone = MLP(2, 8, 1, key=keys[3])
    assert jnp.allclose(models.w1[3], alone.w1)

    x = jax.random.normal(jax.random.PRNGKey(1), (64, 2))
    y = jnp.sin(x[:, :1]) * x[:, 1:]
    first = jax.vmap(loss_fn, in_axes=(0, None, None))(models, x, y)
    for _ in range(100):
        models, losses = train_step(models, x, y)
    assert losses.shape == (5,)
    assert jnp.all(losses < 0.5 * first), (first, losses)
    preds = jax.vmap(lambda m: m(x))(models)
    assert preds.shape == (5, 64, 1)
    assert float(jnp.std(preds, axis=0).mean()) > 0  # members differ
    assert float(jnp.mean((preds.mean(0) - y) ** 2)) <= float(jnp.max(losses)) + 1e-6

    # one hidden bias shared by all members: in_axes given as a module of axes
    is_b1 = lambda path: ".b1" in jax.tree_util.keystr(path)  # noqa: E731
    shared = jax.tree_util.tree_map_with_path(lambda p, a: a[0] if is_b1(p) else a, models)
    axes = jax.tree_util.tree_map_with_path(lambda p, _: None if is_b1(p) else 0, shared)
    assert shared.b1.shape == (8,) and axes.b1 is None and axes.w1 == 0
    out = jax.vmap(lambda m, x: m(x), in_axes=(axes, None))(shared, x)
    assert out.shape == (5, 64, 1) and jnp.allclose(out[0], preds[0], atol=1e-5)  # member 0 owns that bias


if __name__ == "__main__":
    main()
