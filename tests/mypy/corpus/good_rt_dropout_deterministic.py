"""A Dropout-like module mutates its key only when not deterministic; inference under jit passes deterministic=True."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px


class Dropout(px.StateModule):
    key: jax.Array
    rate: float = px.static(default=0.5)

    def __call__(self, x, *, deterministic=False):
        if deterministic:
            return x
        self.key, sub = jax.random.split(self.key)
        keep = jax.random.bernoulli(sub, 1.0 - self.rate, x.shape)
        return jnp.where(keep, x / (1.0 - self.rate), 0.0)


class Noisy(px.StateModule):
    key: jax.Array

    def __call__(self, x, train: bool = True):
        if train:
            self.key, sub = jax.random.split(self.key)
            x = x + jax.random.normal(sub, x.shape)
        return x


@jax.jit
def predict(drop: Dropout, noisy: Noisy, x):
    return noisy(drop(x, deterministic=True), train=False)


def eval_body(d, x):
    return d, d(x, deterministic=True)


d = Dropout(jax.random.PRNGKey(0))
n = Noisy(jax.random.PRNGKey(1))
predict(d, n, jnp.ones(4))
jax.lax.scan(eval_body, d, jnp.ones((3, 4)))
d, y = px.purecall(d, jnp.ones(4))
