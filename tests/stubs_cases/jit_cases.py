"""jax.jit keeps the wrapped function's signature: call form, decorators, methods, lowering."""

import functools
from typing import TypeVar

import jax
import jax.numpy as jnp
from jax import Array

T = TypeVar("T")
x = jnp.ones(3)


def scale(x: Array, factor: float) -> Array:
    return x * factor


jitted = jax.jit(scale)
reveal_type(jitted)
# N: Revealed type is "jax._Jitted[[x: jax._src.basearray.Array, factor: float], jax._src.basearray.Array]"
# PN: Revealed type is "_Jitted[(x: Array, factor: float), Array]"
reveal_type(jitted(x, 2.0))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jitted(x, factor=2))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.jit(scale, static_argnames="factor", donate_argnums=0))
# N: Revealed type is "jax._Jitted[[x: jax._src.basearray.Array, factor: float], jax._src.basearray.Array]"
# PN: Revealed type is "_Jitted[(x: Array, factor: float), Array]"
jitted(x, "two")
# E: Argument 2 to "__call__" of "_Jitted" has incompatible type "str"; expected "float"  [arg-type]
# PE: Argument of type "Literal['two']" cannot be assigned to parameter "factor" of type "float" in function "__call__"  [reportArgumentType]
jitted(x)  # E: Missing positional argument "factor" in call to "__call__" of "_Jitted"  [call-arg]
# PE: Argument missing for parameter "factor"  [reportCallIssue]
result: str = jitted(x, 2.0)
# E: Incompatible types in assignment (expression has type "Array", variable has type "str")  [assignment]
# PE: Type "Array" is not assignable to declared type "str"  [reportAssignmentType]


@jax.jit
def step(x: Array, n: int) -> tuple[Array, int]:
    return x + n, n + 1


reveal_type(step)
# N: Revealed type is "jax._Jitted[[x: jax._src.basearray.Array, n: int], tuple[jax._src.basearray.Array, int]]"
# PN: Revealed type is "_Jitted[(x: Array, n: int), tuple[Array, int]]"
reveal_type(step(x, 1))  # N: Revealed type is "tuple[jax._src.basearray.Array, int]"
# PN: Revealed type is "tuple[Array, int]"


# The decorator factory (JAX >= 0.8.1): jax.jit(...) without a function.
@jax.jit(static_argnames="n")
def power(x: Array, n: int) -> Array:
    return x**n


reveal_type(jax.jit(static_argnums=0))  # N: Revealed type is "jax._JitDecorator"
# PN: Revealed type is "_JitDecorator"
reveal_type(power)
# N: Revealed type is "jax._Jitted[[x: jax._src.basearray.Array, n: int], jax._src.basearray.Array]"
# PN: Revealed type is "_Jitted[(x: Array, n: int), Array]"
reveal_type(power(x, 3))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"


# mypy cannot see through functools.partial of an overloaded function: the signature is
# lost there (as without the overlay), but nothing correct is rejected. pyright keeps it.
@functools.partial(jax.jit, static_argnums=1)
def repeat(x: Array, n: int) -> Array:
    return jnp.tile(x, n)


reveal_type(repeat)  # N: Revealed type is "jax._Jitted[[*Any, **Any], Any]"
# PN: Revealed type is "_Jitted[(x: Array, n: int), Array]"
reveal_type(repeat(x, 3))  # N: Revealed type is "Any"
# PN: Revealed type is "Array"


def identity(value: T) -> T:
    return value


reveal_type(jax.jit(identity)(x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(jax.jit(lambda a: a * 2))  # N: Revealed type is "jax._Jitted[[a: Any], Any]"
# PN: Revealed type is "_Jitted[(a: Unknown), Unknown]"

# What JAX's own jit result offers stays: lowering (also with ShapeDtypeStructs), tracing.
lowered = jitted.lower(jax.ShapeDtypeStruct((3,), jnp.float32), 2.0)
reveal_type(lowered)  # N: Revealed type is "jax._src.stages.Lowered"
# PN: Revealed type is "Lowered"
reveal_type(lowered.compile())  # N: Revealed type is "jax._src.stages.Compiled"
# PN: Revealed type is "Compiled"
reveal_type(jitted.trace(x, 2.0))  # N: Revealed type is "jax._src.stages.Traced"
# PN: Revealed type is "Traced"
reveal_type(jitted.eval_shape(x, 2.0))  # N: Revealed type is "Any"
# PN: Revealed type is "Any"
as_wrapped: jax.stages.Wrapped = jitted


class Scaler:
    """Jitted methods bind `self` like plain methods.

    (Only type-checked: to run, `self` must be a pytree, e.g. a px.Module, or hashable
    where it is static.)
    """

    def __init__(self, factor: float) -> None:
        self.factor = factor

    @jax.jit
    def __call__(self, x: Array) -> Array:
        return x * self.factor

    @jax.jit
    def apply(self, x: Array, bias: Array) -> Array:
        return x * self.factor + bias

    @functools.partial(jax.jit, static_argnums=0)
    def apply_static(self, x: Array) -> Array:
        return x * self.factor

    @jax.jit(static_argnums=0)
    def apply_static_factory(self, x: Array) -> Array:
        return x * self.factor

    @staticmethod
    @jax.jit
    def helper(x: Array) -> Array:
        return x + 1


scaler = Scaler(2.0)
reveal_type(scaler.apply)
# N: Revealed type is "jax._Jitted[[x: jax._src.basearray.Array, bias: jax._src.basearray.Array], jax._src.basearray.Array]"
# PN: Revealed type is "_Jitted[(x: Array, bias: Array), Array]"
reveal_type(scaler.apply(x, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(Scaler.apply)
# N: Revealed type is "jax._Jitted[[self: jit_cases.Scaler, x: jax._src.basearray.Array, bias: jax._src.basearray.Array], jax._src.basearray.Array]"
# PN: Revealed type is "_Jitted[(self: Scaler, x: Array, bias: Array), Array]"
reveal_type(Scaler.apply(scaler, x, x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(scaler(x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(scaler.apply_static(x))  # N: Revealed type is "Any"
# PN: Revealed type is "Array"
reveal_type(scaler.apply_static_factory(x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(Scaler.helper(x))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
scaler.apply(x)
# E: Missing positional argument "bias" in call to "__call__" of "_Jitted"  [call-arg]
# PE: Argument missing for parameter "bias"  [reportCallIssue]
# Known limitation (stubs/README.md): mypy 2.4 applies the jitted object's `__get__` to a
# @staticmethod too, so through an instance the first parameter is bound away. pyright does
# too, but the instance does not fit `x: Array`: `__get__`'s last overload leaves it unbound.
scaler.helper(x)  # E: Too many arguments for "__call__" of "_Jitted"  [call-arg]
