"""purepax.optim.Optimizer: against raw optax on the same arrays; it steps only the model it was built for."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from helpers import Linear
from jaxtyping import Array, Float, Int

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Model(px.Module):
    layers: tuple[Linear, ...]
    head: Linear
    count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    running: Float[Array, "o"] = px.state(default_factory=lambda: jnp.ones(2))

    def __call__(self, x):
        for layer in self.layers:
            x = jnp.tanh(layer(x))
        return self.head(x) * self.running


def make_model(key, inputs=3, depth=2):
    keys = jax.random.split(key, depth + 1)

    def linear(k, i, o):
        kw, kb = jax.random.split(k)
        return Linear(
            jax.random.normal(kw, (i, o)) / i**0.5, 0.1 * jax.random.normal(kb, (o,))
        )

    layers = tuple(
        linear(k, inputs if i == 0 else 4, 4) for i, k in enumerate(keys[:-1])
    )
    return Model(layers, linear(keys[-1], 4, 2))


def loss(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


def raw_params(model):
    """The parameters as a plain dict of arrays (what a raw-optax user would optimise)."""
    return {
        "layers": [
            {"weight": layer.weight, "bias": layer.bias} for layer in model.layers
        ],
        "head": {"weight": model.head.weight, "bias": model.head.bias},
    }


def raw_model(model, params):
    layers = tuple(Linear(p["weight"], p["bias"]) for p in params["layers"])
    return px.replace(
        model,
        layers=layers,
        head=Linear(params["head"]["weight"], params["head"]["bias"]),
    )


def data(key, n=8):
    kx, ky = jax.random.split(key)
    return jax.random.normal(kx, (n, 3)), jax.random.normal(ky, (n, 2))


TRANSFORMS = {
    "sgd": lambda: optax.sgd(0.1, momentum=0.9),
    "adam": lambda: optax.adam(1e-2),
    "chain_schedule": lambda: optax.chain(
        optax.clip_by_global_norm(0.5),
        optax.adamw(
            optax.warmup_cosine_decay_schedule(0.0, 1e-2, 2, 6), weight_decay=1e-2
        ),
    ),
    "multisteps": lambda: optax.MultiSteps(optax.adam(1e-2), every_k_schedule=2),
    "inject_hyperparams": lambda: optax.inject_hyperparams(optax.adam)(
        learning_rate=3e-3
    ),
    "masked_fn": lambda: optax.masked(
        optax.adam(1e-2),
        lambda p: jax.tree_util.tree_map_with_path(
            lambda k, _: "weight" in jax.tree_util.keystr(k), p
        ),
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


def test_extra_arguments_reach_the_transformation(getkey):
    model = make_model(getkey())
    batches = [data(getkey()) for _ in range(4)]
    make = lambda: optax.chain(
        optax.sgd(0.1), optax.contrib.reduce_on_plateau(patience=1, factor=0.5)
    )
    tx = make()
    params = raw_params(model)
    state = tx.init(params)
    opt = Optimizer(make(), model)
    for x, y in batches:
        value, grads = jax.value_and_grad(lambda p: loss(raw_model(model, p), x, y))(
            params
        )
        updates, state = tx.update(grads, state, params, value=value + 1.0)
        params = optax.apply_updates(params, updates)
        value, grads = px.value_and_grad(loss)(model, x, y)
        model, opt = opt.apply_gradients(model, grads, value=value + 1.0)
    for a, b in zip(jax.tree.leaves(raw_params(model)), jax.tree.leaves(params)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert float(opt.state[1].scale) == float(state[1].scale)


def test_eager_equals_jit_exactly(getkey):
    model = make_model(getkey())
    batches = [data(getkey()) for _ in range(3)]
    eager_m, eager_o = model, Optimizer(optax.adam(1e-2), model)
    jit_m, jit_o = model, Optimizer(optax.adam(1e-2), model)
    step = px.jit(lambda m, o, x, y: o.apply_gradients(m, px.grad(loss)(m, x, y)))
    for x, y in batches:
        eager_m, eager_o = eager_o.apply_gradients(
            eager_m, px.grad(loss)(eager_m, x, y)
        )
        jit_m, jit_o = step(jit_m, jit_o, x, y)
    for a, b in zip(jax.tree.leaves(eager_m), jax.tree.leaves(jit_m)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_inputs_unchanged(getkey):
    model = make_model(getkey())
    opt = Optimizer(optax.adam(1e-1), model)
    before_m = [np.asarray(a) for a in jax.tree.leaves(model)]
    before_o = [np.asarray(a) for a in jax.tree.leaves(opt)]
    new_model, new_opt = opt.apply_gradients(
        model, px.grad(loss)(model, *data(getkey()))
    )
    assert new_model is not model and new_opt is not opt
    for a, b in zip(before_m, jax.tree.leaves(model)):
        assert np.array_equal(a, b)
    for a, b in zip(before_o, jax.tree.leaves(opt)):
        assert np.array_equal(a, b)
    assert not np.array_equal(new_model.head.weight, model.head.weight)
    assert int(new_opt.state[0].count) == 1 and int(opt.state[0].count) == 0


def test_state_of_model_held_fixed(getkey):
    model = px.replace(
        make_model(getkey()), count=jnp.array(7), running=jnp.full(2, 3.0)
    )
    opt = Optimizer(optax.sgd(1.0), model)
    new, _ = opt.apply_gradients(model, px.grad(loss)(model, *data(getkey())))
    assert int(new.count) == 7 and np.array_equal(new.running, jnp.full(2, 3.0))
    # no optimizer state for model state: sgd with momentum would hold a trace per parameter only
    opt = Optimizer(optax.sgd(1.0, momentum=0.9), model)
    n_params = sum(a.size for a in jax.tree.leaves(px.parameters(model)))
    assert sum(a.size for a in jax.tree.leaves(opt)) == n_params


def test_scan_carry(getkey):
    model = make_model(getkey())
    xs, ys = (
        jax.random.normal(getkey(), (4, 8, 3)),
        jax.random.normal(getkey(), (4, 8, 2)),
    )
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
    mask = jax.tree_util.tree_map_with_path(
        lambda k, _: "head" in jax.tree_util.keystr(k), model
    )
    opt = Optimizer(optax.masked(optax.sgd(0.5), mask), model)
    grads = px.grad(loss)(model, *data(getkey()))
    new, _ = opt.apply_gradients(model, grads)
    np.testing.assert_allclose(
        new.head.bias, model.head.bias - 0.5 * grads.head.bias, rtol=1e-6
    )
    # optax.masked passes the raw gradient through where the mask is False
    np.testing.assert_allclose(
        new.layers[0].bias, model.layers[0].bias + grads.layers[0].bias, rtol=1e-6
    )


def test_trainable_freezes_parameters_and_holds_no_state_for_them(getkey):
    model = make_model(getkey())
    opt = Optimizer(
        optax.adam(1e-1), model, trainable=lambda path, leaf: path.startswith("head.")
    )
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
    Optimizer(
        optax.sgd(0.1),
        model,
        trainable=lambda path, leaf: seen.append((path, leaf.shape)) or True,
    )
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
    with pytest.raises(px.ArgumentError, match="purepax module") as info:
        Optimizer(optax.adam(1e-3), {"w": jnp.ones(2)})
    assert isinstance(info.value, TypeError)
    with pytest.raises(px.ArgumentError, match="GradientTransformation"):
        Optimizer(0.1, model)
    opt = Optimizer(optax.adam(1e-3), model)
    with pytest.raises(TypeError, match="px.grad"):
        opt.apply_gradients(model, model.head)


class Normed(px.Module):
    """A model with state: batch norm's running statistics."""

    linear: nn.Linear
    norm: nn.BatchNorm

    def __init__(self, *, key):
        self.linear = nn.Linear(3, 4, key=key)
        self.norm = nn.BatchNorm(4)

    def __call__(self, x):
        return self.norm(self.linear(x))


def normed_loss(model, x, y):
    _, out = px.purecall(model, x)
    return jnp.mean((out[:, :2] - y) ** 2)


def step_with(gradient):
    """A step as users write it, with `gradient` (px.grad or jax.grad) of the loss that fits the model."""

    def step(model, opt, x, y):
        fits = normed_loss if isinstance(model, Normed) else loss
        return opt.apply_gradients(model, gradient(fits)(model, x, y))

    return step


def scanned(step):
    def run(model, opt, x, y):
        body = lambda carry, batch: (step(*carry, *batch), None)
        return px.scan(body, (model, opt), (x[None], y[None]))[0]

    return run


ROUTES = {
    "eager": lambda step: step,
    "px.jit": px.jit,
    "jax.jit": jax.jit,
    "px.scan": scanned,
}

MISMATCHES = {
    # what the optimizer is built for, what it is handed, the gradient, what the error says
    "width": (
        make_model,
        lambda key: make_model(key, inputs=4),
        px.grad,
        r"Model\.layers\[0\]\.weight is an array of shape \(4, 4\) and dtype float32 in the model, where the "
        r"model it was built for has an array of shape \(3, 4\) and dtype float32\. Build a new "
        r"Optimizer\(tx, model\)",
    ),
    "dtype": (
        make_model,
        lambda key: jax.tree.map(lambda a: a.astype(jnp.bfloat16), make_model(key)),
        px.grad,
        r"Model\.layers\[0\]\.weight is an array of shape \(3, 4\) and dtype bfloat16 in the model, where "
        r"the model it was built for has an array of shape \(3, 4\) and dtype float32",
    ),
    "extra layer": (
        make_model,
        lambda key: make_model(key, depth=3),
        px.grad,
        r"Model\.layers has 3 items in the model, where the model it was built for has 2\. Build a new Optimizer\(tx, model\)",
    ),
    "missing layer": (
        make_model,
        lambda key: make_model(key, depth=1),
        px.grad,
        r"Model\.layers has 1 item in the model, where the model it was built for has 2",
    ),
    "state differentiated": (
        lambda key: Normed(key=key),
        lambda key: Normed(key=key),
        jax.grad,
        r"the gradient differentiates the model's state: Normed\.norm\.mean is an array of shape \(4,\) and "
        r"dtype float32 in the gradient, where the model's parameters have None\. .*px\.grad or "
        r"px\.value_and_grad",
    ),
}


@pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
@pytest.mark.parametrize(
    "built_for, given, gradient, message", MISMATCHES.values(), ids=MISMATCHES.keys()
)
def test_an_optimizer_refuses_a_model_or_gradient_it_was_not_built_for(
    route, built_for, given, gradient, message, getkey
):
    key = getkey()
    opt = Optimizer(optax.adam(1e-2), built_for(key))
    model = given(key)
    inputs = 3 if isinstance(model, Normed) else model.layers[0].weight.shape[0]
    with pytest.raises(px.ModelMismatchError, match=message) as info:
        route(step_with(gradient))(model, opt, jnp.ones((8, inputs)), jnp.ones((8, 2)))
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_a_gradient_of_another_model_is_refused(getkey):
    model, wide = make_model(getkey()), make_model(getkey(), inputs=4)
    opt = Optimizer(optax.sgd(0.1), model)
    with pytest.raises(
        px.ModelMismatchError,
        match=r"the gradient is not shaped like the model's parameters: Model\.layers\[0\]\.weight is an array "
        r"of shape \(4, 4\) and dtype float32 in the gradient, where the model's parameters have an array of "
        r"shape \(3, 4\).*px\.grad\(loss\)\(model, \.\.\.\)",
    ):
        opt.apply_gradients(
            model, px.grad(loss)(wide, jnp.ones((8, 4)), jnp.ones((8, 2)))
        )


@pytest.mark.parametrize(
    "transform", [lambda f: f, px.jit, jax.jit], ids=["eager", "px.jit", "jax.jit"]
)
def test_a_model_is_stepped_in_either_training_mode(getkey, transform):
    """Fine-tuning with frozen batch statistics steps the model in eval mode; the mode is
    part of the tree structure, yet it is the same model: the step keeps it as it came."""
    model = Normed(key=getkey())
    opt = Optimizer(optax.adam(1e-2), model)
    frozen = px.eval_mode(model)
    x, y = jax.random.normal(getkey(), (8, 3)), jax.random.normal(getkey(), (8, 2))
    step = transform(lambda m, o: o.apply_gradients(m, px.grad(normed_loss)(m, x, y)))
    new, opt = step(frozen, opt)
    assert not new.training and not new.norm.training
    assert not np.array_equal(new.linear.weight, model.linear.weight)
    trained, _ = step(
        px.train_mode(new), opt
    )  # and back in train mode with the same optimizer
    assert trained.training and not np.array_equal(
        trained.linear.weight, new.linear.weight
    )


def test_a_model_with_state_steps_with_a_px_grad_gradient(getkey):
    model = Normed(key=getkey())
    opt = Optimizer(optax.adam(1e-2), model)
    step = px.jit(step_with(px.grad))
    x, y = jax.random.normal(getkey(), (8, 3)), jax.random.normal(getkey(), (8, 2))
    new, opt = step(model, opt, x, y)
    new, opt = step(new, opt, x, y)
    assert not np.array_equal(new.linear.weight, model.linear.weight)
    assert np.array_equal(new.norm.mean, model.norm.mean) and np.array_equal(
        new.norm.var, model.norm.var
    )


@pytest.mark.parametrize("jit", [px.jit, jax.jit], ids=["px.jit", "jax.jit"])
def test_a_compiled_step_is_traced_once(jit, getkey):
    traces = []

    @jit
    def step(model, opt, x, y):
        traces.append(1)
        return opt.apply_gradients(model, px.grad(loss)(model, x, y))

    model = make_model(getkey())
    opt = Optimizer(optax.adam(1e-2), model)
    for _ in range(3):
        model, opt = step(model, opt, *data(getkey()))
    assert len(traces) == 1


def test_multisteps_updates_every_second_step(getkey):
    model = make_model(getkey())
    opt = Optimizer(optax.MultiSteps(optax.sgd(0.1), every_k_schedule=2), model)
    step = px.jit(lambda m, o, x, y: o.apply_gradients(m, px.grad(loss)(m, x, y)))
    changed = []
    for _ in range(4):
        new, opt = step(model, opt, *data(getkey()))
        changed.append(not np.array_equal(new.head.weight, model.head.weight))
        model = new
    assert changed == [False, True, False, True]


def test_optimizer_is_immutable(getkey):
    opt = Optimizer(optax.adam(1e-3), make_model(getkey()))
    with pytest.raises(px.ImmutableModuleError):
        opt.tx = optax.sgd(0.1)


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True
    )


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
