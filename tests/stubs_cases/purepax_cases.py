"""purepax's checked transforms keep the signature too (typed in purepax's own source)."""

import jax
import jax.numpy as jnp
from jax import Array
from jaxtyping import Float

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key: Array):
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x: Array) -> Array:
        return x @ self.weight + self.bias

    @px.jit
    def predict(self, x: Array) -> Array:
        return jnp.tanh(x @ self.weight + self.bias)


model = Linear(3, 2, key=jax.random.key(0))
x = jnp.ones((4, 3))


def loss(model: Linear, x: Array) -> Array:
    return jnp.mean(model(x) ** 2)


def loss_aux(model: Linear, x: Array) -> tuple[Array, Array]:
    out = model(x)
    return jnp.mean(out**2), out


def apply(model: Linear, x: Array) -> Array:
    return model(x)


reveal_type(px.jit(apply))
# N: Revealed type is "purepax._transforms.Jitted[[model: purepax_cases.Linear, x: jax._src.basearray.Array], jax._src.basearray.Array]"
# PN: Revealed type is "Jitted[(model: Linear, x: Array), Array]"
reveal_type(px.jit(apply)(model, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(px.jit(static_argnums=1))  # N: Revealed type is "purepax._transforms._JitDecorator"
# PN: Revealed type is "_JitDecorator"
reveal_type(model.predict(x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(px.grad(loss))
# N: Revealed type is "def (purepax_cases.Linear, x: jax._src.basearray.Array) -> purepax_cases.Linear"
# PN: Revealed type is "(Linear, x: Array) -> Linear"
reveal_type(px.grad(loss)(model, x))  # N: Revealed type is "purepax_cases.Linear"
# PN: Revealed type is "Linear"
reveal_type(px.grad(loss_aux, has_aux=True)(model, x))
# N: Revealed type is "tuple[purepax_cases.Linear, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Linear, Array]"
reveal_type(px.value_and_grad(loss)(model, x))
# N: Revealed type is "tuple[jax._src.basearray.Array, purepax_cases.Linear]"
# PN: Revealed type is "tuple[Array, Linear]"
reveal_type(px.vmap(apply, in_axes=(None, 0)))
# N: Revealed type is "def (model: purepax_cases.Linear, x: jax._src.basearray.Array) -> jax._src.basearray.Array"
# PN: Revealed type is "(model: Linear, x: Array) -> Array"
reveal_type(px.remat(apply)(model, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"


def step(model: Linear, x: Array) -> tuple[Linear, Array]:
    return model, model(x)


def body(i: int, model: Linear) -> Linear:
    return model


reveal_type(px.scan(step, model, x))
# N: Revealed type is "tuple[purepax_cases.Linear, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Linear, Array]"
reveal_type(px.while_loop(lambda m: False, lambda m: m, model))
# N: Revealed type is "purepax_cases.Linear"
# PN: Revealed type is "Linear"
reveal_type(px.fori_loop(0, 3, body, model))  # N: Revealed type is "purepax_cases.Linear"
# PN: Revealed type is "Linear"
reveal_type(px.cond(True, apply, apply, model, x))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(px.switch(0, [apply, apply], model, x))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"

# Raw JAX transforms on modules (they are pytrees).
reveal_type(jax.jit(apply)(model, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.vmap(model)(x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.grad(loss)(model, x))  # N: Revealed type is "purepax_cases.Linear"
# PN: Revealed type is "Linear"
reveal_type(jax.jit(loss)(model, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.lax.scan(step, model, x))
# N: Revealed type is "tuple[purepax_cases.Linear, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Linear, Array]"
