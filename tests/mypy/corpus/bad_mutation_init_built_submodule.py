"""In __init__, a submodule is built and stored, then mutated: a built module is immutable,
even while its owner is still under construction."""

# runtime: ImmutableModuleError
import jax.numpy as jnp
from jaxtyping import Array, Int

import purepax as px
from corpus_defs import Counter


class Norm(px.StateModule):
    seen: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __init__(self, c: int):
        self.seen = jnp.array(c)

    def reset(self):
        self.seen = jnp.array(0)


class Net(px.Module):
    norm: Norm
    counter: Counter

    def __init__(self, c: int):
        self.norm = Norm(c)
        self.norm.reset()  # E: purepax-mutation
        self.counter = Counter()
        self.counter.count = jnp.array(5)  # E: purepax-mutation


Net(3)
