"""PAX's counter idioms: a module whose counter advances on each call, via purecall, pure, jit, scan."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Scaler(px.StateModule):
    scale: Float[Array, ""] = px.param(default_factory=lambda: jnp.array(2.0))
    counter: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x: jax.Array) -> jax.Array:
        self.counter = self.counter + 1
        return x * self.scale


@px.pure
def call_three_times(m: Scaler, x: jax.Array) -> tuple[Scaler, jax.Array]:
    for _ in range(3):
        x = m(x)
    return m, x


@px.jit
def step(m: Scaler, x: jax.Array) -> tuple[Scaler, jax.Array]:
    return px.purecall(m, x)


def scan_body(m: Scaler, x: jax.Array) -> tuple[Scaler, jax.Array]:
    m, y = px.purecall(m, x)
    return m, y


def main() -> None:
    m = Scaler()
    m1, y = px.purecall(m, jnp.ones(2))
    assert int(m.counter) == 0 and int(m1.counter) == 1
    assert jnp.allclose(y, 2.0)

    m3, y3 = call_three_times(m, jnp.ones(2))
    assert int(m3.counter) == 3 and jnp.allclose(y3, 8.0)

    for _ in range(4):
        m, _ = step(m, jnp.ones(2))
    assert int(m.counter) == 4

    m, ys = px.scan(scan_body, m, jnp.arange(5.0))
    assert int(m.counter) == 9
    assert jnp.allclose(ys, 2.0 * jnp.arange(5.0))

    # the gradient ignores the counter (state) and follows the parameter
    g = px.grad(lambda s, x: jnp.sum(px.purecall(s, x)[1]))(m, jnp.ones(3))
    assert float(g.scale) == 3.0 and g.counter is None
    try:
        m(jnp.ones(2))  # type: ignore[purepax-mutation]  # the bug under test
    except px.ImmutableModuleError as e:
        assert "Scaler" in str(e) and "counter" in str(e)
    else:
        raise AssertionError("calling a mutating module outside pure must fail")


if __name__ == "__main__":
    main()
