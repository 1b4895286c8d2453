"""purepax.optim.Optimizer against raw optax on the same arrays."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jaxtyping import Array, Float, Int

import purepax as px
from purepax.optim import Optimizer


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __call__(self, x):
        return x @ self.weight + self.bias


class Model(px.Module):
    layers: tuple[Linear, ...]
    head: Linear
    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    running: Float[Array, "o"] = px.state(default_factory=lambda: jnp.ones(2))

    def __call__(self, x):
        for layer in self.layers:
            x = jnp.tanh(layer(x))
        return self.head(x) * self.running


def make_model(key):
    k1, k2, k3 = jax.random.split(key, 3)

    def linear(k, i, o):
        kw, kb = jax.random.split(k)
        return Linear(jax.random.normal(kw, (i, o)) / i**0.5, 0.1 * jax.random.normal(kb, (o,)))

    return Model((linear(k1, 3, 4), linear(k2, 4, 4)), linear(k3, 4, 2))


def loss(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


def raw_params(model):
    """The parameters as a plain dict of arrays (what a raw-optax user would optimise)."""
    return {
        "layers": [{"weight": layer.weight, "bias": layer.bias} for layer in model.layers],
        "head": {"weight": model.head.weight, "bias": model.head.bias},
    }


def raw_model(model, params):
    layers = tuple(Linear(p["weight"], p["bias"]) for p in params["layers"])
    return px.replace(model, layers=layers, head=Linear(params["head"]["weight"], params["head"]["bias"]))


def data(key, n=8):
    kx, ky = jax.random.split(key)
    return jax.random.normal(kx, (n, 3)), jax.random.normal(ky, (n, 2))


TRANSFORMS = {
    "sgd": lambda: optax.sgd(0.1, momentum=0.9),
    "adam": lambda: optax.adam(1e-2),
    "chain_schedule": lambda: optax.chain(
        optax.clip_by_global_norm(0.5),
        optax.adamw(optax.warmup_cosine_decay_schedule(0.0, 1e-2, 2, 6), weight_decay=1e-2),
    ),
    "multisteps": lambda: optax.MultiSteps(optax.adam(1e-2), every_k_schedule=2),
    "inject_hyperparams": lambda: optax.inject_hyperparams(optax.adam)(learning_rate=3e-3),
    "masked_fn": lambda: optax.masked(
        optax.adam(1e-2),
        lambda p: jax.tree_util.tree_map_with_path(lambda k, _: "weight" in jax.tree_util.keystr(k), p),
    ),
}


def raw_steps(tx, model, batches):
    params = raw_params(model)
    state = tx.init(params)
    for x, y in batches:
        grads = jax.grad(lambda p: loss(raw_model(model, p), x, y))(params)
        updates, state = tx.update(grads, state, params)
        params = optax.apply_updates(params, updates)
    return params


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_matches_raw_optax_under_jit(name, getkey):
    model = make_model(getkey())
    batches = [data(getkey()) for _ in range(5)]
    expected = raw_steps(TRANSFORMS[name](), model, batches)

    @px.jit
    def step(model, opt, x, y):
        grads = px.grad(loss)(model, x, y)
        return opt.apply_gradients(model, grads)

    opt = Optimizer(TRANSFORMS[name](), model)
    for x, y in batches:
        model, opt = step(model, opt, x, y)
    got = raw_params(model)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert int(model.count) == 0 and np.array_equal(model.running, jnp.ones(2))


def test_eager_equals_jit_exactly(getkey):
    model = make_model(getkey())
    batches = [data(getkey()) for _ in range(3)]
    eager_m, eager_o = model, Optimizer(optax.adam(1e-2), model)
    jit_m, jit_o = model, Optimizer(optax.adam(1e-2), model)
    step = px.jit(lambda m, o, x, y: o.apply_gradients(m, px.grad(loss)(m, x, y)))
    for x, y in batches:
        eager_m, eager_o = eager_o.apply_gradients(eager_m, px.grad(loss)(eager_m, x, y))
        jit_m, jit_o = step(jit_m, jit_o, x, y)
    for a, b in zip(jax.tree.leaves(eager_m), jax.tree.leaves(jit_m)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_inputs_unchanged(getkey):
    model = make_model(getkey())
    opt = Optimizer(optax.adam(1e-1), model)
    before_m = [np.asarray(a) for a in jax.tree.leaves(model)]
    before_o = [np.asarray(a) for a in jax.tree.leaves(opt)]
    new_model, new_opt = opt.apply_gradients(model, px.grad(loss)(model, *data(getkey())))
    assert new_model is not model and new_opt is not opt
    for a, b in zip(before_m, jax.tree.leaves(model)):
        assert np.array_equal(a, b)
    for a, b in zip(before_o, jax.tree.leaves(opt)):
        assert np.array_equal(a, b)
    assert not np.array_equal(new_model.head.weight, model.head.weight)
    assert int(new_opt.state[0].count) == 1 and int(opt.state[0].count) == 0


def test_state_of_model_held_fixed(getkey):
    model = px.replace(make_model(getkey()), count=jnp.array(7), running=jnp.full(2, 3.0))
    opt = Optimizer(optax.sgd(1.0), model)
    new, _ = opt.apply_gradients(model, px.grad(loss)(model, *data(getkey())))
    assert int(new.count) == 7 and np.array_equal(new.running, jnp.full(2, 3.0))
    # no optimizer state for model state: sgd with momentum would hold a trace per parameter only
    opt = Optimizer(optax.sgd(1.0, momentum=0.9), model)
    n_params = sum(a.size for a in jax.tree.leaves(px.parameters(model)))
    assert sum(a.size for a in jax.tree.leaves(opt)) == n_params


def test_scan_carry(getkey):
    model = make_model(getkey())
    xs, ys = jax.random.normal(getkey(), (4, 8, 3)), jax.random.normal(getkey(), (4, 8, 2))
    tx = optax.adam(1e-2)

    def body(carry, batch):
        model, opt = carry
        value, grads = px.value_and_grad(loss)(model, *batch)
        model, opt = opt.apply_gradients(model, grads)
        return (model, opt), value

    (scanned, opt), losses = px.scan(body, (model, Optimizer(tx, model)), (xs, ys))
    expected = raw_steps(tx, model, list(zip(xs, ys)))
    for a, b in zip(jax.tree.leaves(raw_params(scanned)), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert losses.shape == (4,) and int(opt.state[0].count) == 4


def test_masked_with_a_mask_over_the_model(getkey):
    model = make_model(getkey())
    mask = jax.tree_util.tree_map_with_path(lambda k, _: "head" in jax.tree_util.keystr(k), model)
    opt = Optimizer(optax.masked(optax.sgd(0.5), mask), model)
    grads = px.grad(loss)(model, *data(getkey()))
    new, _ = opt.apply_gradients(model, grads)
    np.testing.assert_allclose(new.head.bias, model.head.bias - 0.5 * grads.head.bias, rtol=1e-6)
    # optax.masked passes the raw gradient through where the mask is False
    np.testing.assert_allclose(new.layers[0].bias, model.layers[0].bias + grads.layers[0].bias, rtol=1e-6)


def test_trainable_freezes_parameters_and_holds_no_state_for_them(getkey):
    model = make_model(getkey())
    opt = Optimizer(optax.adam(1e-1), model, trainable=lambda path, leaf: path.startswith("head."))
    assert all(".head." in k for k in opt.opt_state if "count" not in k)
    assert sum(a.size for a in jax.tree.leaves(opt)) == 1 + 2 * (4 * 2 + 2)

    step = px.jit(lambda m, o, x, y: o.apply_gradients(m, px.grad(loss)(m, x, y)))
    new, opt = step(model, opt, *data(getkey()))
    new, opt = step(new, opt, *data(getkey()))
    for a, b in zip(jax.tree.leaves(model.layers), jax.tree.leaves(new.layers)):
        assert np.array_equal(a, b)
    assert not np.array_equal(new.head.weight, model.head.weight)


def test_trainable_sees_parameter_paths_and_leaves(getkey):
    model = make_model(getkey())
    seen = []
    Optimizer(optax.sgd(0.1), model, trainable=lambda path, leaf: seen.append((path, leaf.shape)) or True)
    assert seen == [
        ("layers[0].weight", (3, 4)),
        ("layers[0].bias", (4,)),
        ("layers[1].weight", (4, 4)),
        ("layers[1].bias", (4,)),
        ("head.weight", (4, 2)),
        ("head.bias", (2,)),
    ]


def test_wrong_arguments(getkey):
    model = make_model(getkey())
    with pytest.raises(TypeError, match="purepax module"):
        Optimizer(optax.adam(1e-3), {"w": jnp.ones(2)})
    with pytest.raises(TypeError, match="GradientTransformation"):
        Optimizer(0.1, model)
    opt = Optimizer(optax.adam(1e-3), model)
    with pytest.raises(TypeError, match="px.grad"):
        opt.apply_gradients(model, model.head)


def test_optimizer_is_immutable(getkey):
    opt = Optimizer(optax.adam(1e-3), make_model(getkey()))
    with pytest.raises(px.ImmutableModuleError):
        opt.tx = optax.sgd(0.1)


def _run(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)


def test_import_purepax_does_not_import_optax():
    result = _run(
        """
        import sys, purepax as px, jax.numpy as jnp
        px.Module, px.jit, px.parameters
        assert "optax" not in sys.modules, "optax imported"
        """
    )
    assert result.returncode == 0, result.stderr


def test_missing_optax_says_how_to_install():
    result = _run(
        """
        import sys
        sys.modules["optax"] = None
        try:
            import purepax.optim
        except ImportError as e:
            print(e)
        else:
            raise SystemExit("no ImportError")
        """
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "purepax[optax]"' in result.stdout
