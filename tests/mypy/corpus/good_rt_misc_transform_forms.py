"""partial(jax.jit, ...)(f) call form, static_argnames, while_loop conditions reading the carry, dicts of submodules."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Heads(px.Module):
    heads: dict[str, Linear]
    counter: Counter

    def __call__(self, x, name):
        self.counter, _ = px.purecall(self.counter, x)
        return self.heads[name](x)


def step(m, x, name):
    m, y = px.purecall(m, x, name)
    return m, y


fast = functools.partial(jax.jit, static_argnums=2)(step)
named = jax.jit(step, static_argnames=("name",))


def body(state):
    c, n = state

    @px.pure
    def tick(c):
        c(n)
        return c

    return tick(c), n + 1


m = Heads({"a": Linear(2, 2, key=jax.random.PRNGKey(0))}, Counter())
m, y = fast(m, jnp.ones(2), "a")
m, y = named(m, jnp.ones(2), name="a")
c, n = jax.lax.while_loop(lambda s: s[0].count < 3, body, (Counter(), 0))
keys = jax.random.split(jax.random.PRNGKey(1), 3)
stack = jax.vmap(lambda k: Counter())(keys)
stack, _ = jax.vmap(lambda c, x: px.purecall(c, x))(stack, jnp.ones(3))
assert int(m.counter.count) == 2 and int(c.count) == 3
