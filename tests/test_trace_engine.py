"""The trace-level engine: a view is mutable only under the JAX trace `pure` made it in."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Counter
from jaxtyping import Array, Float

import purepax as px


class Scale(px.Module):
    factor: Float[Array, ""]

    def __call__(self, x):
        return self.factor * x


# Each runs `f` (a function of one float that may mutate a captured module) under a transform.
TRANSFORMS = {
    "jit": lambda f: jax.jit(f)(1.0),
    "scan": lambda f: jax.lax.scan(lambda c, x: (c, f(x)), 0.0, jnp.arange(3.0)),
    "vmap": lambda f: jax.vmap(f)(jnp.arange(3.0)),
    "grad": lambda f: jax.grad(lambda x: f(x) * 1.0)(1.0),
    "cond": lambda f: jax.lax.cond(True, f, lambda x: x, 1.0),
    "while_loop": lambda f: jax.lax.while_loop(
        lambda x: x < 3.0, lambda x: f(x) + 1.0, 0.0
    ),
    "fori_loop": lambda f: jax.lax.fori_loop(0, 3, lambda i, x: f(x), 0.0),
    "checkpoint": lambda f: jax.checkpoint(f)(1.0),
    "switch": lambda f: jax.lax.switch(0, [f, lambda x: x], 1.0),
}

_EXPLICIT_ARGUMENT = (
    r"(?is)explicit argument|as an argument|pass (the module|it) .*argument"
)


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_captured_view_mutated_inside_transform(transform):
    @px.pure
    def fn(c):
        transform(lambda x: c(x))
        return c

    original = Counter()
    with pytest.raises(px.ImmutableModuleError, match=_EXPLICIT_ARGUMENT) as info:
        fn(original)
    message = str(info.value)
    assert "Counter" in message
    assert "count" in message
    assert isinstance(info.value, ValueError)
    assert int(original.count) == 0


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_captured_submodule_mutated_inside_transform(transform):
    class Holder(px.Module):
        counter: Counter

    @px.pure
    def fn(h):
        transform(lambda x: h.counter(x))
        return h

    with pytest.raises(px.ImmutableModuleError, match=_EXPLICIT_ARGUMENT):
        fn(Holder(Counter()))


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_captured_immutable_module_mutated_inside_transform(transform):
    c = Counter()
    with pytest.raises(px.ImmutableModuleError, match="Counter"):
        transform(lambda x: c(x))
    assert int(c.count) == 0


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_captured_immutable_module_message_says_explicit_argument(transform):
    c = Counter()  # built at top level: a module of the outer (eager) trace
    with pytest.raises(px.ImmutableModuleError, match=_EXPLICIT_ARGUMENT):
        transform(lambda x: c(x))


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_captured_module_read_inside_transform_is_fine(transform):
    s = Scale(jnp.array(2.0))

    @px.pure
    def fn(s):
        out = transform(lambda x: s(x))
        return s, out

    new, _ = fn(s)
    assert float(new.factor) == 2.0


def test_view_mutable_again_after_transform():
    @px.pure
    def fn(c):
        with pytest.raises(px.ImmutableModuleError):
            jax.jit(lambda x: c(x))(1.0)
        c(1.0)
        return c

    assert int(fn(Counter()).count) == 1


# --- modules rebuilt by JAX inside a transform -------------------------------------------


def test_jit_argument_is_immutable():
    @jax.jit
    def step(c, x):
        return c(x)

    with pytest.raises(px.ImmutableModuleError, match="Counter"):
        step(Counter(), 1.0)


def test_jit_argument_with_purecall():
    @jax.jit
    def step(c, x):
        return px.purecall(c, x)

    c = Counter()
    new, y = step(c, 1.0)
    assert int(new.count) == 1
    assert int(c.count) == 0
    assert float(y) == 1.0
    new, _ = step(new, 1.0)
    assert int(new.count) == 2


def test_scan_carry_is_immutable():
    def body(c, x):
        return c, c(x)

    with pytest.raises(px.ImmutableModuleError, match="Counter"):
        jax.lax.scan(body, Counter(), jnp.arange(3))


def test_scan_carry_with_purecall():
    def body(c, x):
        return px.purecall(c, x)

    c, ys = jax.lax.scan(body, Counter(), jnp.arange(5))
    assert int(c.count) == 5
    np.testing.assert_array_equal(ys, jnp.arange(5))


def test_scan_carry_with_pure_body():
    @px.pure
    def body(c, x):
        y = c(x)
        return c, y

    c, _ = jax.lax.scan(body, Counter(), jnp.arange(4))
    assert int(c.count) == 4


def test_vmap_argument_with_purecall():
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), Counter(), Counter(), Counter())
    new, ys = jax.vmap(lambda c, x: px.purecall(c, x))(stacked, jnp.arange(3.0))
    np.testing.assert_array_equal(new.count, jnp.ones(3))
    np.testing.assert_array_equal(ys, jnp.arange(3.0))


def test_vmap_argument_is_immutable():
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), Counter(), Counter())
    with pytest.raises(px.ImmutableModuleError):
        jax.vmap(lambda c, x: c(x))(stacked, jnp.arange(2.0))


def test_cond_operand_with_purecall():
    def bump(c):
        return px.purecall(c, 0.0)[0]

    out = jax.lax.cond(True, bump, lambda c: c, Counter())
    assert int(out.count) == 1


def test_grad_through_purecall():
    def loss(s, x):
        s, y = px.purecall(s, x)
        return y

    g = jax.grad(loss)(Scale(jnp.array(3.0)), 2.0)
    assert isinstance(g, Scale)
    assert float(g.factor) == 2.0


# --- modules built inside transforms -----------------------------------------------------


def test_module_built_and_purecalled_inside_jit():
    @jax.jit
    def make(x):
        c = Counter()
        c, _ = px.purecall(c, x)
        c, _ = px.purecall(c, x)
        return c

    assert int(make(1.0).count) == 2


def test_module_built_inside_jit_from_traced_values():
    @jax.jit
    def make(x):
        s = Scale(x)
        return s, s(x)

    s, y = make(jnp.array(3.0))
    assert float(s.factor) == 3.0
    assert float(y) == 9.0


def test_module_built_inside_scan_body():
    def body(carry, x):
        c = Counter(count=carry)
        c, _ = px.purecall(c, x)
        return c.count, None

    final, _ = jax.lax.scan(body, jnp.array(0), jnp.arange(6))
    assert int(final) == 6


def test_module_built_inside_jit_is_immutable_outside_pure():
    @jax.jit
    def make(x):
        c = Counter()
        c(x)
        return c

    with pytest.raises(px.ImmutableModuleError):
        make(1.0)


# --- pure and jit, both ways round -------------------------------------------------------


def test_pure_inside_jit():
    @jax.jit
    @px.pure
    def step(c, x):
        y = c(x)
        return c, y

    c, y = step(Counter(), 2.0)
    assert int(c.count) == 1
    assert float(y) == 2.0


def test_jit_inside_pure_with_explicit_argument():
    @px.pure
    def outer(c, x):
        @jax.jit
        def inner(c, x):
            return px.purecall(c, x)

        new, _ = inner(c, x)
        c(x)  # the outer view is still mutable after the jitted call
        c(x)
        return c, new

    c, new = outer(Counter(), 1.0)
    assert int(c.count) == 2
    assert int(new.count) == 1


def test_assigning_jit_output_to_view():
    class Holder(px.Module):
        counter: Counter

        def __call__(self, x):
            self.counter, y = jax.jit(lambda c, x: px.purecall(c, x))(self.counter, x)
            return y

    h, _ = px.purecall(Holder(Counter()), 1.0)
    h, _ = px.purecall(h, 1.0)
    assert int(h.counter.count) == 2


PURE_UNDER = {
    "jit": lambda f, c: jax.jit(f)(c, 2.0),
    "grad-has-aux": lambda f, c: jax.grad(lambda x, c: f(c, x)[::-1], has_aux=True)(
        2.0, c
    )[::-1],
    "checkpoint": lambda f, c: jax.checkpoint(f)(c, 2.0),
    "vmap": lambda f, c: jax.vmap(f, in_axes=(None, 0), out_axes=(None, 0))(
        c, jnp.full(1, 2.0)
    ),
    "eval_shape": lambda f, c: (f(c, 2.0), jax.eval_shape(f, c, 2.0))[0],
}


@pytest.mark.parametrize("run", PURE_UNDER.values(), ids=PURE_UNDER.keys())
def test_pure_function_under_transform(run):
    @px.pure
    def step(c, x):
        y = c(x)
        return c, y

    c, _ = run(step, Counter())
    assert int(c.count) == 1


def test_pure_inside_vmap_and_grad():
    def loss(s, x):
        s, y = px.purecall(s, x)
        return y**2

    xs = jnp.arange(3.0)
    grads = jax.vmap(jax.grad(loss), in_axes=(None, 0))(Scale(jnp.array(1.0)), xs)
    np.testing.assert_allclose(grads.factor, 2 * xs**2)


# --- leaked tracers ----------------------------------------------------------------------


def _leak_tracer():
    leaked = []

    @jax.jit
    def f(x):
        leaked.append(x)
        return x

    f(jnp.array(1))
    return leaked[0]


def test_storing_leaked_tracer_in_view_refused():
    tracer = _leak_tracer()

    @px.pure
    def fn(c):
        c.count = tracer
        return c

    with pytest.raises(px.PurepaxError, match=r"(?i)tracer") as info:
        fn(Counter())
    assert "Counter" in str(info.value)
    assert "count" in str(info.value)


def test_constructing_with_leaked_tracer_refused():
    tracer = _leak_tracer()
    with pytest.raises(px.PurepaxError, match=r"(?i)tracer"):
        Counter(count=tracer)


def test_tracer_stored_under_its_own_trace_is_fine():
    @jax.jit
    def step(x):
        c = Counter(count=x)
        return px.purecall(c, 0)[0]

    assert int(step(jnp.array(4)).count) == 5
