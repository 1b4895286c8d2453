"""An unannotated jitted step draws from its key: given the same key at every step, dropout is constant (Flax #4539)."""

# runtime: silent
import jax
import jax.numpy as jnp


@jax.jit
def step(x, key):
    keep = jax.random.bernoulli(key, 0.5, x.shape)
    return jnp.where(keep, x, 0.0)


key = jax.random.PRNGKey(0)
x = jnp.ones(4)
for i in range(3):
    x = step(x, key)  # E: purepax-key-reuse
print(x)
