"""Equinox/PAX pitfalls around jit: a module as a static argument is refused (its arrays would
go stale); px.jit of the same function reuses its compiled program; static fields retrace."""

import functools

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px

TRACES = [0]


class Affine(px.Module):
    w: Float[Array, " n"]
    activation: str = px.static(default="relu")

    def __call__(self, x: jax.Array) -> jax.Array:
        y = x * self.w
        return jax.nn.relu(y) if self.activation == "relu" else jnp.tanh(y)


def apply(model: Affine, x: jax.Array) -> jax.Array:
    TRACES[0] += 1
    return model(x)


def evaluate(model: Affine, xs: jax.Array) -> jax.Array:
    return px.jit(apply)(model, xs)  # wrapped again on every call, as helpers do


def main() -> None:
    m = Affine(jnp.array([1.0, -2.0]))
    x = jnp.ones(2)
    bad = px.jit(apply, static_argnums=0)
    try:
        bad(m, x)
    except px.StaticArgumentError as e:
        assert "Affine" in str(e) and "static" in str(e), str(e)
    else:
        raise AssertionError("a module as a static argument must be refused")
    try:
        px.jit(functools.partial(apply), static_argnames="model")(model=m, x=x)
    except px.StaticArgumentError:
        pass
    else:
        raise AssertionError("a module as a static keyword argument must be refused")

    TRACES[0] = 0
    for epoch in range(5):
        m = px.replace(m, w=m.w + 1.0)  # new values, same structure
        y = evaluate(m, x)
        assert jnp.allclose(y, jax.nn.relu(m.w))
    assert TRACES[0] == 1, TRACES

    tanh = px.replace(m, activation="tanh")  # a static field: a new program
    assert jnp.allclose(evaluate(tanh, x), jnp.tanh(tanh.w))
    assert TRACES[0] == 2
    evaluate(px.replace(tanh, w=jnp.zeros(2)), x)
    assert TRACES[0] == 2


if __name__ == "__main__":
    main()
