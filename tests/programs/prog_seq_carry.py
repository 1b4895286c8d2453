"""A sequence model whose recurrent cell keeps its hidden state and a step count as module
state: px.scan with the module as carry, each step through px.purecall; reset between batches."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class RNNCell(px.Module):
    wx: Float[Array, "i h"]
    wh: Float[Array, "h h"]
    h: Float[Array, " h"] = px.state()
    steps: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x: jax.Array) -> jax.Array:
        self.h = jnp.tanh(x @ self.wx + self.h @ self.wh)
        self.steps = self.steps + 1
        return self.h

    def reset(self) -> None:
        self.h = jnp.zeros_like(self.h)


def run(cell: RNNCell, xs: jax.Array) -> tuple[RNNCell, jax.Array]:
    def body(c: RNNCell, x: jax.Array) -> tuple[RNNCell, jax.Array]:
        c, y = px.purecall(c, x)
        return c, y

    return px.scan(body, cell, xs)


def reference(cell: RNNCell, xs: jax.Array) -> jax.Array:
    h, out = cell.h, []
    for x in xs:
        h = jnp.tanh(x @ cell.wx + h @ cell.wh)
        out.append(h)
    return jnp.stack(out)


def main() -> None:
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    cell = RNNCell(jax.random.normal(k1, (2, 4)), 0.5 * jax.random.normal(k2, (4, 4)), jnp.zeros(4))
    xs = jax.random.normal(k3, (7, 2))
    cell2, ys = px.jit(run)(cell, xs)
    assert jnp.allclose(ys, reference(cell, xs), atol=1e-5)
    assert int(cell2.steps) == 7 and jnp.allclose(cell2.h, ys[-1])
    assert int(cell.steps) == 0  # the caller's cell is unchanged

    cell3, ys2 = run(cell2, xs)  # continues from the carried hidden state
    assert int(cell3.steps) == 14 and not jnp.allclose(ys2, ys)
    fresh, _ = px.purecall(cell3.reset)
    _, ys3 = run(fresh, xs)
    assert jnp.allclose(ys3, ys, atol=1e-5)

    g = px.grad(lambda c, xs: jnp.sum(run(c, xs)[1]))(cell, xs)
    assert g.h is None and g.wx.shape == (2, 4)


if __name__ == "__main__":
    main()
