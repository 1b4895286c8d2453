"""Acceptance scenarios written from the public contract alone (CONTRACT.md + the seed tutorial).

Each test is a scenario an independent user of Equinox / Flax NNX / PAX would write:
end-to-end training, stateful modules through the checked transforms, the error paths
and their messages, the field/role rules, type checks, weakrefs and threads.
"""

import asyncio
import dataclasses
import functools
import gc
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
import optax  # the dev extra installs it: missing, the file fails rather than skips
import pytest
from helpers import Counter
from jaxtyping import Array, Float, Int

import purepax as px

# --------------------------------------------------------------------------------------
# Modules used across the scenarios (module level, so annotations resolve as users' do)
# --------------------------------------------------------------------------------------


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key: jax.Array):
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x):
        return x @ self.weight + self.bias


class MLP(px.Module):
    layers: list[Linear]
    activation: Callable = jax.nn.tanh

    def __init__(self, sizes, *, key):
        keys = jax.random.split(key, len(sizes) - 1)
        self.layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.layers.append(Linear(a, b, key=keys[i]))

    def __call__(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


class BatchNorm(px.Module):
    scale: Float[Array, "c"]
    bias: Float[Array, "c"]
    mean: Float[Array, "c"] = px.state()
    var: Float[Array, "c"] = px.state()
    momentum: float = px.static(default=0.9)

    def __init__(self, c: int, momentum: float = 0.9):
        self.scale = jnp.ones(c)
        self.bias = jnp.zeros(c)
        self.mean = jnp.zeros(c)
        self.var = jnp.ones(c)
        self.momentum = momentum

    def __call__(self, x):
        if self.training:
            m = jnp.mean(x, axis=0)
            v = jnp.var(x, axis=0)
            self.mean = self.momentum * self.mean + (1 - self.momentum) * m
            self.var = self.momentum * self.var + (1 - self.momentum) * v
        else:
            m, v = self.mean, self.var
        return (x - m) / jnp.sqrt(v + 1e-5) * self.scale + self.bias


class Dropout(px.StateModule):
    key: jax.Array
    rate: float = px.static(default=0.5)

    def __call__(self, x):
        if not self.training:
            return x
        self.key, sub = jax.random.split(self.key)
        keep = jax.random.bernoulli(sub, 1.0 - self.rate, x.shape)
        return jnp.where(keep, x / (1.0 - self.rate), 0.0)


class Net(px.Module):
    lin1: Linear
    bn: BatchNorm
    lin2: Linear

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.lin1 = Linear(3, 8, key=k1)
        self.bn = BatchNorm(8)
        self.lin2 = Linear(8, 1, key=k2)

    def __call__(self, x):
        return self.lin2(jax.nn.relu(self.bn(self.lin1(x))))


class Holder(px.Module):
    counter: Counter

    def __call__(self, x):
        return self.counter(x)


def _data(n=32, key=0):
    kx, kw = jax.random.split(jax.random.PRNGKey(key))
    x = jax.random.normal(kx, (n, 3))
    w = jnp.array([[1.0], [-2.0], [0.5]])
    return x, x @ w + 0.3


def _mse(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


# --------------------------------------------------------------------------------------
# The seed tutorial, cell by cell, in purepax
# --------------------------------------------------------------------------------------


def test_seed_jit_sees_a_copy_of_its_input():
    ids = []

    @jax.jit
    def increase_counter(c):
        c["count"] += 1
        ids.append(id(c))

    c = {"count": 1}
    increase_counter(c)
    assert c["count"] == 1
    assert ids[0] != id(c)


class SeedRNNBad(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c: Counter, x):
            y = c(x)
            return c, y

        _, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


class SeedRNN(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, xs):
        def scan_fn(c: Counter, x):
            c, y = px.purecall(c, x)
            return c, y

        self.counter, y = jax.lax.scan(scan_fn, init=self.counter, xs=xs)
        return y


class SeedBad(px.Module):
    counter: Counter

    def __init__(self):
        self.counter = Counter()

    def __call__(self, x):
        @jax.jit
        def fn(x):
            y = self.counter(x)
            return y

        return fn(x)


class SeedGood(px.Module):
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


def test_seed_scan_mutating_its_carry_is_refused():
    rnn = SeedRNNBad()
    with pytest.raises(ValueError) as info:
        px.purecall(rnn, jnp.arange(0, 10))
    assert isinstance(info.value, px.ImmutableModuleError)
    assert "Counter" in str(info.value) and "count" in str(info.value)
    assert int(rnn.counter.count) == 0


def test_seed_purecall_inside_scan_counts_to_ten():
    rnn = SeedRNN()
    xs = jnp.arange(0, 10)
    rnn2, ys = px.purecall(rnn, xs)
    assert int(rnn2.counter.count) == 10
    assert int(rnn.counter.count) == 0
    np.testing.assert_array_equal(ys, xs)


def test_seed_bad_module_refused_with_explicit_argument_advice():
    mod = SeedBad()
    with pytest.raises(px.ImmutableModuleError) as info:
        px.purecall(mod, jnp.array(0.0))
    msg = str(info.value)
    assert "Counter" in msg and "count" in msg
    assert "argument" in msg
    assert isinstance(info.value, ValueError)


def test_seed_good_module_counts_zero_then_one():
    mod = SeedGood()
    assert int(mod.counter.count) == 0
    mod2, y = px.purecall(mod, jnp.array(0.0))
    assert int(mod2.counter.count) == 1
    assert int(mod.counter.count) == 0
    assert float(y) == 0.0


def test_seed_with_checked_transforms():
    # The same story through px.scan / px.jit: px.jit refuses the BadModule closure up front.
    class RNN(px.Module):
        counter: Counter

        def __call__(self, xs):
            def scan_fn(c, x):
                c, y = px.purecall(c, x)
                return c, y

            self.counter, y = px.scan(scan_fn, self.counter, xs)
            return y

    rnn, _ = px.purecall(RNN(Counter()), jnp.arange(10))
    assert int(rnn.counter.count) == 10

    class Bad(px.Module):
        counter: Counter

        def __call__(self, x):
            @px.jit
            def fn(x):
                return self.counter(x)

            return fn(x)

    with pytest.raises(px.ClosureCaptureError) as info:
        px.purecall(Bad(Counter()), jnp.array(0.0))
    assert "self" in str(info.value)


# --------------------------------------------------------------------------------------
# End-to-end training
# --------------------------------------------------------------------------------------


def test_mlp_training_with_jit_grad_update_parameters_loss_falls():
    model = MLP([3, 16, 1], key=jax.random.PRNGKey(0))
    x, y = _data()
    traces = []

    @px.jit
    def step(model: MLP, x, y):
        traces.append(1)
        loss, grads = px.value_and_grad(_mse)(model, x, y)
        params = px.parameters(model)
        new = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
        return px.update_parameters(model, new), loss

    losses = []
    for _ in range(30):
        model, loss = step(model, x, y)
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]
    assert len(traces) == 1  # the returned model does not retrace
    assert isinstance(model, MLP) and isinstance(model.layers, tuple)


def test_grad_matches_plain_jax_on_a_dict():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(1))
    x, y = _data(8)
    grads = px.grad(_mse)(model, x, y)

    def loss_dict(p, x, y):
        h = jnp.tanh(x @ p["w0"] + p["b0"])
        return jnp.mean((h @ p["w1"] + p["b1"] - y) ** 2)

    p = {
        "w0": model.layers[0].weight,
        "b0": model.layers[0].bias,
        "w1": model.layers[1].weight,
        "b1": model.layers[1].bias,
    }
    ref = jax.grad(loss_dict)(p, x, y)
    assert isinstance(grads, MLP)
    np.testing.assert_allclose(grads.layers[0].weight, ref["w0"], rtol=1e-5)
    np.testing.assert_allclose(grads.layers[0].bias, ref["b0"], rtol=1e-5)
    np.testing.assert_allclose(grads.layers[1].weight, ref["w1"], rtol=1e-5)
    np.testing.assert_allclose(grads.layers[1].bias, ref["b1"], rtol=1e-5)


def test_grad_is_shaped_like_parameters_and_holds_state_fixed():
    net = Net(key=jax.random.PRNGKey(0))
    x, y = _data(16)
    grads = px.grad(_mse)(px.eval_mode(net), x, y)
    params = px.parameters(net)
    assert type(grads) is Net
    assert grads.bn.mean is None and grads.bn.var is None
    assert params.bn.mean is None and params.bn.var is None
    assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(
        px.parameters(px.eval_mode(net))
    )
    assert grads.bn.scale.shape == (8,)
    # a loss that depends only on state has zero gradient everywhere
    g = px.grad(lambda m: jnp.sum(m.bn.mean) + 0.0 * jnp.sum(m.bn.scale))(net)
    assert all(float(jnp.abs(leaf).sum()) == 0 for leaf in jax.tree_util.tree_leaves(g))


def test_batchnorm_training_with_has_aux_inside_jit():
    net = Net(key=jax.random.PRNGKey(0))
    x, y = _data(32)

    def loss(model, x, y):
        model, out = px.purecall(model, x)
        return jnp.mean((out - y) ** 2), model

    @px.jit
    def step(model, x, y):
        (value, model), grads = px.value_and_grad(loss, has_aux=True)(model, x, y)
        params = jax.tree_util.tree_map(
            lambda p, g: p - 0.05 * g, px.parameters(model), grads
        )
        return px.update_parameters(model, params), value

    first = None
    for _ in range(20):
        net, value = step(net, x, y)
        first = float(value) if first is None else first
    assert float(value) < first
    # running stats moved towards the batch stats of lin1's output
    assert not np.allclose(net.bn.mean, 0.0)
    # grad with has_aux returns (grads, aux)
    grads, new = px.grad(loss, has_aux=True)(net, x, y)
    assert isinstance(grads, Net) and isinstance(new, Net)
    assert grads.bn.mean is None


def test_batchnorm_running_stats_through_purecall_jit_and_scan():
    bn = BatchNorm(2, momentum=0.5)
    xs = jnp.stack([jnp.full((4, 2), float(i)) for i in range(3)])

    @px.jit
    def one(bn, x):
        return px.purecall(bn, x)

    bn1, _ = one(bn, xs[0] + 2.0)
    np.testing.assert_allclose(bn1.mean, [1.0, 1.0])
    np.testing.assert_allclose(bn.mean, [0.0, 0.0])  # caller's module unchanged

    def body(bn, x):
        bn, y = px.purecall(bn, x)
        return bn, y

    bn3, ys = px.scan(body, bn, xs)
    # mean: 0 -> 0 -> 0.5 -> 1.25
    np.testing.assert_allclose(bn3.mean, [1.25, 1.25])
    assert ys.shape == (3, 4, 2)
    # eval mode uses the running statistics and changes nothing
    ev = px.eval_mode(bn3)
    ev2, out = px.purecall(ev, jnp.ones((4, 2)))
    np.testing.assert_allclose(ev2.mean, ev.mean)
    expected = (1.0 - 1.25) / jnp.sqrt(bn3.var + 1e-5)
    np.testing.assert_allclose(out, jnp.broadcast_to(expected, (4, 2)), rtol=1e-5)


def test_dropout_prng_state_advances_and_eval_is_identity():
    d = Dropout(key=jax.random.PRNGKey(0), rate=0.5)
    x = jnp.ones((64,))
    d1, y1 = px.purecall(d, x)
    d2, y2 = px.purecall(d1, x)
    assert not np.array_equal(d.key, d1.key)
    assert not np.array_equal(y1, y2)
    assert set(np.unique(np.asarray(y1)).tolist()) <= {0.0, 2.0}
    # same key, same mask: purecall does not change the caller's module
    _, y1_again = px.purecall(d, x)
    np.testing.assert_array_equal(y1, y1_again)
    # inside jit
    step = px.jit(lambda d, x: px.purecall(d, x))
    dj, yj = step(d, x)
    np.testing.assert_array_equal(dj.key, d1.key)
    np.testing.assert_array_equal(yj, y1)
    # eval mode: identity, key unchanged
    e = px.eval_mode(d)
    e2, ye = px.purecall(e, x)
    np.testing.assert_array_equal(ye, x)
    np.testing.assert_array_equal(e2.key, d.key)
    # a dropout key is state: not a parameter
    assert px.parameters(d).key is None


def test_dropout_with_new_style_typed_key():
    d = Dropout(key=jax.random.key(0), rate=0.25)
    d1, y = px.purecall(d, jnp.ones((16,)))
    assert y.shape == (16,)
    assert d1.key.dtype == d.key.dtype


def test_optax_training_of_parameters():
    model = MLP([3, 8, 1], key=jax.random.PRNGKey(2))
    x, y = _data()
    tx = optax.adam(1e-2)
    opt_state = tx.init(px.parameters(model))

    @px.jit
    def step(model, opt_state, x, y):
        loss, grads = px.value_and_grad(_mse)(model, x, y)
        updates, opt_state = tx.update(grads, opt_state, px.parameters(model))
        params = optax.apply_updates(px.parameters(model), updates)
        return px.update_parameters(model, params), opt_state, loss

    l0 = None
    for _ in range(25):
        model, opt_state, loss = step(model, opt_state, x, y)
        l0 = float(loss) if l0 is None else l0
    assert float(loss) < l0


# --------------------------------------------------------------------------------------
# Checked transforms with module operands
# --------------------------------------------------------------------------------------


def test_scan_over_a_counter_carry_with_purecall():
    def step(c, x):
        c, y = px.purecall(c, x)
        return c, y * 2

    c, ys = px.scan(step, Counter(), jnp.arange(5.0))
    assert int(c.count) == 5
    np.testing.assert_allclose(ys, 2 * jnp.arange(5.0))
    # length= with xs None
    c2, _ = px.scan(
        lambda c, _: (px.purecall(c, 0)[0], None), Counter(), None, length=7
    )
    assert int(c2.count) == 7


def test_scan_carry_structure_change_is_a_clear_error():
    def step(c, x):
        return px.eval_mode(c), x

    with pytest.raises(px.PurepaxError) as info:
        px.scan(step, Counter(), jnp.arange(3.0))
    assert "training" in str(info.value)
    assert isinstance(info.value, TypeError)


def test_fori_loop_with_int_annotated_index():
    def body(i: int, carry):
        c, total = carry
        c, _ = px.purecall(c, i)
        return c, total + i

    c, total = px.fori_loop(0, 5, body, (Counter(), jnp.array(0)))
    assert int(c.count) == 5 and int(total) == 10
    # traced bounds too
    c, total = jax.jit(lambda n: px.fori_loop(0, n, body, (Counter(), jnp.array(0))))(4)
    assert int(c.count) == 4 and int(total) == 6


def test_fori_loop_wrong_annotation_is_refused():
    # (`i: float` is accepted: PEP 484's numeric tower takes an int where float is annotated.)
    def body(i: Float[Array, ""], carry):
        return carry + 1

    with pytest.raises(TypeError):
        px.fori_loop(0, 3, body, jnp.array(0))


def test_while_loop_with_module_carry():
    def cond_fun(c: Counter) -> bool:
        return c.count < 6

    def body(c: Counter) -> Counter:
        c, _ = px.purecall(c, 0)
        return c

    c = px.while_loop(cond_fun, body, Counter())
    assert int(c.count) == 6


def test_cond_and_switch_with_module_operands():
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    x = jnp.ones(2)
    y = px.cond(True, lambda m, x: m(x), lambda m, x: x, lin, x)
    np.testing.assert_allclose(y, lin(x), rtol=1e-6)
    y = px.cond(jnp.array(False), lambda m, x: m(x), lambda m, x: x, lin, x)
    np.testing.assert_allclose(y, x)

    def inc(c, x):
        return px.purecall(c, x)

    def keep(c, x):
        return c, x

    c, _ = px.cond(jnp.array(True), inc, keep, Counter(), x)
    assert int(c.count) == 1
    branches = [keep, inc, lambda c, x: (px.purecall(px.purecall(c, x)[0], x)[0], x)]
    for i, expected in enumerate([0, 1, 2]):
        c, _ = px.switch(i, branches, Counter(), x)
        assert int(c.count) == expected
    c, _ = jax.jit(lambda i, c: px.switch(i, branches, c, x))(2, Counter())
    assert int(c.count) == 2


def test_vmap_model_over_batch_with_in_axes_none():
    model = MLP([3, 5, 2], key=jax.random.PRNGKey(0))
    xs = jax.random.normal(jax.random.PRNGKey(1), (7, 3))
    ys = px.vmap(lambda m, x: m(x), in_axes=(None, 0))(model, xs)
    np.testing.assert_allclose(ys, model(xs), rtol=1e-5, atol=1e-6)

    # decorator form
    @px.vmap(in_axes=(None, 0))
    def apply(m, x: Float[Array, "3"]) -> Float[Array, "2"]:
        return m(x)

    np.testing.assert_allclose(apply(model, xs), model(xs), rtol=1e-5, atol=1e-6)


def test_per_example_gradients_with_vmap_of_grad():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    x, y = _data(6)

    def loss(m, x, y):
        return jnp.sum((m(x) - y) ** 2)

    g = px.vmap(px.grad(loss), in_axes=(None, 0, 0))(model, x, y)
    assert isinstance(g, MLP)
    assert g.layers[0].weight.shape == (6, 3, 4)
    full = px.grad(lambda m, x, y: jnp.sum((m(x) - y) ** 2))(model, x, y)
    np.testing.assert_allclose(
        g.layers[0].weight.sum(0), full.layers[0].weight, rtol=1e-4, atol=1e-5
    )


def test_ensemble_built_with_vmap_and_applied_with_vmap():
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    ensemble = jax.vmap(lambda k: Linear(3, 2, key=k))(keys)
    assert ensemble.weight.shape == (4, 3, 2)
    x = jnp.ones(3)
    out = px.vmap(lambda m, x: m(x), in_axes=(0, None))(ensemble, x)
    assert out.shape == (4, 2)
    np.testing.assert_allclose(
        out[1], x @ ensemble.weight[1] + ensemble.bias[1], rtol=1e-6
    )


def test_remat_gives_the_same_gradients():
    model = MLP([3, 8, 1], key=jax.random.PRNGKey(0))
    x, y = _data(8)
    block = px.remat(lambda m, x: m(x))
    g1 = px.grad(lambda m, x, y: jnp.mean((block(m, x) - y) ** 2))(model, x, y)
    g2 = px.grad(_mse)(model, x, y)
    for a, b in zip(jax.tree_util.tree_leaves(g1), jax.tree_util.tree_leaves(g2)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)

    @px.remat
    def deco(m, x):
        return m(x)

    np.testing.assert_allclose(deco(model, x), model(x), rtol=1e-6)


def test_jit_static_argnums_static_argnames_and_donate():
    lin = Linear(2, 3, key=jax.random.PRNGKey(0))
    x = jnp.ones((4, 2))
    traces = []

    def apply(m, x, n: int):
        traces.append(n)
        for _ in range(n):
            x = x * 2
        return m(x)

    f = px.jit(apply, static_argnums=2)
    np.testing.assert_allclose(f(lin, x, 2), lin(4 * x), rtol=1e-6)
    f(lin, x, 2)
    assert traces == [2]
    g = px.jit(apply, static_argnames="n")
    np.testing.assert_allclose(g(lin, x, n=1), lin(2 * x), rtol=1e-6)

    @functools.partial(px.jit, static_argnames=("n",))
    def h(m, x, *, n: int):
        return m(x) * n

    np.testing.assert_allclose(h(lin, x, n=3), 3 * lin(x), rtol=1e-6)

    def step(m, x):
        new = jax.tree_util.tree_map(lambda a: a + 1.0, m)
        return new, m(x)

    donated = px.jit(step, donate_argnums=0)
    expected = lin.weight + 1.0
    copy = jax.tree_util.tree_map(jnp.copy, lin)
    new, _ = donated(copy, x)
    np.testing.assert_allclose(new.weight, expected)
    assert isinstance(new, Linear)


class JitMethod(px.Module):
    weight: Float[Array, "n"]

    @px.jit
    def __call__(self, x):
        return self.weight * x

    @px.jit
    def scaled(self, x, k):
        return self.weight * x * k


def test_decorated_methods_are_jitted_with_self_as_argument():
    m = JitMethod(jnp.arange(3.0))
    np.testing.assert_allclose(m(2.0), 2 * jnp.arange(3.0))
    np.testing.assert_allclose(m.scaled(2.0, 3.0), 6 * jnp.arange(3.0))
    # self is traced: a new weight gives a new answer, not a baked-in constant
    m2 = px.replace(m, weight=jnp.ones(3))
    np.testing.assert_allclose(m2(2.0), 2 * jnp.ones(3))


def test_raw_jax_transforms_work_on_modules():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    x, y = _data(5)
    out = jax.jit(lambda m, x: m(x))(model, x)
    np.testing.assert_allclose(out, model(x), rtol=1e-6)
    g = jax.grad(_mse)(model, x, y)
    assert isinstance(g, MLP)
    leaves = jax.tree_util.tree_leaves(model)
    assert len(leaves) == 4
    rebuilt = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(model), leaves)
    assert isinstance(rebuilt, MLP) and rebuilt.activation is model.activation


# --------------------------------------------------------------------------------------
# Closure capture
# --------------------------------------------------------------------------------------

GLOBAL_COUNTER = Counter()


def _uses_global(x):
    return GLOBAL_COUNTER(x)


@pytest.mark.parametrize(
    "transform",
    [
        lambda f: px.jit(f),
        lambda f: px.vmap(f),
        lambda f: px.grad(f),
        lambda f: px.value_and_grad(f),
        lambda f: px.remat(f),
    ],
)
def test_closure_capture_refused_at_wrap_time(transform):
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))

    def closes(x):
        return lin(x)

    with pytest.raises(px.ClosureCaptureError) as info:
        transform(closes)
    msg = str(info.value)
    assert "lin" in msg and "argument" in msg
    assert isinstance(info.value, px.PurepaxError)


def test_closure_capture_routes():
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    with pytest.raises(px.ClosureCaptureError, match="GLOBAL_COUNTER"):
        px.jit(_uses_global)

    def default_arg(x, model=lin):
        return model(x)

    with pytest.raises(px.ClosureCaptureError, match="model"):
        px.jit(default_arg)

    with pytest.raises(px.ClosureCaptureError):
        px.jit(lin.__call__)

    with pytest.raises(px.ClosureCaptureError):
        px.jit(lin)

    with pytest.raises(px.ClosureCaptureError):
        px.jit(functools.partial(lambda m, x: m(x), lin))

    with pytest.raises(px.ClosureCaptureError):
        px.scan(lambda c, x: (c, lin(x)), 0.0, jnp.ones((3, 2)))

    with pytest.raises(px.ClosureCaptureError):
        px.cond(True, lambda x: lin(x), lambda x: x, jnp.ones(2))

    with pytest.raises(px.ClosureCaptureError):
        px.switch(0, [lambda x: x, lambda x: lin(x)], jnp.ones(2))

    with pytest.raises(px.ClosureCaptureError):
        px.while_loop(lambda c: lin(c).sum() < 0, lambda c: c, jnp.ones(2))

    with pytest.raises(px.ClosureCaptureError):
        px.fori_loop(0, 2, lambda i, c: lin(c), jnp.ones(2))


def test_closures_over_arrays_and_helpers_are_allowed():
    scale = jnp.array(3.0)
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))

    def helper(m, x):
        return m(x) * scale

    f = px.jit(lambda m, x: helper(m, x))
    np.testing.assert_allclose(f(lin, jnp.ones(2)), 3 * lin(jnp.ones(2)), rtol=1e-6)
    # a class captured (to build a module inside) is fine
    g = px.jit(lambda k: Linear(2, 2, key=k))
    assert isinstance(g(jax.random.PRNGKey(0)), Linear)


def test_closure_check_not_per_call():
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    calls = []

    def f(m, x):
        calls.append(1)
        return m(x)

    jf = px.jit(f)
    for _ in range(5):
        jf(lin, jnp.ones(2))
    assert len(calls) == 1


# --------------------------------------------------------------------------------------
# Type checks at trace time
# --------------------------------------------------------------------------------------


def test_jit_typechecks_shapes_across_arguments_and_return():
    @px.jit
    def add(x: Float[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
        return x + y

    add(jnp.ones(3), jnp.ones(3))
    with pytest.raises(TypeError) as info:
        add(jnp.ones(3), jnp.ones(4))
    assert isinstance(info.value, px.PurepaxError)
    assert "add" in str(info.value)

    @px.jit
    def bad_return(x: Float[Array, "n"]) -> Float[Array, "n"]:
        return jnp.concatenate([x, x])

    with pytest.raises(TypeError):
        bad_return(jnp.ones(3))

    @px.jit
    def module_arg(m: Linear, x):
        return m(x)

    with pytest.raises(TypeError):
        module_arg(Counter(), jnp.ones(2))


def test_typecheck_off_for_transforms(monkeypatch):
    monkeypatch.setenv("PUREPAX_TYPECHECK", "0")

    @px.jit
    def add(x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, "n"]:
        return x[:1] + y[:1]

    add(jnp.ones(3), jnp.ones(4))


# Wrappers (px.grad, jax.vmap, ... outputs) carry the annotations functools.wraps copied
# from the function they wrap; those must not be checked against the wrapper's calls.


def _annotated_loss(
    m: MLP, x: Float[Array, "b 3"], y: Float[Array, "b 1"]
) -> Float[Array, ""]:
    return jnp.mean((m(x) - y) ** 2)


def _annotated_example_loss(
    m: MLP, x: Float[Array, "3"], y: Float[Array, "1"]
) -> Float[Array, ""]:
    return jnp.sum((m(x) - y) ** 2)


def _sum_of_squares(x: Float[Array, "n"]) -> Float[Array, ""]:
    return jnp.sum(x**2)


def test_annotated_loss_alone_is_fine():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    x, y = _data(6)
    assert isinstance(px.grad(_annotated_loss)(model, x, y), MLP)
    assert isinstance(px.grad(_annotated_example_loss)(model, x[0], y[0]), MLP)
    np.testing.assert_allclose(px.jit(px.remat(_sum_of_squares))(jnp.ones(3)), 3.0)


def test_jit_of_px_grad_of_annotated_loss():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    x, y = _data(6)
    g = px.jit(px.grad(_annotated_loss))(model, x, y)
    assert isinstance(g, MLP)


def test_jit_of_px_value_and_grad_of_annotated_loss():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    x, y = _data(6)
    v, g = px.jit(px.value_and_grad(_annotated_loss))(model, x, y)
    assert v.shape == () and isinstance(g, MLP)


def test_per_example_grads_of_annotated_loss():
    model = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    x, y = _data(4)
    g = px.vmap(px.grad(_annotated_example_loss), in_axes=(None, 0, 0))(model, x, y)
    assert g.layers[0].weight.shape == (4, 3, 4)


def test_jit_of_px_vmap_of_annotated_function():
    def f(x: Float[Array, "3"]) -> Float[Array, ""]:
        return x.sum()

    out = px.jit(px.vmap(f))(jnp.ones((5, 3)))
    assert out.shape == (5,)


def test_jit_of_raw_jax_grad_of_annotated_function():
    g = px.jit(jax.grad(_sum_of_squares))(jnp.ones(3))
    np.testing.assert_allclose(g, 2 * jnp.ones(3))


def test_jit_of_raw_jax_vmap_of_annotated_function():
    out = px.jit(jax.vmap(_sum_of_squares))(jnp.ones((2, 3)))
    np.testing.assert_allclose(out, [3.0, 3.0])


# --------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------


def test_modules_are_immutable_outside_construction():
    c = Counter()
    with pytest.raises(px.ImmutableModuleError) as info:
        c.count = jnp.array(3)
    msg = str(info.value)
    assert "Counter" in msg and "count" in msg and "immutable" in msg
    assert "px.pure" in msg or "purecall" in msg
    assert isinstance(info.value, ValueError) and isinstance(
        info.value, px.PurepaxError
    )
    with pytest.raises(px.ImmutableModuleError):
        del c.count
    with pytest.raises(ValueError):
        c(1)  # calling a mutating method outside pure


def test_pure_works_on_copies_and_views_freeze_after():
    h = Holder(Counter())
    escaped = []

    @px.pure
    def f(h, x):
        escaped.append(h)
        h(x)
        h(x)
        return h

    h2 = f(h, 1)
    assert int(h2.counter.count) == 2 and int(h.counter.count) == 0
    assert h2 is not h and h2.counter is not h.counter
    with pytest.raises(px.ImmutableModuleError):
        escaped[0].counter.count = jnp.array(9)
    with pytest.raises(px.ImmutableModuleError):
        h2.counter.count = jnp.array(9)


def test_pure_copies_modules_nested_in_containers_and_kwargs():
    cs = [Counter(), Counter()]

    @px.pure
    def f(cs, *, other):
        for c in cs:
            c(0)
        other(0)
        return cs, other

    out, other = f(cs, other=Counter())
    assert [int(c.count) for c in out] == [1, 1] and int(other.count) == 1
    assert [int(c.count) for c in cs] == [0, 0]


def test_pure_views_immutable_again_after_exception():
    kept = []

    @px.pure
    def f(c):
        kept.append(c)
        c(0)
        raise RuntimeError("boom")

    c = Counter()
    with pytest.raises(RuntimeError):
        f(c)
    with pytest.raises(px.ImmutableModuleError):
        kept[0].count = jnp.array(1)
    assert int(c.count) == 0


def test_unreturned_update_error_names_the_module():
    @px.pure
    def f(c, x):
        return c(x)

    with pytest.raises(px.UnreturnedUpdateError) as info:
        f(Counter(), 1)
    assert "Counter" in str(info.value)
    assert isinstance(info.value, px.PurepaxError)

    @px.pure
    def sub(h, x):
        h.counter(x)  # mutates a submodule of the argument
        return x

    with pytest.raises(px.UnreturnedUpdateError):
        sub(Holder(Counter()), 1)

    # dropping an update on purpose
    _, y = px.purecall(Counter(), 5)
    assert y == 5

    @px.pure
    def unchanged(c, x):
        return x  # not mutated: no error

    assert unchanged(Counter(), 3) == 3


def test_purecall_on_a_bound_method():
    class Acc(px.StateModule):
        total: Float[Array, ""] = px.state(default_factory=lambda: jnp.array(0.0))

        def add(self, x):
            self.total = self.total + x
            return self.total

        def reset(self):
            self.total = jnp.zeros(())

    a = Acc()
    a, out = px.purecall(a.add, 2.0)
    a, out = px.purecall(a.add, 3.0)
    assert float(out) == 5.0 and float(a.total) == 5.0
    a2, none = px.purecall(a.reset)
    assert none is None and float(a2.total) == 0.0 and float(a.total) == 5.0


def test_nested_pure_only_inner_arguments_mutable():
    @px.pure
    def outer(a, b):
        @px.pure
        def inner(b):
            a(0)  # a belongs to the outer call
            return b

        inner(b)
        return a, b

    with pytest.raises(px.ImmutableModuleError):
        outer(Counter(), Counter())

    @px.pure
    def ok(a, b):
        b, _ = px.purecall(b, 0)
        a(0)
        return a, b

    a, b = ok(Counter(), Counter())
    assert int(a.count) == 1 and int(b.count) == 1


@pytest.mark.parametrize(
    "transform",
    [
        lambda f, x: jax.jit(f)(x),
        lambda f, x: jax.vmap(f)(jnp.stack([x, x])),
        lambda f, x: jax.grad(lambda x: f(x).sum())(x),
        lambda f, x: jax.lax.scan(lambda c, x: (c, f(x)), 0.0, jnp.stack([x]))[1],
        lambda f, x: jax.lax.cond(True, f, lambda x: x, x),
        lambda f, x: jax.checkpoint(f)(x),
    ],
    ids=["jit", "vmap", "grad", "scan", "cond", "checkpoint"],
)
def test_outer_view_mutated_inside_raw_transform_is_refused(transform):
    @px.pure
    def f(c, x):
        def inner(x):
            return c(x)

        return c, transform(inner, x)

    with pytest.raises(px.ImmutableModuleError) as info:
        f(Counter(), jnp.ones(2))
    msg = str(info.value)
    assert "Counter" in msg and "argument" in msg
    assert isinstance(info.value, ValueError)


def test_rebuilt_jit_argument_is_immutable_until_purecall():
    with pytest.raises(px.ImmutableModuleError):
        jax.jit(lambda c, x: c(x))(Counter(), 1.0)
    c, _ = jax.jit(lambda c, x: px.purecall(c, x))(Counter(), 1.0)
    assert int(c.count) == 1


def test_tracer_stored_into_a_module_outliving_its_trace_is_refused():
    leaked = []

    @jax.jit
    def f(x):
        leaked.append(x)
        return x

    f(1.0)
    tracer = leaked[0]

    class Box(px.StateModule):
        value: Float[Array, ""] = px.state(default_factory=lambda: jnp.array(0.0))

        def set(self, v):
            self.value = v

    with pytest.raises(px.PurepaxError) as info:
        px.purecall(Box().set, tracer)
    assert "Box" in str(info.value) and "value" in str(info.value)
    with pytest.raises(px.PurepaxError):
        Box(value=tracer)


def test_modules_built_and_purecalled_inside_jit():
    @jax.jit
    def f(x):
        c = Counter()
        c, y = px.purecall(c, x)
        c, y = px.purecall(c, y)
        return c

    assert int(f(1.0).count) == 2


# --------------------------------------------------------------------------------------
# Declaring modules: field and role rules
# --------------------------------------------------------------------------------------


def test_generated_init_and_dataclass_fields():
    class Affine(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]
        name: str = "affine"

    a = Affine(jnp.ones((2, 3)), jnp.zeros(3))
    assert dataclasses.is_dataclass(a)
    assert [f.name for f in dataclasses.fields(a) if f.init] == [
        "weight",
        "bias",
        "name",
    ]
    assert a.name == "affine"
    b = Affine(weight=jnp.ones((2, 3)), bias=jnp.zeros(3), name="x")
    assert b.name == "x"
    assert len(jax.tree_util.tree_leaves(a)) == 2


def test_field_specifier_keywords():
    class Spec(px.StateModule):
        w: Float[Array, "n"] = px.param(default_factory=lambda: jnp.ones(2))
        s: Float[Array, "n"] = px.state(
            default_factory=lambda: jnp.zeros(2), repr=False
        )
        hidden: int = px.static(default=3, init=False)
        k: int = px.static(default=1, kw_only=True)

    m = Spec(k=5)
    assert m.hidden == 3 and m.k == 5
    assert "s=" not in repr(m) and "w" in repr(m)
    with pytest.raises(TypeError):
        Spec(jnp.ones(2), jnp.zeros(2), 7)  # `hidden` is init=False
    p = px.parameters(m)
    assert p.w is not None and p.s is None


def test_roles_by_annotation():
    class Mixed(px.Module):
        w: Float[Array, "3"]  # parameter
        child: Counter  # child
        children: tuple[Linear, ...]  # container of modules: child
        table: dict[str, jax.Array]  # container of arrays: child
        n: int  # static
        f: Callable  # static
        sizes: tuple[int, ...]  # static
        anything: Any  # decided by the value
        plain: tuple  # decided by the value

    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    m = Mixed(
        jnp.ones(3),
        Counter(),
        (lin,),
        {"a": jnp.ones(1)},
        3,
        jnp.sin,
        [1, 2],
        jnp.ones(2),
        (1, 2),
    )
    assert m.sizes == (1, 2) and isinstance(m.sizes, tuple)
    leaves = jax.tree_util.tree_leaves(m)
    # w, count, lin.weight, lin.bias, table["a"], anything
    assert len(leaves) == 6
    p = px.parameters(m)
    assert p.child.count is None  # StateModule's array: state
    assert p.w is not None and p.table["a"] is not None and p.anything is not None
    # static values are part of the structure
    lin2 = Linear(2, 2, key=jax.random.PRNGKey(1))
    m2 = Mixed(
        jnp.ones(3),
        Counter(),
        (lin2,),
        {"a": jnp.ones(1)},
        4,
        jnp.sin,
        (1, 2),
        jnp.ones(2),
        (1, 2),
    )
    assert jax.tree_util.tree_structure(m) != jax.tree_util.tree_structure(m2)


def test_statemodule_param_field_is_a_parameter():
    class Scaler(px.StateModule):
        scale: Float[Array, ""] = px.param(default_factory=lambda: jnp.array(2.0))
        calls: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
        buffer: Float[Array, ""] = dataclasses.field(
            default_factory=lambda: jnp.array(1.0)
        )

    s = Scaler()
    p = px.parameters(s)
    assert p.scale is not None and p.calls is None and p.buffer is None
    g = px.grad(lambda m: m.scale * m.buffer * 3.0)(s)
    assert float(g.scale) == 3.0 and g.buffer is None


def test_value_contradicting_role_is_a_clear_error():
    class Cfg(px.Module):
        n: int
        w: Float[Array, "2"]

    with pytest.raises(px.PurepaxError) as info:
        Cfg(jnp.ones(2), jnp.ones(2))
    assert "n" in str(info.value)

    class Static(px.Module):
        size: Any = px.static(default=None)

    with pytest.raises(px.PurepaxError):
        Static(size=jnp.ones(2))
    with pytest.raises(px.PurepaxError):
        Static(size={"a": 1})  # a dict is refused in a static field
    with pytest.raises(px.PurepaxError):
        Static(size={1, 2})  # unhashable
    s = Static(size=[1, [2, 3]])
    assert s.size == (1, (2, 3))
    hash(s.size)

    class P(px.Module):
        w: jax.Array = px.param()

    with pytest.raises(px.PurepaxError):
        P(w="not an array")


def test_value_contradicting_role_refused_even_with_typecheck_off(monkeypatch):
    monkeypatch.setenv("PUREPAX_TYPECHECK", "0")

    class P(px.Module):
        w: jax.Array = px.param()
        n: int = 0

    with pytest.raises(px.PurepaxError):
        P(w="text")
    with pytest.raises(px.PurepaxError):
        P(w=jnp.ones(2), n=jnp.ones(2))


def test_shared_module_at_two_places_refused():
    class Pair(px.Module):
        a: Linear
        b: Linear

    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    with pytest.raises(px.PurepaxError) as info:
        Pair(lin, lin)
    assert "Linear" in str(info.value)

    class Many(px.Module):
        items: tuple[Linear, ...]

    with pytest.raises(px.PurepaxError):
        Many((lin, lin))
    Pair(lin, Linear(2, 2, key=jax.random.PRNGKey(1)))  # distinct objects are fine


def test_containers_frozen_after_construction():
    class Cfg(px.Module):
        layers: list[Linear]
        table: dict[str, jax.Array]

        def __init__(self):
            self.layers = []
            for i in range(3):
                self.layers.append(Linear(2, 2, key=jax.random.PRNGKey(i)))
            self.table = {}
            self.table["w"] = jnp.ones(2)

    m = Cfg()
    assert isinstance(m.layers, tuple) and len(m.layers) == 3
    with pytest.raises(AttributeError):
        m.layers.append(Linear(2, 2, key=jax.random.PRNGKey(9)))
    with pytest.raises(TypeError):
        m.table["w"] = jnp.zeros(2)
    assert m.table["w"].shape == (2,)
    assert dict(m.table).keys() == {"w"}

    # also inside pure the containers cannot be mutated in place
    @px.pure
    def f(m):
        m.table["x"] = jnp.ones(1)
        return m

    with pytest.raises(TypeError):
        f(m)


def test_fields_fixed_by_the_class():
    class Tiny(px.Module):
        w: jax.Array

        def __init__(self):
            self.w = jnp.ones(1)
            self.extra = 3

    with pytest.raises((px.PurepaxError, AttributeError)):
        Tiny()

    @px.pure
    def add_attr(c):
        c.not_a_field = 1
        return c

    with pytest.raises(px.PurepaxError) as info:
        add_attr(Counter())
    assert "not_a_field" in str(info.value)

    @px.pure
    def delete(c):
        del c.count
        return c

    with pytest.raises(px.PurepaxError):
        delete(Counter())


def test_post_init_may_assign():
    class Derived(px.Module):
        w: Float[Array, "n"]
        n: int = px.static(default=0, init=False)

        def __post_init__(self):
            self.n = int(self.w.shape[0])

    assert Derived(jnp.ones(4)).n == 4


def test_shape_checks_at_construction_bind_across_fields():
    class Affine(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

    Affine(jnp.ones((2, 3)), jnp.zeros(3))
    with pytest.raises(px.PurepaxError) as info:
        Affine(jnp.ones((2, 3)), jnp.zeros(4))
    assert isinstance(info.value, (TypeError, ValueError))
    with pytest.raises(px.PurepaxError):
        Affine(jnp.ones((2, 3), dtype=jnp.int32), jnp.zeros(3, dtype=jnp.int32))
    with pytest.raises(px.PurepaxError):
        Affine(jnp.ones(3), jnp.zeros(3))  # wrong rank

    # custom __init__ is checked too
    class Bad(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

        def __init__(self):
            self.weight = jnp.ones((2, 3))
            self.bias = jnp.ones(2)

    with pytest.raises(px.PurepaxError):
        Bad()


def test_typecheck_env_off_at_construction(monkeypatch):
    monkeypatch.setenv("PUREPAX_TYPECHECK", "0")

    class Affine(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

    Affine(jnp.ones((2, 3)), jnp.zeros(4))  # type: ignore[purepax-shape]  # the check is off


def test_never_checked_on_unflatten():
    lin = Linear(2, 3, key=jax.random.PRNGKey(0))
    odd = jax.tree_util.tree_map(lambda a: jnp.zeros((7,)), lin)
    assert odd.weight.shape == (7,)
    stacked = jax.tree_util.tree_map(lambda a: jnp.stack([a, a]), lin)
    assert stacked.weight.shape == (2, 2, 3)


def test_replace_and_copies_share_static_values_no_retrace():
    class Key:  # identity-hashed static object, as a user's config object would be
        pass

    class Cfg(px.StateModule):
        count: Int[Array, ""]
        tag: Any = px.static(default=None)

        def __call__(self, x):
            self.count = self.count + 1
            return x

    tag = Key()
    m = Cfg(jnp.array(0), tag=tag)
    traces = []

    @px.jit
    def f(m, x):
        traces.append(1)
        return x + m.count

    f(m, 1.0)
    m2, _ = px.purecall(m, 0)
    assert m2.tag is tag
    m3 = px.replace(m, count=jnp.array(5))
    assert m3.tag is tag and int(m3.count) == 5 and int(m.count) == 0
    m4 = px.train_mode(m)
    for mm in (m2, m3, m4, px.update_parameters(m, px.parameters(m))):
        f(mm, 1.0)
    assert len(traces) == 1
    f(px.eval_mode(m), 1.0)  # the training flag is static: a new trace
    assert len(traces) == 2


def test_replace_checks_fields():
    lin = Linear(2, 3, key=jax.random.PRNGKey(0))
    with pytest.raises(px.PurepaxError):
        px.replace(lin, bias=jnp.zeros(5))
    with pytest.raises(px.PurepaxError):
        px.replace(lin, nope=1)
    r = px.replace(lin, bias=jnp.ones(3))
    assert float(r.bias.sum()) == 3.0 and float(lin.bias.sum()) == 0.0


def test_train_and_eval_mode_set_every_module():
    net = Net(key=jax.random.PRNGKey(0))
    assert net.training and net.bn.training
    ev = px.eval_mode(net)
    assert not ev.training and not ev.bn.training and not ev.lin1.training
    assert net.bn.training  # original unchanged
    tr = px.train_mode(ev)
    assert tr.training and tr.bn.training and tr.lin2.training
    mlp = px.eval_mode(MLP([2, 2, 2], key=jax.random.PRNGKey(0)))
    assert all(not layer.training for layer in mlp.layers)


def test_update_parameters_keeps_state_and_checks_shapes():
    net = Net(key=jax.random.PRNGKey(0))
    net2, _ = px.purecall(net, jnp.ones((4, 3)))
    p = jax.tree_util.tree_map(jnp.zeros_like, px.parameters(net2))
    z = px.update_parameters(net2, p)
    assert float(jnp.abs(z.lin1.weight).sum()) == 0.0
    np.testing.assert_allclose(z.bn.mean, net2.bn.mean)
    bad = px.replace(p, lin1=px.parameters(Linear(3, 5, key=jax.random.PRNGKey(1))))
    with pytest.raises(px.PurepaxError):
        px.update_parameters(net2, bad)


def test_grad_requires_a_module_first_argument():
    with pytest.raises(TypeError) as info:
        px.grad(lambda x: jnp.sum(x))(jnp.ones(2))
    assert isinstance(info.value, px.PurepaxError) or "module" in str(info.value)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_error_hierarchy():
    for name in (
        "ImmutableModuleError",
        "ClosureCaptureError",
        "UnreturnedUpdateError",
    ):
        assert issubclass(getattr(px, name), px.PurepaxError)
    assert issubclass(px.ImmutableModuleError, ValueError)
    assert issubclass(px.PurepaxError, Exception)


# --------------------------------------------------------------------------------------
# Weakrefs, leaks, threads
# --------------------------------------------------------------------------------------


def test_weakrefs_and_no_leaks_through_pure_and_purecall():
    c = Counter()
    ref = weakref.ref(c)
    new, _ = px.purecall(c, 1)
    new_ref = weakref.ref(new)

    @px.pure
    def f(a, b):
        a(0)
        return a

    out = f(new, Holder(Counter()))
    out_ref = weakref.ref(out)
    del c, new, out
    gc.collect()
    assert ref() is None and new_ref() is None and out_ref() is None


def test_no_leak_after_an_exception_inside_pure():
    c = Counter()
    ref = weakref.ref(c)

    @px.pure
    def f(c):
        c(0)
        raise KeyError("x")

    try:
        f(c)
    except KeyError:
        pass
    del c
    gc.collect()
    assert ref() is None


def test_threads_have_their_own_pure_context():
    results = {}
    errors = []

    def work(i):
        try:
            c = Counter()
            for _ in range(20):
                c, _ = px.purecall(c, i)
            results[i] = int(c.count)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == {i: 20 for i in range(6)}

    # a view made in one thread is not mutable from another thread
    started, release = threading.Event(), threading.Event()
    box = {}

    @px.pure
    def hold(c):
        box["view"] = c
        started.set()
        release.wait(10)
        return c

    t = threading.Thread(target=hold, args=(Counter(),))
    t.start()
    started.wait(10)
    try:
        with pytest.raises(px.ImmutableModuleError):
            box["view"].count = jnp.array(5)
    finally:
        release.set()
        t.join()


def test_asyncio_tasks_have_their_own_pure_context():
    async def run(i):
        c = Counter()
        for _ in range(i):
            c, _ = px.purecall(c, 0)
            await asyncio.sleep(0)
        return int(c.count)

    async def main():
        return await asyncio.gather(*(run(i) for i in range(1, 5)))

    assert asyncio.run(main()) == [1, 2, 3, 4]


# --------------------------------------------------------------------------------------
# More end-to-end and edge scenarios
# --------------------------------------------------------------------------------------


class Seq(px.Module):
    layers: tuple  # undecided: modules and a plain callable

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def test_sequential_like_module_with_a_plain_callable_trains():
    seq = Seq(
        (
            Linear(3, 8, key=jax.random.PRNGKey(0)),
            jax.nn.relu,
            Linear(8, 1, key=jax.random.PRNGKey(1)),
        )
    )
    assert seq.layers[1] is jax.nn.relu and len(seq.layers) == 3
    assert len(jax.tree_util.tree_leaves(seq)) == 4
    x, y = _data()

    @px.jit
    def step(m, x, y):
        loss, g = px.value_and_grad(_mse)(m, x, y)
        p = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, px.parameters(m), g)
        return px.update_parameters(m, p), loss

    losses = []
    for _ in range(10):
        seq, loss = step(seq, x, y)
        losses.append(float(loss))
    assert losses[-1] < losses[0]
    assert seq.layers[1] is jax.nn.relu
    assert not px.eval_mode(seq).layers[0].training


def test_training_loop_inside_scan_with_model_carry():
    model = MLP([3, 8, 1], key=jax.random.PRNGKey(0))
    x, y = _data()

    def body(m, _):
        loss, g = px.value_and_grad(_mse)(m, x, y)
        p = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, px.parameters(m), g)
        return px.update_parameters(m, p), loss

    trained, losses = px.scan(body, model, None, length=20)
    assert isinstance(trained, MLP) and losses.shape == (20,)
    assert float(losses[-1]) < 0.5 * float(losses[0])
    # the same steps in a Python loop give the same model
    m = model
    for _ in range(20):
        m, _ = body(m, None)
    np.testing.assert_allclose(
        m.layers[0].weight, trained.layers[0].weight, rtol=1e-4, atol=1e-6
    )


def test_scan_over_stacked_layers_as_xs():
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    stacked = jax.vmap(lambda k: Linear(3, 3, key=k))(keys)
    out, _ = px.scan(lambda h, layer: (jnp.tanh(layer(h)), None), jnp.ones(3), stacked)
    h = jnp.ones(3)
    for i in range(4):
        h = jnp.tanh(h @ stacked.weight[i] + stacked.bias[i])
    np.testing.assert_allclose(out, h, rtol=1e-5)


def test_grad_of_jitted_loss_and_two_module_argnums():
    a = Linear(2, 3, key=jax.random.PRNGKey(0))
    b = Linear(2, 3, key=jax.random.PRNGKey(1))
    x = jnp.ones((4, 2))
    g = px.grad(px.jit(lambda m, x: jnp.sum(m(x))))(a, x)
    np.testing.assert_allclose(g.bias, 4 * jnp.ones(3))
    ga, gb = px.grad(lambda a, b, x: jnp.sum(a(x) * b(x)), argnums=(0, 1))(a, b, x)
    np.testing.assert_allclose(ga.bias, jnp.sum(b(x), axis=0), rtol=1e-5)
    np.testing.assert_allclose(gb.bias, jnp.sum(a(x), axis=0), rtol=1e-5)

    @px.value_and_grad(has_aux=True)
    def with_aux(m, x):
        out = m(x)
        return jnp.sum(out), out.shape

    (value, shape), g = with_aux(a, x)
    assert shape == (4, 3) and isinstance(g, Linear)


def test_jit_is_jax_jit_object():
    f = px.jit(lambda m, x: m(x))
    assert type(f) is type(jax.jit(lambda x: x))
    lin = Linear(2, 3, key=jax.random.PRNGKey(0))
    assert f.lower(lin, jnp.ones(2)) is not None


def test_no_leak_through_jit_grad_and_scan():
    x, y = _data(4)
    m = MLP([3, 4, 1], key=jax.random.PRNGKey(0))
    ref = weakref.ref(m)
    step = px.jit(lambda m, x, y: px.update_parameters(m, px.grad(_mse)(m, x, y)))
    out = step(m, x, y)
    c, _ = px.scan(lambda c, x: px.purecall(c, x), Counter(), jnp.arange(3.0))
    refs = [weakref.ref(out), weakref.ref(c)]
    del m, out, c
    gc.collect()
    assert ref() is None and all(r() is None for r in refs)


def test_error_messages_say_the_fix():
    lin = Linear(2, 2, key=jax.random.PRNGKey(0))

    def uses(x):
        return lin(x)

    with pytest.raises(px.ClosureCaptureError) as info:
        px.jit(uses)
    msg = str(info.value)
    assert "lin" in msg and "uses" in msg and "argument" in msg and "Linear" in msg

    @px.pure
    def lost(c):
        c(0)

    with pytest.raises(px.UnreturnedUpdateError) as info:
        lost(Counter())
    assert "Counter" in str(info.value) and "return" in str(info.value).lower()

    class Pair(px.Module):
        a: Linear
        b: Linear

    with pytest.raises(px.PurepaxError) as info:
        Pair(lin, lin)
    assert "Pair" in str(info.value) and "Linear" in str(info.value)

    @px.jit
    def typed(x: Float[Array, "n 2"]):
        return x

    with pytest.raises(px.PurepaxError) as info:
        typed(jnp.ones((3, 3)))
    assert "typed" in str(info.value)


def _capture_after_wrap():
    model = None

    def apply(x):
        return model(x)

    jitted = px.jit(apply)  # nothing captured yet: `model` is None here
    model = Linear(2, 2, key=jax.random.PRNGKey(0))
    return jitted


def test_capture_bound_after_wrapping_is_refused_at_first_trace():
    jitted = _capture_after_wrap()
    with pytest.raises(px.ClosureCaptureError):
        jitted(jnp.ones(2))


def test_capture_of_a_global_defined_after_wrapping_is_refused_at_first_trace():
    jitted = px.jit(_late_global_user)
    globals()["LATE_MODULE"] = Linear(2, 2, key=jax.random.PRNGKey(0))
    try:
        with pytest.raises(px.ClosureCaptureError, match="LATE_MODULE"):
            jitted(jnp.ones(2))
    finally:
        del globals()["LATE_MODULE"]


def _late_global_user(x):
    return LATE_MODULE(x)  # noqa: F821  (defined by the test above)


def test_capture_through_a_helper_function_is_refused():
    with pytest.raises(px.ClosureCaptureError, match="GLOBAL_COUNTER"):
        px.jit(lambda x: _uses_global(x))


class DictChild(px.Module):
    blocks: dict[str, Linear]
    table: dict[str, jax.Array]


def _dict_child():
    return DictChild(
        {
            "a": Linear(2, 3, key=jax.random.PRNGKey(0)),
            "b": Linear(2, 3, key=jax.random.PRNGKey(1)),
        },
        {"scale": jnp.ones(3)},
    )


def test_dict_children_are_part_of_the_tree():
    m = _dict_child()
    assert len(jax.tree_util.tree_leaves(m)) == 5
    g = px.grad(
        lambda m, x: (
            jnp.sum(m.blocks["a"](x) * m.table["scale"]) + jnp.sum(m.blocks["b"](x))
        )
    )(m, jnp.ones(2))
    assert g.blocks["a"].weight.shape == (2, 3)
    np.testing.assert_allclose(g.table["scale"], m.blocks["a"](jnp.ones(2)), rtol=1e-6)
    ev = px.eval_mode(m)
    assert not ev.blocks["a"].training and not ev.blocks["b"].training
    out = px.jit(lambda m: m)(m)
    assert isinstance(out, DictChild) and set(out.blocks) == {"a", "b"}


def test_deepcopy_of_a_module_with_a_dict_child():
    import copy

    m = _dict_child()
    m2 = copy.deepcopy(m)
    assert isinstance(m2.table, type(m.table))
    np.testing.assert_array_equal(m2.table["scale"], m.table["scale"])
    assert copy.copy(m.table) == m.table


def test_deepcopy_and_copy_of_modules():
    import copy

    m = MLP([2, 3, 1], key=jax.random.PRNGKey(0))
    m2 = copy.deepcopy(m)
    assert isinstance(m2, MLP) and m2 is not m
    np.testing.assert_array_equal(m2.layers[0].weight, m.layers[0].weight)
    with pytest.raises(px.ImmutableModuleError):
        m2.layers[0].weight = jnp.zeros((2, 3))

    @px.pure
    def f(c):
        c2 = copy.copy(c)  # a copy of a view is immutable (the seed's note)
        c2.count = jnp.array(5)
        return c

    with pytest.raises(px.ImmutableModuleError):
        f(Counter())


def test_replace_refuses_a_leaked_tracer():
    leaked = []

    @jax.jit
    def f(x):
        leaked.append(x)
        return x

    f(jnp.zeros(3))
    lin = Linear(2, 3, key=jax.random.PRNGKey(0))
    with pytest.raises(px.PurepaxError):
        px.replace(lin, bias=leaked[0])


def test_init_may_call_a_mutating_method():
    class Resettable(px.StateModule):
        n: Int[Array, ""]

        def __init__(self):
            self.n = jnp.array(5)
            self.reset()

        def reset(self):
            self.n = jnp.array(0)

    r = Resettable()
    assert int(r.n) == 0
    with pytest.raises(px.ImmutableModuleError):
        r.reset()
    r2, _ = px.purecall(r.reset)
    assert int(r2.n) == 0


def test_more_annotation_roles():
    from collections.abc import Mapping, Sequence
    from typing import Literal, Optional

    class Roles(px.Module):
        seq: Sequence[Linear]
        mapping: Mapping[str, jax.Array]
        act: Literal["relu", "gelu"]
        maybe: Optional[int]
        kind: type
        opt_child: Optional[Linear] = None

    lin = Linear(2, 2, key=jax.random.PRNGKey(0))
    r = Roles([lin], {"b": jnp.ones(2)}, "relu", None, Linear)
    assert isinstance(r.seq, tuple)
    assert len(jax.tree_util.tree_leaves(r)) == 3
    assert px.parameters(r).opt_child is None
    with pytest.raises(px.PurepaxError):
        Roles(
            [lin], {"b": jnp.ones(2)}, jnp.ones(1), None, Linear
        )  # array in a static field


def test_cond_branch_annotations_checked():
    def double(x: Float[Array, "2"]) -> Float[Array, "2"]:
        return 2 * x

    def same(x: Float[Array, "2"]) -> Float[Array, "2"]:
        return x

    np.testing.assert_allclose(
        px.cond(jnp.array(True), double, same, jnp.ones(2)), [2.0, 2.0]
    )
    with pytest.raises(TypeError):
        px.cond(jnp.array(True), double, same, jnp.ones(3))
    with pytest.raises(TypeError):
        px.switch(0, [double, same], jnp.ones(3))


@dataclasses.dataclass
class StepResult:  # a plain (unregistered) dataclass, as users return from a step
    model: Any
    loss: Any


def test_module_returned_inside_a_plain_dataclass_counts_as_returned():
    @px.pure
    def step(c):
        c(0)
        return StepResult(c, 1.0)

    out = step(Counter())
    assert int(out.model.count) == 1


def test_module_returned_inside_pytree_containers_counts_as_returned():
    class Out(NamedTuple):
        model: Any
        loss: Any

    @px.pure
    def step(c):
        c(0)
        return Out(c, 1.0), {"again": [c]}

    out, extra = step(Counter())
    assert int(out.model.count) == 1 and extra["again"][0] is out.model


def test_pure_of_an_async_function_keeps_the_copies_mutable_until_it_finishes():
    """docs/index.md: `px.pure` of an `async def` keeps the copies mutable until the coroutine finishes."""

    async def step(c):
        await asyncio.sleep(0)
        c(0)  # after a suspension: still inside px.pure
        return c

    counter = Counter()
    out = asyncio.run(px.pure(step)(counter))
    assert int(out.count) == 1
    assert int(counter.count) == 0  # the caller's module is unchanged


def test_vmap_rebuilt_modules_immutable_and_purecall_per_member():
    counters = jax.vmap(lambda _: Counter())(jnp.arange(3))
    assert counters.count.shape == (3,)
    with pytest.raises(px.ImmutableModuleError):
        jax.vmap(lambda c, x: c(x))(counters, jnp.arange(3.0))
    out, _ = px.vmap(lambda c, x: px.purecall(c, x))(counters, jnp.arange(3.0))
    np.testing.assert_array_equal(out.count, [1, 1, 1])
    np.testing.assert_array_equal(counters.count, [0, 0, 0])


def test_unreturned_update_detected_under_jit_and_model_surgery_with_replace():
    def forgets(c, x):
        c(x)
        return x

    with pytest.raises(px.UnreturnedUpdateError):
        px.jit(px.pure(forgets))(Counter(), 1.0)

    mlp = MLP([2, 3, 4, 1], key=jax.random.PRNGKey(0))
    head_less = px.replace(mlp, layers=list(mlp.layers[:-1]))
    assert isinstance(head_less.layers, tuple) and len(head_less.layers) == 2
    assert head_less.layers[0] is mlp.layers[0] and len(mlp.layers) == 3
    assert head_less(jnp.ones(2)).shape == (4,)
    with pytest.raises(px.PurepaxError):
        px.replace(mlp, layers=(mlp.layers[0], mlp.layers[0]))


_T = TypeVar("_T")


class GenericBox(px.Module, Generic[_T]):
    value: _T


def test_generic_module_unparametrized():
    b = GenericBox(jnp.ones(2))
    assert len(jax.tree_util.tree_leaves(b)) == 1
    assert GenericBox(3).value == 3


def test_explicitly_parametrized_generic_module():
    b = GenericBox[jax.Array](jnp.ones(2))
    assert b.value.shape == (2,)


def test_repr_of_a_module_with_a_typed_prng_key():
    d = Dropout(key=jax.random.key(0))
    text = repr(d)
    assert "Dropout" in text and "key" in text


def test_repr_shows_shapes_not_values():
    lin = Linear(2, 3, key=jax.random.PRNGKey(0))
    text = repr(lin)
    assert "Linear" in text and "2,3" in text.replace(" ", "")
    assert str(float(lin.weight[0, 0]))[:5] not in text
