"""Text generation that samples every token from the same key: the same token distribution draw each step."""

# runtime: silent
import jax
import jax.numpy as jnp


def generate(logits: jax.Array, key: jax.Array, steps: int) -> list[int]:
    tokens = []
    for _ in range(steps):
        token = jax.random.categorical(key, logits)  # E: purepax-key-reuse
        tokens.append(int(token))
        logits = logits.at[token].add(-1.0)
    return tokens


print(generate(jnp.zeros(5), jax.random.key(0), 3))
