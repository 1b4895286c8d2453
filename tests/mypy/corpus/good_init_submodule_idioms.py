"""In __init__: setting self's own fields, building a submodule already in the state it
should have, a submodule given by the caller, and reading a built submodule are all fine."""

# runtime: ok
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px
from corpus_defs import Counter


class Norm(px.StateModule):
    seen: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    scale: Float[Array, ""] = px.state(default_factory=lambda: jnp.array(1.0))

    def __init__(self, c: int):
        self.seen = jnp.array(c)
        self.scale = jnp.array(1.0)
        self.seen = self.seen + 1  # self is still being built

    def reset(self):
        self.seen = jnp.array(0)

    def peek(self):
        return self.seen


class Net(px.Module):
    norm: Norm
    counter: Counter
    size: int = px.static()

    def __init__(self, c: int, counter: Counter):
        norm = Norm(c)
        norm = px.replace(norm, seen=jnp.array(0))  # changed before it is stored
        self.norm = norm
        self.counter = counter
        self.size = int(self.norm.peek()) + c  # reads only
        self.counter, _ = px.purecall(self.counter.reset)


Net(3, Counter())
