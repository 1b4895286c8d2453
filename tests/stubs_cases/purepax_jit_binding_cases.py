"""px.jit's typing matches the overlay's jax.jit on the less common uses.

`lower`/`trace`/`eval_shape` take `jax.ShapeDtypeStruct`s (`*args: Any`), and a method
whose signature mypy lost (`functools.partial(px.jit, ...)` gives `Jitted[..., Any]`) still
binds `self` (the overload of `__get__` for `Jitted[[], R]` comes before the Concatenate one).
"""

import functools

import jax
import jax.numpy as jnp
from jax import Array

import purepax as px


class Scaled(px.Module):
    w: Array

    def __init__(self) -> None:
        self.w = jnp.ones(3)

    @functools.partial(px.jit, static_argnames="n")
    def power(self, x: Array, n: int) -> Array:
        return self.w * x**n


def double(x: Array) -> Array:
    return 2 * x


Scaled().power(jnp.ones(3), n=2)
px.jit(double).lower(jax.ShapeDtypeStruct((3,), jnp.float32))
