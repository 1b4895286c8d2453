"""px.grad / px.value_and_grad differentiate with respect to the parameters of the module argument."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Linear
from jaxtyping import Array, Float

import purepax as px


class Normalised(px.Module):
    """A parameterised layer with state: running mean (state) and a step counter (state)."""

    linear: Linear
    mean: jax.Array = px.state()
    steps: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.steps = self.steps + 1
        return self.linear(x - self.mean)


@pytest.fixture
def model(getkey):
    linear = Linear(
        jax.random.normal(getkey(), (3, 2)), jax.random.normal(getkey(), (2,))
    )
    return Normalised(linear, mean=jax.random.normal(getkey(), (3,)))


def loss(model, x, y):
    model, out = px.purecall(model, x)
    return jnp.mean((out - y) ** 2)


def dict_loss(params, mean, x, y):
    out = (x - mean) @ params["weight"] + params["bias"]
    return jnp.mean((out - y) ** 2)


X = jnp.arange(12.0).reshape(4, 3) / 10
Y = jnp.ones((4, 2))


def reference(model):
    params = {"weight": model.linear.weight, "bias": model.linear.bias}
    return jax.value_and_grad(dict_loss)(params, model.mean, X, Y)


def test_grad_matches_jax_grad_over_a_dict(model):
    grads = px.grad(loss)(model, X, Y)
    _, want = reference(model)
    assert type(grads) is Normalised
    np.testing.assert_allclose(grads.linear.weight, want["weight"], rtol=1e-5)
    np.testing.assert_allclose(grads.linear.bias, want["bias"], rtol=1e-5)


def test_gradient_is_shaped_like_the_parameters(model):
    grads = px.grad(loss)(model, X, Y)
    assert jax.tree.structure(grads) == jax.tree.structure(px.parameters(model))
    assert grads.mean is None and grads.steps is None  # state is held fixed
    updated = px.update_parameters(
        model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)
    )
    np.testing.assert_allclose(updated.mean, model.mean)
    np.testing.assert_allclose(
        updated.linear.weight, model.linear.weight - 0.1 * grads.linear.weight
    )


def test_value_and_grad(model):
    value, grads = px.value_and_grad(loss)(model, X, Y)
    want_value, want = reference(model)
    np.testing.assert_allclose(value, want_value, rtol=1e-6)
    np.testing.assert_allclose(grads.linear.bias, want["bias"], rtol=1e-5)


def aux_loss(model, x, y):
    model, out = px.purecall(model, x)
    return jnp.mean((out - y) ** 2), model


def test_has_aux_returns_the_updated_state(model):
    grads, new_model = px.grad(aux_loss, has_aux=True)(model, X, Y)
    assert int(new_model.steps) == 1 and int(model.steps) == 0
    np.testing.assert_allclose(
        grads.linear.bias, reference(model)[1]["bias"], rtol=1e-5
    )
    (value, new_model), grads = px.value_and_grad(aux_loss, has_aux=True)(model, X, Y)
    np.testing.assert_allclose(value, reference(model)[0], rtol=1e-6)
    assert int(new_model.steps) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: px.grad(loss),
        lambda: px.grad()(loss),
        lambda: functools.partial(px.grad, has_aux=False)(loss),
        lambda: px.jit(px.grad(loss)),
        lambda: lambda m, x, y: px.value_and_grad(loss)(m, x, y)[1],
        lambda: lambda m, x, y: px.value_and_grad()(loss)(m, x, y)[1],
    ],
    ids=[
        "grad",
        "grad-decorator",
        "grad-partial",
        "jit-of-grad",
        "value_and_grad",
        "value_and_grad-decorator",
    ],
)
def test_forms(make, model):
    grads = make()(model, X, Y)
    np.testing.assert_allclose(
        grads.linear.weight, reference(model)[1]["weight"], rtol=1e-5
    )


def test_grad_inside_jit_train_step(model):
    @px.jit
    def step(model, x, y):
        grads = px.grad(loss)(model, x, y)
        return px.update_parameters(
            model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads)
        )

    losses = []
    for _ in range(5):
        model = step(model, X, Y)
        losses.append(float(loss(model, X, Y)))
    assert losses == sorted(losses, reverse=True)


def test_argnums_selects_other_modules(model, getkey):
    other = Linear(jax.random.normal(getkey(), (2, 2)), jnp.zeros(2))

    def two_models(x, first, second):
        return jnp.sum(second(px.purecall(first, x)[1]))

    g_first, g_second = px.grad(two_models, argnums=(1, 2))(X, model, other)
    assert type(g_first) is Normalised and type(g_second) is Linear
    only_second = px.grad(two_models, argnums=2)(X, model, other)
    np.testing.assert_allclose(only_second.weight, g_second.weight)


@pytest.mark.parametrize("transform", [px.grad, px.value_and_grad])
@pytest.mark.parametrize("first", [{"weight": jnp.ones(2)}, jnp.ones(2), None])
def test_first_argument_must_be_a_module(transform, first):
    with pytest.raises(TypeError) as info:
        transform(lambda p: jnp.sum(p))(first)
    message = str(info.value)
    assert "parameters of a purepax module" in message
    assert "Pass the model as argument 0" in message
    assert "jax." in message  # the alternative for plain pytrees


def test_no_arguments_is_the_same_error():
    with pytest.raises(TypeError, match="got nothing as its positional argument 0"):
        px.grad(lambda: 0.0)()


def test_integer_parameter_is_refused_with_its_field_name():
    class WithIndex(px.Module):
        w: Float[Array, " n"]
        idx: jax.Array

    model = WithIndex(jnp.ones(3), jnp.arange(3))
    with pytest.raises(TypeError, match=r"WithIndex\.idx.*int32.*px\.state\(\)"):
        px.grad(lambda m: jnp.sum(m.w))(model)
    grads = px.grad(lambda m: jnp.sum(m.w), allow_int=True)(model)
    assert grads.w.shape == (3,)


# --- several modules as the first argument --------------------------------------------------


def two_model_loss(models, x, y):
    actor, critic = (
        models if isinstance(models, tuple) else (models["actor"], models["critic"])
    )
    actor, out = px.purecall(actor, x)
    return jnp.mean((out - y) ** 2) + jnp.mean(critic(x) ** 2)


@pytest.mark.parametrize(
    "pack",
    [lambda a, c: (a, c), lambda a, c: {"actor": a, "critic": c}],
    ids=["tuple", "dict"],
)
def test_grad_with_respect_to_a_tuple_or_dict_of_modules(pack, model, getkey):
    critic = Linear(jax.random.normal(getkey(), (3, 2)), jnp.zeros(2))
    grads = px.grad(two_model_loss)(pack(model, critic), X, Y)
    g_actor, g_critic = (
        grads if isinstance(grads, tuple) else (grads["actor"], grads["critic"])
    )
    assert type(g_actor) is Normalised and type(g_critic) is Linear
    assert g_actor.mean is None and g_actor.steps is None  # state held fixed
    expected_actor = px.grad(loss)(model, X, Y)
    expected_critic = px.grad(lambda c, x: jnp.mean(c(x) ** 2))(critic, X)
    np.testing.assert_allclose(
        g_actor.linear.weight, expected_actor.linear.weight, rtol=1e-6
    )
    np.testing.assert_allclose(g_critic.weight, expected_critic.weight, rtol=1e-6)


def test_value_and_grad_of_a_model_and_an_array(model):
    def loss_with_temperature(pair, x, y):
        m, log_t = pair
        return loss(m, x, y) * jnp.exp(log_t)

    value, (g_model, g_t) = px.value_and_grad(loss_with_temperature)(
        (model, jnp.array(0.0)), X, Y
    )
    np.testing.assert_allclose(g_t, value, rtol=1e-6)  # d/dt of loss * e^t at t = 0
    assert type(g_model) is Normalised
