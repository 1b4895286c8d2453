"""A learning-rate sweep: one jitted training run per rate, vmapped over the rates; the
`lr: float` argument is also given Python ints and floats directly."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Linear(px.Module):
    w: Float[Array, " n"]
    b: Float[Array, ""]

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.w + self.b


def loss_fn(m: Linear, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((m(x) - y) ** 2)


@px.jit
def train(m: Linear, x: jax.Array, y: jax.Array, lr: float) -> tuple[Linear, jax.Array]:
    def body(m: Linear, _: None) -> tuple[Linear, jax.Array]:
        loss, g = px.value_and_grad(loss_fn)(m, x, y)
        return jax.tree.map(lambda p, d: p - lr * d, m, g), loss

    return px.scan(body, m, None, length=30)


def main() -> None:
    x = jax.random.normal(jax.random.PRNGKey(0), (32, 3))
    y = x @ jnp.array([1.0, -2.0, 0.5]) + 0.3
    m0 = Linear(jnp.zeros(3), jnp.array(0.0))
    lrs = jnp.array([0.0, 0.01, 0.1, 0.3])
    # JAX types vmap as returning the same function, so a batch of rates reads as not-a-float
    sweep = jax.vmap(train, in_axes=(None, None, None, 0))
    models, curves = sweep(m0, x, y, lrs)  # type: ignore[arg-type]
    final = curves[:, -1]
    assert curves.shape == (4, 30)
    assert jnp.allclose(curves[0], curves[0, 0])  # lr 0 learns nothing
    assert final[1] > final[2] > final[3], final
    assert models.w.shape == (4, 3)

    _, as_int = train(m0, x, y, 0)  # a Python int where float is annotated
    _, as_float = train(m0, x, y, 0.1)
    _, as_one = train(m0, x, y, 1)
    assert jnp.allclose(as_int, curves[0]) and jnp.allclose(as_float, curves[2], rtol=1e-5)
    assert bool(jnp.isfinite(as_one[0]))


if __name__ == "__main__":
    main()
