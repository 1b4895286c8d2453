"""Gradient accumulation over micro-batches with px.scan equals the full-batch gradient."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class MLP(px.Module):
    w1: Float[Array, "i h"]
    w2: Float[Array, "h o"]

    def __init__(self, *, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.w1 = jax.random.normal(k1, (4, 8)) * 0.5
        self.w2 = jax.random.normal(k2, (8, 1)) * 0.5

    def __call__(self, x: jax.Array) -> jax.Array:
        return jax.nn.gelu(x @ self.w1) @ self.w2


def loss_fn(m: MLP, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((m(x) - y) ** 2)


@px.jit
def accumulated_scan(m: MLP, xs: jax.Array, ys: jax.Array) -> tuple[MLP, jax.Array]:
    zeros = jax.tree.map(jnp.zeros_like, px.parameters(m))

    def body(carry: tuple[MLP, MLP, jax.Array], batch: tuple[jax.Array, jax.Array]):
        model, g_acc, l_acc = carry
        loss, g = px.value_and_grad(loss_fn)(model, *batch)
        return (model, jax.tree.map(jnp.add, g_acc, g), l_acc + loss), None

    (_, g, loss), _ = px.scan(body, (m, zeros, jnp.array(0.0)), (xs, ys))
    n = xs.shape[0]
    return jax.tree.map(lambda v: v / n, g), loss / n


def main() -> None:
    m = MLP(key=jax.random.PRNGKey(0))
    x = jax.random.normal(jax.random.PRNGKey(1), (24, 4))
    y = jnp.sum(x, axis=1, keepdims=True)
    full_loss, full = px.value_and_grad(loss_fn)(m, x, y)
    g, loss = accumulated_scan(m, x.reshape(4, 6, 4), y.reshape(4, 6, 1))
    assert isinstance(g, MLP)
    assert jnp.allclose(loss, full_loss, rtol=1e-5)
    assert jnp.allclose(g.w1, full.w1, atol=1e-5) and jnp.allclose(g.w2, full.w2, atol=1e-5)


if __name__ == "__main__":
    main()
