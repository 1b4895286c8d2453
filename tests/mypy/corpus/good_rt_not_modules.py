"""Plain classes and dataclasses that are not modules, with method names a module also has."""

# runtime: ok
import dataclasses

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter


@dataclasses.dataclass
class Stats:
    count: int = 0
    total: float = 0.0

    def __call__(self, x):
        self.count += 1
        self.total += float(x)
        return x

    def reset(self):
        self.count = 0


class Logger:
    def __init__(self):
        self.lines = []
        self.count = 0

    def __call__(self, msg):
        self.count = self.count + 1
        self.lines.append(msg)


stats = Stats()
stats(1.0)
stats.reset()
log = Logger()
log("start")
setattr(log, "count", 3)


@jax.jit
def step(c: Counter, x):
    c, y = px.purecall(c, x)
    return c, y


def run(c, xs):
    s = Stats()
    for x in xs:
        c, _ = step(c, x)
        s(x)
        log(f"{x}")
    s.count = 0
    return c


c = run(Counter(), [1.0, 2.0])
assert int(c.count) == 2
