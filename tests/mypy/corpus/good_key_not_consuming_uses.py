"""Containers, attributes, returns, prints, shapes, key_data and fold_in do not consume a key."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px


class Holder(px.Module):
    key: jax.Array


def passthrough(key: jax.Array) -> jax.Array:
    return key


key = jax.random.key(0)
pair = (key, key)
stash = {"a": key, "b": key}
holder = Holder(key)
print(key.shape, key.dtype, jax.random.key_data(key).shape, jax.random.key_data(key).shape)
same = passthrough(key)
again = passthrough(key)
child_a = jax.random.fold_in(key, 0)
child_b = jax.random.fold_in(key, 1)
print(len(pair), len(stash), holder.key.shape, same.shape, again.shape)
x = jax.random.normal(key, ())
print(x, jax.random.normal(child_a, ()), jax.random.normal(child_b, ()))
