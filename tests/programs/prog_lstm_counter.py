"""An LSTM learns to count the ones in a bit sequence (px.scan over time, PAX-style cell)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class LSTMCell(px.Module):
    wx: Float[Array, "i h4"]
    wh: Float[Array, "h h4"]
    b: Float[Array, " h4"]
    hidden: int = px.static()

    def __init__(self, i: int, hidden: int, *, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.wx = jax.random.normal(k1, (i, 4 * hidden)) / i**0.5
        self.wh = jax.random.normal(k2, (hidden, 4 * hidden)) / hidden**0.5
        self.b = jnp.zeros((4 * hidden,)).at[hidden : 2 * hidden].set(1.0)
        self.hidden = hidden

    def __call__(self, hc: tuple[jax.Array, jax.Array], x: jax.Array) -> tuple[jax.Array, jax.Array]:
        h, c = hc
        i, f, g, o = jnp.split(x @ self.wx + h @ self.wh + self.b, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        return jax.nn.sigmoid(o) * jnp.tanh(c), c


class Counter(px.Module):
    cell: LSTMCell
    head: Float[Array, " h"]

    def __call__(self, xs: Float[Array, "b t 1"]) -> Float[Array, "b t"]:
        batch = xs.shape[0]
        zeros = jnp.zeros((batch, self.cell.hidden))

        def body(carry: tuple[Counter, tuple[jax.Array, jax.Array]], x: jax.Array):
            model, hc = carry
            hc = model.cell(hc, x)
            return (model, hc), hc[0] @ model.head

        _, ys = px.scan(body, (self, (zeros, zeros)), jnp.swapaxes(xs, 0, 1))
        return jnp.swapaxes(ys, 0, 1)


def loss_fn(model: Counter, xs: jax.Array) -> jax.Array:
    target = jnp.cumsum(xs[..., 0], axis=1)
    return jnp.mean((model(xs) - target) ** 2)


@px.jit
def train_step(model: Counter, xs: jax.Array, lr: float) -> tuple[Counter, jax.Array]:
    loss, g = px.value_and_grad(loss_fn)(model, xs)
    return jax.tree.map(lambda p, d: p - lr * d, model, g), loss


def main() -> None:
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(1), 3)
    xs = jax.random.bernoulli(k1, 0.5, (32, 6, 1)).astype(jnp.float32)
    model = Counter(LSTMCell(1, 16, key=k2), jax.random.normal(k3, (16,)) * 0.1)
    losses = []
    for _ in range(150):
        model, loss = train_step(model, xs, 0.05)
        losses.append(float(loss))
    assert losses[-1] < 0.2 * losses[0], (losses[0], losses[-1])


if __name__ == "__main__":
    main()
