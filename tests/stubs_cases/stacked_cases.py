"""px.stack infers Stacked[M] from its function or blocks; indexing gives an M back."""

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


def make(key: Array) -> Linear:
    return Linear(3, 3, key=key)


keys = jax.random.split(jax.random.key(0), 4)
stacked = px.stack(make, keys)
reveal_type(stacked)  # N: Revealed type is "purepax._stacked.Stacked[stacked_cases.Linear]"
# PN: Revealed type is "Stacked[Linear]"
reveal_type(px.stack(lambda key: Linear(3, 3, key=key), keys, remat=True))
# N: Revealed type is "purepax._stacked.Stacked[stacked_cases.Linear]"
# PN: Revealed type is "Stacked[Linear]"
reveal_type(px.stack([make(keys[0]), make(keys[1])]))
# N: Revealed type is "purepax._stacked.Stacked[stacked_cases.Linear]"
# PN: Revealed type is "Stacked[Linear]"
reveal_type(stacked[0])  # N: Revealed type is "stacked_cases.Linear"
# PN: Revealed type is "Linear"
reveal_type(stacked[1:])  # N: Revealed type is "purepax._stacked.Stacked[stacked_cases.Linear]"
# PN: Revealed type is "Stacked[Linear]"
reveal_type(stacked.layers)  # N: Revealed type is "stacked_cases.Linear"
# PN: Revealed type is "Linear"
reveal_type(stacked.unstack())  # N: Revealed type is "tuple[stacked_cases.Linear, ...]"
# PN: Revealed type is "tuple[Linear, ...]"
reveal_type(stacked(jnp.ones((2, 3))))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(len(stacked))  # N: Revealed type is "int"
# PN: Revealed type is "int"
for block in stacked:
    reveal_type(block)  # N: Revealed type is "stacked_cases.Linear"
    # PN: Revealed type is "Linear"
wrong: int = stacked[0]  # E: Incompatible types in assignment (expression has type "Linear", variable has type "int")  [assignment]
# PE: Type "Linear" is not assignable to declared type "int"  [reportAssignmentType]


class Model(px.Module):
    blocks: px.Stacked[Linear]

    def __call__(self, x: Array) -> Array:
        return self.blocks(x)


reveal_type(Model(stacked).blocks[-1])  # N: Revealed type is "stacked_cases.Linear"
# PN: Revealed type is "Linear"
