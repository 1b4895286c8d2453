"""A helper that splits its key, through another helper: calling it twice with one key repeats everything."""

# runtime: silent
import jax
import jax.numpy as jnp


def draw(key):
    return jax.random.normal(key, (2,))


def mlp_params(key):
    k1, k2 = jax.random.split(key)
    return draw(k1), draw(k2)


key = jax.random.key(0)
actor = mlp_params(key)
critic = mlp_params(key)  # E: purepax-key-reuse
print(actor, critic)
