"""An annotated tuple carry: the module unpacked from it is immutable."""

# runtime: ImmutableModuleError
import functools

import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Counter, Linear, Tracked, bump, bump_twice



def body(carry: tuple[Counter, jax.Array], x):
    c, total = carry
    c.count = c.count + 1  # E: purepax-mutation
    return (c, total + x), x


jax.lax.scan(body, (Counter(), jnp.zeros(())), jnp.arange(3.0))
