"""A loop that draws from a key it splits anew at the start of every iteration, inside lax loops too."""

# runtime: ok
import jax
import jax.numpy as jnp


def sample_all(key: jax.Array, n: int) -> list[jax.Array]:
    out: list[jax.Array] = []
    while len(out) < n:
        key, sub = jax.random.split(key)
        out.append(jax.random.normal(sub, ()))
    return out


def body(i: jax.Array, carry: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
    x, key = carry
    key, sub = jax.random.split(key)
    return x + jax.random.normal(sub, ()), key


print(sample_all(jax.random.key(0), 2), jax.lax.fori_loop(0, 3, body, (jnp.array(0.0), jax.random.key(1))))
