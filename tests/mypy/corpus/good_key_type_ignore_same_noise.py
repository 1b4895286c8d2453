"""An intentional reuse: two implementations compared on the same noise, silenced as mypy users expect."""

# runtime: ok
import jax
import jax.numpy as jnp


def reference(x: jax.Array) -> jax.Array:
    return x * 2.0


def fast(x: jax.Array) -> jax.Array:
    return x + x


key = jax.random.key(0)
noise_a = jax.random.normal(key, (3,))
noise_b = jax.random.normal(key, (3,))  # type: ignore[purepax-key-reuse]
assert jnp.allclose(reference(noise_a), fast(noise_b))
