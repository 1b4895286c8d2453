"""One key used once in each branch of an if/else, a conditional expression, lax.cond and lax.switch."""

# runtime: ok
import jax
import jax.numpy as jnp


def sample(key: jax.Array, gaussian: bool) -> jax.Array:
    if gaussian:
        x = jax.random.normal(key, ())
    else:
        x = jax.random.uniform(key, ())
    return x


def pick(key: jax.Array, gaussian: bool) -> jax.Array:
    return jax.random.normal(key, ()) if gaussian else jax.random.uniform(key, ())


def traced(key: jax.Array, p: jax.Array) -> jax.Array:
    a = jax.lax.cond(p, lambda k: jax.random.normal(k, ()), lambda k: jax.random.uniform(k, ()), key)
    return a


def switched(key: jax.Array, i: jax.Array) -> jax.Array:
    return jax.lax.switch(i, [lambda: jax.random.normal(key, ()), lambda: jax.random.uniform(key, ())])


print(sample(jax.random.key(0), True), pick(jax.random.key(0), False), traced(jax.random.key(1), jnp.array(True)))
print(switched(jax.random.key(2), jnp.array(1)))
