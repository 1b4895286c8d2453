"""Read-only module captures under raw jax.vmap / jax.grad / jax.value_and_grad / jax.checkpoint."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear

model = Linear(2, 2, key=jax.random.PRNGKey(0))
counter = Counter()


def predict(x):
    return model(x) + counter.peek()


def per_example(params, x):
    return jnp.sum(model(x) * params)


class Wrapper(px.Module):
    inner: Linear

    def __call__(self, xs):
        f = jax.vmap(lambda x: self.inner(x))
        g = jax.grad(lambda x: jnp.sum(self.inner(x)))
        h = jax.checkpoint(self.inner)
        return f(xs), g(xs[0]), h(xs[0])


ys = jax.vmap(model)(jnp.ones((3, 2)))
ys = jax.vmap(predict)(jnp.ones((3, 2)))
gx = jax.grad(lambda x: jnp.sum(model(x)))(jnp.ones(2))
v, gx = jax.value_and_grad(functools.partial(per_example, 1.0))(jnp.ones(2))
r = jax.checkpoint(lambda x: model(x) * 2)(jnp.ones(2))
r = jax.remat(model)(jnp.ones(2))
vm = jax.vmap(model.__call__)(jnp.ones((3, 2)))
Wrapper(model)(jnp.ones((3, 2)))
