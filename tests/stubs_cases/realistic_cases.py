"""Realistic programs type-check with the overlays exactly as they do without them.

The seed tutorial's patterns (docs/jax_transformations.md), a training loop with jax.jit,
jax.grad and jax.tree.map (also with optax), and lax loops: no errors, and the types flow.
"""

import functools

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax ships no py.typed
from jax import Array
from jaxtyping import Float, Int, PRNGKeyArray

import purepax as px


# --- The seed tutorial -------------------------------------------------------------------
def print_id_and_value(c: dict[str, int], msg: str = "") -> None:
    print(msg, c["count"])


@jax.jit
def increase_counter(c):
    c["count"] += 1
    print_id_and_value(c, "inside")


increase_counter({"count": 1})


class Counter(px.StateModule):
    count: Int[Array, ""]

    def __init__(self):
        self.count = jnp.array(0)

    def __call__(self, x):
        self.count = self.count + 1
        return x


class RNN(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c: Counter, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


rnn, ys = px.purecall(RNN(), jnp.arange(0, 10))


class GoodModule(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, x):
        @jax.jit
        def fn(c: Counter, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = fn(self.counter, x)
        return y


mod, y = px.purecall(GoodModule(), jnp.array(0.0))


# --- A training loop ---------------------------------------------------------------------
Params = dict[str, Float[Array, "..."]]


def init_params(key: PRNGKeyArray, n_in: int, n_out: int) -> Params:
    w_key, _ = jax.random.split(key)
    return {"w": jax.random.normal(w_key, (n_in, n_out)) / n_in**0.5, "b": jnp.zeros(n_out)}


def predict(params: Params, x: Float[Array, "batch n_in"]) -> Float[Array, "batch n_out"]:
    return jnp.tanh(x @ params["w"] + params["b"])


def mse(params: Params, x: Array, y: Array) -> Array:
    return jnp.mean((predict(params, x) - y) ** 2)


@jax.jit
def sgd_step(params: Params, x: Array, y: Array) -> tuple[Params, Array]:
    loss, grads = jax.value_and_grad(mse)(params, x, y)
    new_params = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)
    return new_params, loss


@functools.partial(jax.jit, static_argnames="steps")
def train(params: Params, x: Array, y: Array, steps: int) -> Params:
    def body(i: int, params: Params) -> Params:
        grads = jax.grad(mse)(params, x, y)
        return jax.tree.map(lambda p, g: p - 0.01 * g, params, grads)

    return jax.lax.fori_loop(0, steps, body, params)


key = jax.random.key(0)
params = init_params(key, 3, 2)
x, y = jnp.ones((8, 3)), jnp.zeros((8, 2))
for _ in range(3):
    params, loss = sgd_step(params, x, y)
    print(float(loss))
    reveal_type(loss)  # N: Revealed type is "jax._src.basearray.Array"
    # PN: Revealed type is "Array"
reveal_type(params)  # N: Revealed type is "dict[str, jax._src.basearray.Array]"
# PN: Revealed type is "dict[str, Array]"
params = train(params, x, y, steps=10)
batched_loss = jax.vmap(mse, in_axes=(None, 0, 0))(params, x[:, None], y[:, None])

optimizer = optax.adam(1e-3)
opt_state = optimizer.init(params)


@jax.jit
def optax_step(params: Params, opt_state: optax.OptState, x: Array, y: Array):
    loss, grads = jax.value_and_grad(mse)(params, x, y)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss


new_params, opt_state, loss = optax_step(params, opt_state, x, y)


# --- Loops -------------------------------------------------------------------------------
def ema(carry: Array, x: Array) -> tuple[Array, Array]:
    carry = 0.9 * carry + 0.1 * x
    return carry, carry


last, smoothed = jax.lax.scan(ema, 0.0, jnp.arange(10.0))
reveal_type(smoothed)  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"


def collatz_len(n: int) -> Array:
    def cond(state: tuple[Array, Array]) -> Array:
        return state[0] != 1

    def body(state: tuple[Array, Array]) -> tuple[Array, Array]:
        value, steps = state
        value = jax.lax.cond(value % 2 == 0, lambda v: v // 2, lambda v: 3 * v + 1, value)
        return value, steps + 1

    _, steps = jax.lax.while_loop(cond, body, (jnp.asarray(n), jnp.asarray(0)))
    return steps


total = jax.lax.fori_loop(0, 10, lambda i, acc: acc + i, 0)
activation = jax.lax.switch(1, [jnp.tanh, jax.nn.relu, jax.nn.sigmoid], jnp.ones(3))
reveal_type(activation)  # N: Revealed type is "jax._src.basearray.Array"
# PN: Revealed type is "Array"
