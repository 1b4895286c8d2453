"""px.jit, px.vmap, px.remat, px.cond, px.switch, px.scan and the loops: same results as JAX, both forms."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Counter
from jaxtyping import Array, Float

import purepax as px
import purepax._transforms as transforms


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __call__(self, x: Float[Array, "*b i"]) -> Float[Array, "*b o"]:
        return x @ self.weight + self.bias


class JitMethod(px.Module):
    scale: jax.Array

    @px.jit
    def __call__(self, x):
        return x * self.scale

    @functools.partial(px.jit, static_argnums=2)
    def power(self, x, n: int):
        return x**n * self.scale


@pytest.fixture
def linear(getkey):
    return Linear(jax.random.normal(getkey(), (3, 2)), jnp.arange(2.0))


def apply(model, x):
    return model(x)


# --- px.jit ---------------------------------------------------------------------------------


def test_jit_returns_the_jax_jit_object(linear):
    jitted = px.jit(apply)
    assert type(jitted) is type(jax.jit(apply))
    assert jitted.lower(linear, jnp.ones(3)).compile() is not None
    np.testing.assert_allclose(
        jitted(linear, jnp.ones(3)), linear(jnp.ones(3)), rtol=1e-6
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda f: px.jit(f),
        lambda f: px.jit()(f),
        lambda f: px.jit(static_argnums=())(f),
        lambda f: functools.partial(px.jit, donate_argnums=())(f),
    ],
    ids=["call", "empty-decorator", "decorator-with-args", "partial"],
)
def test_jit_forms(make, linear):
    x = jnp.ones((4, 3))
    np.testing.assert_allclose(make(apply)(linear, x), linear(x), rtol=1e-6)


def test_jit_static_argnums_and_argnames(linear):
    traces = []

    def scaled(model, x, n):
        traces.append(n)
        return model(x) * n

    by_number = px.jit(scaled, static_argnums=2)
    by_name = px.jit(scaled, static_argnames="n")
    x = jnp.ones(3)
    np.testing.assert_allclose(by_number(linear, x, 3), linear(x) * 3, rtol=1e-6)
    np.testing.assert_allclose(by_name(linear, x, n=2), linear(x) * 2, rtol=1e-6)
    by_name(linear, x, n=2)
    assert traces == [3, 2]


@pytest.mark.filterwarnings(
    "ignore:Some donated buffers were not usable"
)  # CPU cannot donate
def test_jit_donate_and_shardings_pass_through(linear):
    mesh = jax.make_mesh((1,), ("d",))
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    shardings = (jax.tree.map(lambda _: replicated, linear), replicated)
    jitted = px.jit(
        apply, in_shardings=shardings, out_shardings=replicated, donate_argnums=1
    )
    out = jitted(linear, jnp.ones(3))
    assert out.sharding == replicated
    np.testing.assert_allclose(out, linear(jnp.ones(3)), rtol=1e-6)


def test_jit_decorated_method_takes_self_as_argument():
    model = JitMethod(jnp.array(2.0))
    np.testing.assert_allclose(model(jnp.ones(2)), 2 * jnp.ones(2))
    np.testing.assert_allclose(model.power(jnp.full(2, 3.0), 2), 18 * jnp.ones(2))
    # self is traced, not a constant: a new scale is used by the same compiled function.
    other = px.replace(model, scale=jnp.array(5.0))
    np.testing.assert_allclose(other(jnp.ones(2)), 5 * jnp.ones(2))


def test_jit_module_in_module_out_with_purecall():
    @px.jit
    def step(counter: Counter, x):
        counter, y = px.purecall(counter, x)
        return counter, y

    counter = Counter()
    for _ in range(3):
        counter, _ = step(counter, jnp.ones(2))
    assert int(counter.count) == 3


def test_jit_compiled_calls_do_not_run_the_checks(monkeypatch, linear):
    counts = {"closure": 0, "typecheck": 0, "body": 0}
    refuse, check_call = transforms.refuse_captures, transforms.check_call

    def counting_refuse(fn, transform, *, tracing):
        counts["closure"] += 1
        refuse(fn, transform, tracing=tracing)

    def counting_check_call(*args, **kwargs):
        counts["typecheck"] += 1
        return check_call(*args, **kwargs)

    monkeypatch.setattr(transforms, "refuse_captures", counting_refuse)
    monkeypatch.setattr(transforms, "check_call", counting_check_call)

    def step(model: Linear, x: Float[Array, "b i"]) -> Float[Array, "b o"]:
        counts["body"] += 1
        return model(x)

    jitted = px.jit(step)
    after_wrap = counts["closure"]
    for _ in range(5):
        jitted(linear, jnp.ones((4, 3)))
    assert counts == {"closure": after_wrap + 1, "typecheck": 1, "body": 1}
    jitted(linear, jnp.ones((2, 3)))  # a new shape: traced (and checked) once more
    assert counts == {"closure": after_wrap + 2, "typecheck": 2, "body": 2}


def _slow(model, x):
    # Hundreds of milliseconds of matrix products on a CPU: far longer than a dispatch.
    return jax.lax.fori_loop(0, 40, lambda _, a: jnp.tanh(model(a)), x)


def _returns_before_the_result_is_ready(jitted) -> bool:
    model, x = Linear(jnp.eye(512) * 0.5, jnp.zeros(512)), jnp.ones((512, 512))
    jitted(model, x).block_until_ready()  # compiled and cached
    out = jitted(model, x)
    if not hasattr(out, "is_ready"):
        pytest.skip("this JAX's arrays do not say whether they are ready")
    ready = out.is_ready()
    out.block_until_ready()
    return not ready


def test_jit_returns_before_the_computation_finishes_as_jax_jit_does():
    """px.jit keeps JAX's asynchronous dispatch: a call returns while the result is computed."""
    if not _returns_before_the_result_is_ready(jax.jit(_slow)):
        pytest.skip("this JAX backend does not dispatch asynchronously")
    assert _returns_before_the_result_is_ready(px.jit(_slow)), (
        "px.jit waited for the result"
    )


def test_jit_applied_again_to_the_same_function_does_not_trace_again(linear):
    traces = []

    def step(model, x):
        traces.append(x.shape)
        return model(x)

    def evaluate(fn, model, x):  # a helper that jits its argument, as users write
        return px.jit(fn)(model, x)

    for _ in range(10):
        evaluate(step, linear, jnp.ones(3))
        evaluate(step, linear, jnp.ones((2, 3)))
    assert traces == [(3,), (2, 3)]


def test_jit_of_a_wrapper_made_with_functools_wraps_runs_the_wrapper(linear):
    def inner(model, x):
        return model(x)

    px.jit(inner)(linear, jnp.ones(3))  # leaves purepax's cache on `inner`

    @functools.wraps(inner)
    def doubled(model, x):  # copies inner.__dict__, cache entry included
        return 2 * inner(model, x)

    np.testing.assert_allclose(
        px.jit(doubled)(linear, jnp.ones(3)), 2 * linear(jnp.ones(3)), rtol=1e-6
    )


def scaled_apply(model, x, n=1):
    return model(x) * n


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: px.jit(scaled_apply, static_argnums=0)(m, x),
        lambda m, x: px.jit(scaled_apply, static_argnames="model")(model=m, x=x),
        lambda m, x: px.jit(scaled_apply, static_argnames="model")(m, x),
        lambda m, x: px.jit(scaled_apply, static_argnums=-1)(m, x, m),
        lambda m, x: px.jit(scaled_apply, static_argnums=2)(m, x, (1, m)),
        lambda m, x: px.jit(lambda f, x: f(x), static_argnums=0)(m.__call__, x),
    ],
    ids=[
        "position",
        "name",
        "name-given-by-position",
        "negative",
        "in-a-tuple",
        "bound-method",
    ],
)
def test_jit_refuses_a_module_as_a_static_argument(call, linear):
    with pytest.raises(
        px.StaticArgumentError, match="static argument.*regular \\(traced\\) argument"
    ):
        call(linear, jnp.ones(3))


def test_jit_refuses_a_static_self():
    class Scaled(px.Module):
        scale: jax.Array

        @functools.partial(px.jit, static_argnums=0)
        def __call__(self, x):
            return x * self.scale

    with pytest.raises(
        px.ClosureCaptureError, match="Scaled module as its static argument 0"
    ):
        Scaled(jnp.array(2.0))(jnp.ones(2))


# --- px.vmap and px.remat ------------------------------------------------------------------


@pytest.mark.parametrize("form", ["call", "decorator"])
def test_vmap_forms(form, linear):
    xs = jnp.arange(12.0).reshape(4, 3)
    if form == "call":
        mapped = px.vmap(apply, in_axes=(None, 0))
    else:
        mapped = px.vmap(in_axes=(None, 0))(apply)
    np.testing.assert_allclose(
        mapped(linear, xs), jax.vmap(apply, in_axes=(None, 0))(linear, xs), rtol=1e-6
    )


def test_vmap_over_a_batch_of_modules(getkey):
    models = px.vmap(lambda k: Linear(jax.random.normal(k, (3, 2)), jnp.zeros(2)))(
        jax.random.split(getkey(), 5)
    )
    assert models.weight.shape == (5, 3, 2)
    ys = px.vmap(apply, in_axes=(0, None), out_axes=1)(models, jnp.ones(3))
    assert ys.shape == (2, 5)


@pytest.mark.parametrize("form", ["call", "decorator"])
def test_remat_forms(form, linear):
    def loss(model, x):
        return jnp.sum(jnp.sin(model(x)))

    checkpointed = (
        px.remat(loss, prevent_cse=False)
        if form == "call"
        else px.remat(prevent_cse=False)(loss)
    )
    x = jnp.ones(3)
    want = jax.grad(loss)(linear, x)
    got = jax.grad(checkpointed)(linear, x)
    np.testing.assert_allclose(got.weight, want.weight, rtol=1e-6)


def test_remat_static_argnums(linear):
    checkpointed = px.remat(lambda model, x, n: model(x) * n, static_argnums=2)
    np.testing.assert_allclose(
        checkpointed(linear, jnp.ones(3), 2), 2 * linear(jnp.ones(3)), rtol=1e-6
    )


# --- px.cond and px.switch ------------------------------------------------------------------


@pytest.mark.parametrize("pred", [True, False])
def test_cond_matches_lax_cond(pred, linear):
    x = jnp.ones(3)
    branches = (lambda m, x: m(x), lambda m, x: -m(x))
    want = jax.lax.cond(pred, *branches, linear, x)
    np.testing.assert_allclose(px.cond(pred, *branches, linear, x), want)
    jitted = px.jit(lambda p, m, x: px.cond(p, *branches, m, x))
    np.testing.assert_allclose(jitted(pred, linear, x), want)


def test_cond_operand_keyword():
    assert int(px.cond(True, lambda x: x + 1, lambda x: x - 1, operand=1)) == 2


@pytest.mark.parametrize("index", [0, 1, 2, 7])
def test_switch_matches_lax_switch(index, linear):
    branches = [lambda m, x: m(x), lambda m, x: 2 * m(x), lambda m, x: jnp.zeros(2)]
    x = jnp.ones(3)
    np.testing.assert_allclose(
        px.switch(index, branches, linear, x),
        jax.lax.switch(index, branches, linear, x),
    )


# --- px.scan and the loops ------------------------------------------------------------------


def test_scan_with_a_module_carry():
    def step(counter, x):
        counter, y = px.purecall(counter, x)
        return counter, 2 * y

    counter, ys = px.scan(step, Counter(), jnp.arange(5.0))
    assert int(counter.count) == 5
    np.testing.assert_allclose(ys, 2 * jnp.arange(5.0))


def test_scan_arguments_pass_through():
    def step(total, x):
        return total + x, total

    for kwargs in ({"reverse": True}, {"unroll": 2}, {}):
        want = jax.lax.scan(step, 0.0, jnp.arange(4.0), **kwargs)
        got = px.scan(step, 0.0, jnp.arange(4.0), **kwargs)
        np.testing.assert_allclose(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1])
    carry, ys = px.scan(lambda c, _: (c + 1, c), 0, length=3)
    assert int(carry) == 3 and ys.tolist() == [0, 1, 2]


def test_while_loop_with_a_module_carry():
    def body(counter):
        counter, _ = px.purecall(counter, 0)
        return counter

    counter = px.while_loop(lambda c: c.count < 4, body, Counter())
    assert int(counter.count) == 4


def test_fori_loop_with_a_module_carry():
    def body(i, counter):
        return px.purecall(counter, i)[0]

    assert int(px.fori_loop(0, 6, body, Counter()).count) == 6
    assert int(px.fori_loop(0, 6, body, Counter(), unroll=2).count) == 6
    assert int(px.fori_loop(0, 5, lambda i, total: total + i, 0)) == 10


def test_loops_inside_jit():
    @px.jit
    def run(counter, xs):
        counter, _ = px.scan(lambda c, x: px.purecall(c, x), counter, xs)
        return px.fori_loop(0, 2, lambda i, c: px.purecall(c, i)[0], counter)

    assert int(run(Counter(), jnp.ones(3)).count) == 5


@pytest.mark.parametrize(
    "wrap",
    [
        lambda f: px.jit(px.grad(f)),
        lambda f: px.jit(px.value_and_grad(f)),
        lambda f: px.jit(px.grad(f, has_aux=False)),
        lambda f: px.jit(px.vmap(f, in_axes=(None, 0))),
    ],
    ids=["grad", "value_and_grad", "grad-with-options", "vmap"],
)
def test_a_step_rebuilt_every_epoch_is_traced_once(wrap, linear):
    traces = []

    def loss(model, x):
        traces.append(1)
        return jnp.sum(model(x))

    for _ in range(3):
        wrap(loss)(linear, jnp.ones((2, 3)))
    assert len(traces) == 1
