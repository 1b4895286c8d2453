"""Runtime type checkers (`@jaxtyped(typechecker=beartype)`, `@beartype`) between a
transform and the def change nothing: the parameters are still immutable copies."""

# runtime: ImmutableModuleError
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import jaxtyped

import purepax as px
from corpus_defs import Counter


@jax.jit
@jaxtyped(typechecker=beartype)
def step(c: Counter, x):
    y = c(x)  # E: purepax-mutation
    return c, y


@beartype
def body(c: Counter, x):
    c.reset()  # E: purepax-mutation
    return c, x


step(Counter(), 1.0)
jax.lax.scan(body, Counter(), jnp.arange(3.0))
