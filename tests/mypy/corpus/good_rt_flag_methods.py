"""Methods that mutate only under a flag argument, called with the flag off on immutable modules."""

# runtime: ok
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



class Stats(px.StateModule):
    mean: jax.Array = px.state(default_factory=lambda: jnp.zeros(2))
    n: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x, update=True):
        if update:
            self.n = self.n + 1
            self.mean = self.mean + (x - self.mean) / self.n
        return x - self.mean

    def maybe_reset(self, reset: bool):
        if not reset:
            return self.mean
        self.n = jnp.array(0)
        return self.mean

    def observe(self, x, *, frozen=False):
        return x if frozen else self.record(x)

    def record(self, x):
        self.n = self.n + 1
        return x


@jax.jit
def normalize(stats: Stats, x):
    stats.maybe_reset(False)
    return stats(x, update=False) + stats.observe(x, frozen=True)


def body(stats, x):
    y = stats(x, False)
    stats, _ = px.purecall(stats, x)
    return stats, y


s = Stats()
normalize(s, jnp.ones(2))
s, ys = jax.lax.scan(body, s, jnp.ones((3, 2)))
print(s(jnp.ones(2), update=False))
assert int(s.n) == 3
