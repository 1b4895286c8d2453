"""jax.lax.scan, while_loop, fori_loop, cond and switch carry their types through."""

import jax
import jax.numpy as jnp
from jax import Array, lax

xs = jnp.arange(5.0)
state = {"total": jnp.zeros(()), "count": jnp.zeros((), jnp.int32)}


def cumulative(carry: Array, x: Array) -> tuple[Array, Array]:
    return carry + x, carry


def tree_step(carry: dict[str, Array], x: Array) -> tuple[dict[str, Array], None]:
    return {"total": carry["total"] + x, "count": carry["count"] + 1}, None


# scan: (final carry, stacked outputs).
reveal_type(lax.scan(cumulative, jnp.zeros(()), xs))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
reveal_type(lax.scan(tree_step, state, xs))
# N: Revealed type is "tuple[dict[str, jax._src.basearray.Array], None]"
# PN: Revealed type is "tuple[dict[str, Array], None]"
reveal_type(lax.scan(lambda c, x: (c + x, c * x), jnp.zeros(()), xs))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
reveal_type(lax.scan(lambda c, _: (c, None), state, None, length=3))
# N: Revealed type is "tuple[dict[str, jax._src.basearray.Array], None]"
# PN: Revealed type is "tuple[dict[str, Array], None]"
# A scalar initial carry becomes a jax.Array in JAX (JAX's own types reject these two).
reveal_type(lax.scan(cumulative, 0.0, xs))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
reveal_type(lax.scan(lambda c, x: (c + x, c), 0.0, xs))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
final, ys = jax.lax.scan(f=cumulative, init=jnp.zeros(()), xs=xs, reverse=True, unroll=2)
reveal_type(final)  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"


def bad_step(carry: dict[str, Array], x: Array) -> tuple[Array, Array]:
    return x, x


lax.scan(bad_step, state, xs)
# E: Argument 1 to "scan" has incompatible type "Callable[[dict[str, Array], Array], tuple[Array, Array]]"; expected "Callable[[dict[str, Array], Array], tuple[dict[str, Array], Array]]"  [arg-type]
# PE: No overloads for "scan" match the provided arguments  [reportCallIssue]
# PE: Argument of type "(carry: dict[str, Array], x: Array) -> tuple[Array, Array]" cannot be assigned to parameter "f" of type "(_Carry@scan, _X@scan) -> tuple[_Carry@scan, _Y@scan]" in function "scan"  [reportArgumentType]


# while_loop: the carry's type.
def below_ten(carry: tuple[int, Array]) -> Array:
    return jnp.asarray(carry[0] < 10)


def increment(carry: tuple[int, Array]) -> tuple[int, Array]:
    return carry[0] + 1, carry[1] * 2


reveal_type(lax.while_loop(below_ten, increment, (0, xs)))
# N: Revealed type is "tuple[Literal[0]?, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[int, Array]"
reveal_type(lax.while_loop(lambda c: c < 10, lambda c: c + 1, jnp.zeros(())))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.while_loop(lambda c: c < 10, lambda c: c + 1, 0))  # N: Revealed type is "Any"
# PN: Revealed type is "Array"
# (pyright types the lambdas from the first overload that fits: a scalar carry is an Array.)
lax.while_loop(below_ten, increment, xs)
# E: Argument 1 to "while_loop" has incompatible type "Callable[[tuple[int, Array]], Array]"; expected "Callable[[Array], Any]"  [arg-type]
# E: Argument 2 to "while_loop" has incompatible type "Callable[[tuple[int, Array]], tuple[int, Array]]"; expected "Callable[[Array], Array]"  [arg-type]
# PE: No overloads for "while_loop" match the provided arguments  [reportCallIssue]
# PE: Argument of type "Array" cannot be assigned to parameter "init_val" of type "_Carry@while_loop" in function "while_loop"  [reportArgumentType]


# fori_loop: the body gets the index as an int or a jax.Array, as it declares.
def add_index(i: int, total: Array) -> Array:
    return total + i


def add_index_array(i: Array, total: Array) -> Array:
    return total + i


def tree_body(i: Array, carry: dict[str, Array]) -> dict[str, Array]:
    return {"total": carry["total"] + i, "count": carry["count"] + 1}


reveal_type(lax.fori_loop(0, 10, add_index, jnp.zeros(())))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.fori_loop(0, 10, add_index_array, jnp.zeros(())))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.fori_loop(0, 10, add_index, 0.0))  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.fori_loop(0, xs.shape[0], tree_body, state))
# N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"
reveal_type(lax.fori_loop(jnp.int32(0), jnp.int32(4), lambda i, c: c + xs[i], jnp.zeros(())))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.fori_loop(0, 3, lambda i, c: (c[0] + i, c[1]), (jnp.zeros(()), xs)))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
lax.fori_loop(0, 10, tree_body, xs)
# E: Argument 3 to "fori_loop" has incompatible type "Callable[[Array, dict[str, Array]], dict[str, Array]]"; expected "Callable[[int, Array], Array]"  [arg-type]
# PE: No overloads for "fori_loop" match the provided arguments  [reportCallIssue]
# PE: Argument of type "Array" cannot be assigned to parameter "init_val" of type "_Carry@fori_loop" in function "fori_loop"  [reportArgumentType]


# cond / switch: what the branches return.
def positive(x: Array) -> Array:
    return x


def negative(x: Array) -> Array:
    return -x


def as_pair(x: Array) -> tuple[Array, Array]:
    return x, x


def swap_pair(x: Array) -> tuple[Array, Array]:
    return -x, x


reveal_type(lax.cond(xs[0] > 0, positive, negative, xs))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.cond(True, as_pair, swap_pair, xs))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
reveal_type(lax.cond(xs[0] > 0, lambda: xs, lambda: 0.0))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.cond(xs[0] > 0, lambda x: x + 1, lambda x: x - 1, xs))  # N: Revealed type is "Any"
# PN: Revealed type is "Array"
# (the lambdas return Unknown, which pyright lets the first overload take: array-like branches.)
reveal_type(lax.switch(1, [positive, negative, jnp.sin], xs))
# N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
reveal_type(lax.switch(jnp.int32(0), (as_pair, swap_pair), xs))
# N: Revealed type is "tuple[jax._src.basearray.Array, jax._src.basearray.Array]"
# PN: Revealed type is "tuple[Array, Array]"
label: str = lax.cond(True, positive, negative, xs)
# E: Incompatible types in assignment (expression has type "Array", variable has type "str")  [assignment]
# PE: Type "Array" is not assignable to declared type "str"  [reportAssignmentType]
