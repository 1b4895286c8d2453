"""A scan body calls a method that mutates (through two other files)."""

# runtime: ImmutableModuleError
import jax
import jax.numpy as jnp

from xpkg.models import Meter


def body(m: Meter, x):
    y = m.measure(x)  # E: purepax-mutation
    return m, y


jax.lax.scan(body, Meter(), jnp.arange(3.0))
