"""A train step with donate_argnums over a model with state defaults, run twice from scratch
(a second run must not find its defaults deleted by the first)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Model(px.StateModule):
    w: Float[Array, " n"] = px.param(default=jnp.ones(3))
    step: Int[Array, ""] = px.state(default=jnp.array(0))
    ema: Float[Array, " n"] = px.state(default=jnp.zeros(3))


def loss_fn(m: Model, x: jax.Array) -> jax.Array:
    return jnp.sum((m.w - x) ** 2)


@px.pure
def bump(m: Model) -> Model:
    m.step = m.step + 1
    m.ema = 0.5 * m.ema + 0.5 * m.w
    return m


@px.jit(donate_argnums=0)
def train_step(m: Model, x: jax.Array) -> Model:
    g = px.grad(loss_fn)(m, x)
    m = px.update_parameters(m, jax.tree.map(lambda p, d: p - 0.1 * d, px.parameters(m), g))
    return bump(m)


def run(x: jax.Array) -> Model:
    m = Model()
    for _ in range(20):
        m = train_step(m, x)
    return m


def main() -> None:
    x = jnp.array([1.0, 2.0, 3.0])
    first = run(x)
    second = run(x)  # builds a Model() from the same defaults again
    assert int(first.step) == int(second.step) == 20
    assert jnp.allclose(first.w, x, atol=0.05) and jnp.array_equal(first.w, second.w)
    assert jnp.allclose(second.ema, x, atol=0.1)
    assert int(Model().step) == 0 and jnp.array_equal(Model().w, jnp.ones(3))


if __name__ == "__main__":
    main()
