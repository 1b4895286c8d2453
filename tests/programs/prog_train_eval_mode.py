"""Dropout that keeps its key as state: train mode advances the key, eval mode is the identity."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Dropout(px.StateModule):
    key: jax.Array
    rate: float = px.static(default=0.5)

    def __call__(self, x: jax.Array) -> jax.Array:
        if not self.training:
            return x
        self.key, sub = jax.random.split(self.key)
        keep = jax.random.bernoulli(sub, 1.0 - self.rate, x.shape)
        return jnp.where(keep, x / (1.0 - self.rate), 0.0)


class Net(px.Module):
    w: Float[Array, "i o"]
    drop: Dropout

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.drop(x @ self.w)


@px.jit
def forward(net: Net, x: jax.Array) -> tuple[Net, jax.Array]:
    return px.purecall(net, x)


def main() -> None:
    net = Net(jnp.eye(4), Dropout(jax.random.PRNGKey(0), rate=0.5))
    assert net.training and net.drop.training
    x = jnp.ones((8, 4))

    net1, y1 = forward(net, x)
    net2, y2 = forward(net1, x)
    assert not jnp.array_equal(net.drop.key, net1.drop.key)
    assert not jnp.array_equal(y1, y2)  # a fresh mask each step
    assert set(jnp.unique(y1).tolist()) <= {0.0, 2.0}

    test = px.eval_mode(net2)
    assert not test.training and not test.drop.training
    test2, y = forward(test, x)
    assert jnp.array_equal(y, x) and jnp.array_equal(test2.drop.key, net2.drop.key)
    y_plain = test(x)  # eval mode changes nothing, so a plain call is fine
    assert jnp.array_equal(y_plain, x)

    back = px.train_mode(test)
    assert back.training and back.drop.training
    _, y3 = forward(back, x)
    assert not jnp.array_equal(y3, x)


if __name__ == "__main__":
    main()
