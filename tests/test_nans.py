"""`px.check_finite`: the first NaN or infinity, forward or backward, named by module path."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxtyping import Array, Float

import purepax as px
from purepax import nn


class Linear(px.Module):
    weight: Float[Array, "i o"]

    def __call__(self, x):
        return x @ self.weight


def linear(seed, d_out=3):
    """A layer with fixed weights: numpy builds it at once, where `nn.Linear`'s random init
    would compile for each shape."""
    return Linear(
        jnp.asarray(np.random.default_rng(seed).normal(size=(3, d_out)), jnp.float32)
    )


@jax.custom_vjp
def nan_gradient(x):
    """The identity, whose backward pass makes a NaN (as `eqx.debug.backward_nan` finds)."""
    return x


nan_gradient.defvjp(lambda x: (x, None), lambda _, g: (g * jnp.nan,))


class Scale(px.Module):
    """`x + x * sqrt(w)`: finite forward at `w = 0`, infinite gradient of `w` there."""

    w: Float[Array, " d"]

    def __call__(self, x):
        return x + x * jnp.sqrt(self.w)


class Block(px.Module):
    """A residual block; `plant` makes a NaN in its `forward` or its `backward`."""

    linear: Linear
    scale: Scale
    plant: str = px.static(default="")

    def __call__(self, x):
        y = jnp.tanh(self.linear(x))
        if self.plant == "forward":
            y = jnp.log(y - 2.0)
        if self.plant == "backward":
            y = nan_gradient(y)
        return x + self.scale(y)


class Deep(px.Module):
    embed: Linear
    blocks: px.Stacked[Block]
    head: Linear

    def __call__(self, x):
        return self.head(self.blocks(self.embed(x)))


class Chain(px.Module):
    layers: list[Block]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def block(seed, plant="", w=1.0):
    return Block(linear(seed), Scale(jnp.full((3,), w)), plant=plant)


def deep(at=2, w=1.0, nan_weight=False):
    """Four blocks in a `px.Stacked`; block `at` has `scale.w = w` (`w` elsewhere 1), and a
    NaN in its `linear.weight` if `nan_weight`."""
    blocks = [block(i, w=w if i == at else 1.0) for i in range(4)]
    if nan_weight:
        weight = blocks[at].linear.weight.at[0, 0].set(jnp.nan)
        blocks[at] = px.replace(blocks[at], linear=Linear(weight))
    return Deep(linear(4), px.stack(blocks), linear(5, d_out=1))


def loss(model, x):
    return jnp.mean(model(x) ** 2)


step = px.jit(px.value_and_grad(loss))
evaluate = px.jit(loss)
x = jnp.ones((2, 3))


def _differentiated_scans_keep_forward_callbacks() -> bool:
    """Whether JAX keeps a `jax.debug.callback` in the forward pass of a differentiated
    `lax.scan` (JAX 0.4.36 drops it, so a forward report inside a `px.Stacked` under
    `px.grad` comes at the stack's output there)."""
    seen = []

    def body(c, _):
        jax.debug.callback(lambda c: seen.append(True), c, ordered=True)
        return c * 2.0, None

    jax.jit(jax.grad(lambda c: jax.lax.scan(body, c, None, length=1)[0]))(1.0)
    jax.effects_barrier()
    return bool(seen)


forward_callbacks_in_grad_of_scan = pytest.mark.skipif(
    not _differentiated_scans_keep_forward_callbacks(),
    reason="this JAX drops debug callbacks from the forward pass of a differentiated scan",
)


@forward_callbacks_in_grad_of_scan
def test_a_nan_made_in_the_forward_of_a_stacked_block_names_the_block_and_the_step() -> (
    None
):
    with pytest.raises(px.NonFiniteError) as info:
        with px.check_finite(step=1204):
            step(deep(at=2, w=-1.0), x)  # sqrt(-1)
    message = str(info.value)
    assert message.startswith(
        "forward of blocks[2].scale: its output holds nan (step 1,204): 6 of 6 values."
    ), message


def test_a_parameter_already_nan_is_named_by_its_field_before_any_output() -> None:
    model = deep(at=1, nan_weight=True)
    with pytest.raises(
        px.NonFiniteError,
        match=r"^forward of blocks\[1\]\.linear: weight holds nan: 1 of 9 values\.",
    ):
        with px.check_finite():
            evaluate(model, x)


def test_an_infinite_gradient_of_a_parameter_names_the_block_and_the_field() -> None:
    with pytest.raises(px.NonFiniteError) as info:
        with px.check_finite():
            step(deep(at=3, w=0.0), x)  # finite forward: sqrt(0) = 0
    assert str(info.value).startswith(
        "backward of blocks[3].scale: the gradient of w holds inf"
    ), str(info.value)


def test_a_nan_made_in_the_backward_names_the_module_nearest_the_loss() -> None:
    # Blocks 1 and 3 both make a NaN gradient: the backward pass meets block 3's first.
    chain = Chain([block(i, "backward" if i in (1, 3) else "") for i in range(5)])
    checked = px.check_finite(px.jit(px.grad(loss)))
    with pytest.raises(px.NonFiniteError) as info:
        checked(chain, x)
    assert str(info.value).startswith(
        "backward of layers[3]: the gradient of the output of layers[3].linear holds nan"
    ), str(info.value)


def test_the_first_non_finite_value_computed_is_reported_not_a_later_one() -> None:
    # NaN data makes every value after it NaN: the report is the model's input.
    with pytest.raises(
        px.NonFiniteError,
        match=r"^forward of Deep: its input x holds nan: 1 of 6 values\.",
    ):
        with px.check_finite():
            step(deep(), x.at[0, 1].set(jnp.nan))


def test_a_checked_function_numbers_its_calls_as_steps_and_returns_its_result() -> None:
    checked = px.check_finite(step)
    loss_value, grads = checked(deep(), x)
    expected_loss, expected_grads = step(deep(), x)
    assert loss_value == expected_loss
    assert jnp.array_equal(grads.head.weight, expected_grads.head.weight)
    with pytest.raises(
        px.NonFiniteError,
        match=r"^forward of Deep: its input x holds nan \(step 2\): ",
    ):
        checked(deep(), x.at[1, 1].set(jnp.nan))


def test_a_step_compiled_before_the_check_is_checked_under_it_and_unchanged_after() -> (
    None
):
    bad = deep(at=1, w=0.0)
    step(bad, x)  # compiled without checks: nothing raised
    original = Block.__dict__["__call__"]
    with pytest.raises(px.NonFiniteError, match=r"^backward of blocks\[1\]\.scale"):
        with px.check_finite():
            step(bad, x)
    assert Block.__dict__["__call__"] is original
    _, grads = step(bad, x)  # the unchecked trace again
    assert not jnp.isfinite(grads.blocks.layers.scale.w).all()


def test_a_check_through_px_scan_and_module_state_changes_no_result() -> None:
    class Normed(px.Module):
        linear: Linear
        norm: nn.BatchNorm

        def __call__(self, x):
            return self.norm(self.linear(x))

    def train(model, xs):
        def body(model, x):
            model, y = px.purecall(model, x)
            return model, jnp.mean(y**2)

        return px.scan(body, model, xs)

    model = Normed(linear(6), nn.BatchNorm(3))
    xs = jnp.arange(18.0).reshape(3, 2, 3)
    run = px.jit(train)
    with px.check_finite():
        checked_model, losses = run(model, xs)
    unchecked_model, expected = run(model, xs)
    # The same computation, compiled with the checks beside it.
    assert jnp.allclose(losses, expected, rtol=1e-6)
    assert jnp.allclose(checked_model.norm.mean, unchecked_model.norm.mean, rtol=1e-6)
    with pytest.raises(
        px.NonFiniteError, match=r"^forward of Normed: its input x holds nan"
    ):
        with px.check_finite():
            run(model, xs.at[2, 0, 0].set(jnp.nan))


def test_the_error_is_a_floating_point_error_and_the_arguments_are_checked() -> None:
    assert issubclass(px.NonFiniteError, FloatingPointError)
    with pytest.raises(px.ArgumentError, match="a function or a step, not both"):
        px.check_finite(step, step=3)  # type: ignore[call-overload]
    with pytest.raises(px.ArgumentError, match="decorates a function"):
        px.check_finite()(3)  # type: ignore[arg-type]
