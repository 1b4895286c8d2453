"""The seed tutorial "JAX transformations", cell by cell, in purepax: same story, same outcomes."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxtyping import Array, Int

import purepax as px


# [3]-[5]: JAX transformations work on copies of their inputs.
def test_jit_works_on_a_copy():
    ids = {}

    @jax.jit
    def increase_counter(c):
        ids["inside"] = id(c)
        c["count"] += 1

    c = {"count": 1}
    increase_counter(c)
    assert ids["inside"] != id(c)
    assert c["count"] == 1


# [6]
class Counter(px.StateModule):
    count: Int[Array, ""]

    def __init__(self):
        self.count = jnp.array(0)

    def __call__(self, x):
        self.count = self.count + 1
        return x


# [7]
class RNN(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c: Counter, x):
            y = c(x)
            return c, y

        _, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


# [8]: the scan body gets an immutable copy of the counter, so this is refused.
def test_scan_refuses_mutating_its_carry():
    rnn = RNN()
    xs = jnp.arange(0, 10)
    with pytest.raises(px.ImmutableModuleError, match="Counter") as info:
        rnn, ys = px.purecall(rnn, xs)
    assert isinstance(info.value, ValueError)  # as PAX's was
    assert "purecall" in str(info.value) or "px.pure" in str(info.value)


# [9]
class FixedRNN(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c: Counter, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


# [10]
def test_purecall_inside_scan_counts_to_ten():
    rnn = FixedRNN()
    xs = jnp.arange(0, 10)
    rnn, ys = px.purecall(rnn, xs)
    assert f"Count = {rnn.counter.count}" == "Count = 10"
    np.testing.assert_array_equal(ys, xs)


# [11]
class BadModule(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, x):
        @jax.jit
        def fn(x):
            y = self.counter(x)
            return y

        y = fn(x)
        return y


# [12]: a module of the outer trace cannot be changed inside jax.jit.
def test_bad_module_refused():
    mod = BadModule()
    x = jnp.array(0.0)
    with pytest.raises(px.ImmutableModuleError) as info:
        mod, y = px.purecall(mod, x)
    message = str(info.value)
    assert "Counter" in message
    assert "argument" in message
    assert int(mod.counter.count) == 0


# [13]
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


# [14]
def test_good_module_counts_from_zero_to_one():
    mod = GoodModule()
    x = jnp.array(0.0)
    assert f"Count = {mod.counter.count}" == "Count = 0"
    mod, y = px.purecall(mod, x)
    assert f"Count = {mod.counter.count}" == "Count = 1"
    assert float(y) == 0.0
