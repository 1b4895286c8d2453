"""Construction idioms (submodules built, replaced, read in __init__), an RNG key held as
state and split by a method called through px.purecall, and a NamedTuple train state
carried through jit and scan."""

# runtime: ok
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

import purepax as px
from corpus_defs import Counter, Linear


def scaled(layer: Linear, scale: float) -> Linear:
    return px.update_parameters(layer, jax.tree.map(lambda p: p * scale, px.parameters(layer)))


class Sampler(px.Module):
    linear: Linear
    counter: Counter
    key: jax.Array = px.state()
    width: int = px.static()

    def __init__(self, width: int, *, key: jax.Array):
        k1, k2 = jax.random.split(key)
        self.linear = Linear(width, width, key=k1)
        self.linear = scaled(self.linear, 0.5)
        self.counter = Counter()
        self.counter = px.replace(self.counter, count=jnp.array(10))
        self.width = int(self.linear.weight.shape[0])
        assert int(self.counter.peek()) == 10
        self.key = k2

    def __call__(self, x):
        return self.linear(x)

    def sample(self, n: int):
        self.key, sub = jax.random.split(self.key)
        return jax.random.normal(sub, (n, self.width))


class TrainState(NamedTuple):
    model: Sampler
    opt_state: optax.OptState
    step: jax.Array


tx = optax.sgd(0.1)


def loss_fn(model: Sampler, x):
    return jnp.mean(model(x) ** 2)


@jax.jit
def train_step(state: TrainState, x):
    grads = px.grad(loss_fn)(state.model, x)
    updates, opt_state = tx.update(grads, state.opt_state)
    model = px.update_parameters(state.model, optax.apply_updates(px.parameters(state.model), updates))
    return state._replace(model=model, opt_state=opt_state, step=state.step + 1)


def sample_body(state: TrainState, _):
    model, xs = px.purecall(state.model.sample, 4)
    return state._replace(model=model), xs.sum()


model = Sampler(3, key=jax.random.PRNGKey(0))
state = TrainState(model, tx.init(px.parameters(model)), jnp.array(0))
state = train_step(state, jnp.ones((4, 3)))
state, sums = jax.lax.scan(sample_body, state, None, length=3)
assert int(state.step) == 1 and sums.shape == (3,)
