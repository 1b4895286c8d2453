"""Generic modules as field types: a `Residual[Block]` wrapper and a `Pair[M]` as children of
a model, trained with px.grad; the gradient keeps the generic structure."""

from typing import Generic, TypeVar

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px

M = TypeVar("M", bound=px.Module)


class Dense(px.Module):
    w: Float[Array, "d d"]

    def __call__(self, x: jax.Array) -> jax.Array:
        return jnp.tanh(x @ self.w)


class Residual(px.Module, Generic[M]):
    inner: M
    gain: float = px.static(default=1.0)

    def __call__(self, x: jax.Array) -> jax.Array:
        return x + self.gain * self.inner(x)  # type: ignore[operator]


class Model(px.Module):
    first: Residual[Dense]
    second: Residual[Dense]

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.second(self.first(x))


def loss_fn(m: Model, x: jax.Array) -> jax.Array:
    return jnp.mean((m(x) - 2 * x) ** 2)


def main() -> None:
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    m = Model(Residual(Dense(0.1 * jax.random.normal(k1, (3, 3)))), Residual(Dense(0.1 * jax.random.normal(k2, (3, 3))), 0.5))
    assert len(jax.tree.leaves(m)) == 2 and m.second.gain == 0.5
    x = jax.random.normal(k3, (16, 3))
    g = px.grad(loss_fn)(m, x)
    assert isinstance(g.first, Residual) and g.first.inner.w.shape == (3, 3)
    first = float(loss_fn(m, x))
    step = px.jit(lambda m, x: jax.tree.map(lambda p, d: p - 0.2 * d, m, px.grad(loss_fn)(m, x)))
    for _ in range(100):
        m = step(m, x)
    assert float(loss_fn(m, x)) < 0.5 * first


if __name__ == "__main__":
    main()
