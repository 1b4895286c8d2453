"""jax.grad, jax.value_and_grad, jax.checkpoint/remat and jax.vmap keep the signature."""

import functools
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array

x = jnp.ones(3)
params = {"w": jnp.ones(3), "b": jnp.zeros(())}


def loss(w: Array, x: Array) -> Array:
    return jnp.sum(w * x)


def tree_loss(params: dict[str, Array], x: Array) -> Array:
    return jnp.sum(params["w"] * x + params["b"])


def aux_loss(params: dict[str, Array], x: Array) -> tuple[Array, dict[str, Array]]:
    out = params["w"] * x
    return jnp.sum(out), {"out": out}


def untyped_loss(params, x):
    return jnp.sum(params["w"] * x)


def float_loss(w: float) -> float:
    return w * w


class Params:
    """A pytree class: its gradient is a Params too."""

    w: Array


def class_loss(params: Params, x: Array) -> Array:
    return jnp.sum(params.w * x)


# The gradient has the type of the first argument; an array-like leaf gives a jax.Array.
reveal_type(jax.grad(loss))
# N: Revealed type is "def (jax._src.basearray.Array, x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(Array, x: Array) -> Array"
reveal_type(jax.grad(loss)(x, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.grad(tree_loss)(params, x))
# N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"
reveal_type(jax.grad(class_loss)(Params(), x))  # N: Revealed type is "autodiff_cases.Params"
# PN: Revealed type is "Params"
reveal_type(jax.grad(float_loss)(1.0))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.grad(jnp.sin)(1.0))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.grad(jax.grad(jnp.tanh))(0.5))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.grad(lambda w: jnp.sum(w**2))(x))  # N: Revealed type is "Any"
# PN: Revealed type is "Any"
# A lambda's parameters stay unknown (pyright typed them `_Leaf` once, and rejected these).
reveal_type(jax.grad(lambda w: jnp.sum(loss(w, x)))(x))  # N: Revealed type is "Any"
# PN: Revealed type is "Any"
reveal_type(jax.value_and_grad(lambda p: tree_loss(p, x))(params))
# N: Revealed type is "Any"
# PN: Revealed type is "Any"
reveal_type(jax.grad(untyped_loss))  # N: Revealed type is "def (*Any, **Any) -> Any"
# PN: Revealed type is "(...) -> Any"
jax.grad(loss)(x)  # E: Too few arguments  [call-arg]
# PE: Argument missing for parameter "x"  [reportCallIssue]
# Positional options as in JAX's signature:
reveal_type(jax.grad(loss, 0, False, False, True))
# N: Revealed type is "def (jax._src.basearray.Array, x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(Array, x: Array) -> Array"

# has_aux=True: (gradient, aux).
reveal_type(jax.grad(aux_loss, has_aux=True))
# N: Revealed type is "def (dict[str, jax._src.basearray.Array], x: jax._src.basearray.Array) -> tuple[dict[str, jax._src.basearray.Array], dict[str, jax._src.basearray.Array]]"
# PN: Revealed type is "(dict[str, Array], x: Array) -> tuple[dict[str, Array], dict[str, Array]]"
grads, aux = jax.grad(aux_loss, has_aux=True)(params, x)
reveal_type(grads)  # N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"
reveal_type(aux)  # N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"

# Other argnums, or a has_aux that is not a literal: the signature stays, the result is Any.
reveal_type(jax.grad(loss, argnums=1))
# N: Revealed type is "def (w: jax._src.basearray.Array, x: jax._src.basearray.Array) -> Any"
# PN: Revealed type is "(w: Array, x: Array) -> Any"
reveal_type(jax.grad(loss, argnums=(0, 1)))
# N: Revealed type is "def (w: jax._src.basearray.Array, x: jax._src.basearray.Array) -> Any"
# PN: Revealed type is "(w: Array, x: Array) -> Any"
has_aux: bool = True
# pyright narrows `has_aux` to the True assigned above, so it picks the has_aux=True overload.
reveal_type(jax.grad(aux_loss, has_aux=has_aux))
# N: Revealed type is "def (params: dict[str, jax._src.basearray.Array], x: jax._src.basearray.Array) -> Any"
# PN: Revealed type is "(dict[str, Array], x: Array) -> tuple[dict[str, Array], dict[str, Array]]"

# value_and_grad: (value, gradient); with has_aux: ((value, aux), gradient).
reveal_type(jax.value_and_grad(loss)(x, x))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
reveal_type(jax.value_and_grad(tree_loss)(params, x))
# N: Revealed type is "tuple[jax._src.basearray.Array, dict[str, jax._src.basearray.Array]]"
# PN: Revealed type is "tuple[Array, dict[str, Array]]"
(value, aux), grads = jax.value_and_grad(aux_loss, has_aux=True)(params, x)
reveal_type(value)  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(aux)  # N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"
reveal_type(grads)  # N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"
reveal_type(jax.value_and_grad(untyped_loss))  # N: Revealed type is "def (*Any, **Any) -> Any"
# PN: Revealed type is "(...) -> Any"
reveal_type(jax.value_and_grad(loss, argnums=1))
# N: Revealed type is "def (w: jax._src.basearray.Array, x: jax._src.basearray.Array) -> tuple[Any, Any]"
# PN: Revealed type is "(w: Array, x: Array) -> tuple[Any, Any]"
jax.value_and_grad(tree_loss)(x, x)
# E: Argument 1 has incompatible type "Array"; expected "dict[str, Array]"  [arg-type]
# PE: Argument of type "Array" cannot be assigned to parameter of type "dict[str, Array]"  [reportArgumentType]

# checkpoint / remat: the function's own type.
reveal_type(jax.checkpoint(loss))
# N: Revealed type is "def (w: jax._src.basearray.Array, x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(w: Array, x: Array) -> Array"
reveal_type(jax.checkpoint(loss, policy=jax.checkpoint_policies.nothing_saveable)(x, x))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.remat(loss, prevent_cse=False)(x, x))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"


@jax.checkpoint
def block(x: Array) -> Array:
    return jnp.sin(x)


@functools.partial(jax.checkpoint, static_argnums=(1,))
def repeated(x: Array, n: int) -> Array:
    return x * n


reveal_type(block)
# N: Revealed type is "def (x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(x: Array) -> Array"
reveal_type(repeated)
# N: Revealed type is "def (x: jax._src.basearray.Array, n: int) -> jax._src.basearray.Array"
# PN: Revealed type is "(x: Array, n: int) -> Array"
reveal_type(repeated(x, 2))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"

# vmap keeps JAX's own type: the function's own type (mapped shapes are not tracked).
reveal_type(jax.vmap(loss))
# N: Revealed type is "def (w: jax._src.basearray.Array, x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(w: Array, x: Array) -> Array"
reveal_type(jax.vmap(loss, in_axes=(0, None))(x, x))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.vmap(jax.grad(loss)))
# N: Revealed type is "def (jax._src.basearray.Array, x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(Unknown, x: Array) -> Array"
# (pyright solves grad's first parameter from vmap's expected `F`, a bare Callable: Unknown.)
reveal_type(jax.jit(jax.vmap(jax.value_and_grad(tree_loss), in_axes=(None, 0))))
# N: Revealed type is "jax._Jitted[[dict[str, jax._src.basearray.Array], x: jax._src.basearray.Array], tuple[jax._src.basearray.Array, dict[str, jax._src.basearray.Array]]]"
# PN: Revealed type is "_Jitted[(dict[str, Array], x: Array), tuple[Array, dict[str, Array]]]"
any_fn: Any = loss
reveal_type(jax.grad(any_fn))  # N: Revealed type is "def (*Any, **Any) -> Any"
# PN: Revealed type is "(...) -> Any"
