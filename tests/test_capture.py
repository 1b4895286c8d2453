"""`px.capture`: a call's output and the selected modules' outputs, keyed by path (issue 26 item 4)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purepax as px
from purepax import nn


class Block(px.Module):
    up: nn.Linear
    down: nn.Linear

    def __call__(self, x):
        return x + self.down(jax.nn.relu(self.up(x)))


class Model(px.Module):
    embed: nn.Linear
    blocks: px.Stacked[Block]
    head: nn.Linear

    def __call__(self, x):
        return self.head(self.blocks(self.embed(x)))


def make_block(key):
    a, b = jax.random.split(key)
    return Block(nn.Linear(4, 8, key=a), nn.Linear(8, 4, key=b))


@pytest.fixture(scope="module")
def model():
    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    return Model(
        nn.Linear(2, 4, key=k1),
        px.stack(make_block, jax.random.split(k2, 3)),
        nn.Linear(4, 1, key=k3),
    )


X = jax.random.normal(jax.random.key(1), (5, 2))


def by_hand(model, x):
    """The same computation written out, block by block."""
    h = model.embed(x)
    ups = []
    for block in model.blocks:
        ups.append(block.up(h))
        h = block(h)
    return model.head(h), {"embed": model.embed(x), "ups": jnp.stack(ups), "last": h}


def test_the_selected_outputs_equal_the_computation_by_hand_stacked_per_block(model):
    out, acts = px.capture(model, "*up")(X)
    expected, hand = by_hand(model, X)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    assert list(acts) == ["blocks.layers.up"]
    assert acts["blocks.layers.up"].shape == (3, 5, 8)  # a leading block axis
    np.testing.assert_allclose(
        acts["blocks.layers.up"], hand["ups"], rtol=1e-5, atol=1e-6
    )


def test_keys_are_paths_in_tree_order_and_the_root_and_the_stack_can_be_selected(model):
    out, acts = px.capture(model, lambda path, node: path in ("", "embed", "blocks"))(X)
    assert list(acts) == ["", "embed", "blocks"]
    np.testing.assert_array_equal(acts[""], out)
    _, hand = by_hand(model, X)
    np.testing.assert_allclose(acts["embed"], hand["embed"], rtol=1e-6)
    np.testing.assert_allclose(acts["blocks"], hand["last"], rtol=1e-5)
    _, by_type = px.capture(model, nn.Linear)(X)
    assert list(by_type) == ["embed", "blocks.layers.up", "blocks.layers.down", "head"]


def test_capture_works_under_jit_and_grad_and_changes_nothing(model):
    before = jax.tree.leaves(model)

    @px.jit
    def forward(m, x):
        return px.capture(m, "embed")(x)

    out, acts = forward(model, X)
    np.testing.assert_allclose(acts["embed"], model.embed(X), rtol=1e-6)

    def loss(m, x):
        out, acts = px.capture(m, "blocks.layers.up")(x)
        return jnp.sum(out) + 0.1 * jnp.sum(acts["blocks.layers.up"] ** 2), acts

    grads, acts = px.jit(px.grad(loss, has_aux=True))(model, X)
    hand = px.grad(
        lambda m, x: (
            jnp.sum(by_hand(m, x)[0]) + 0.1 * jnp.sum(by_hand(m, x)[1]["ups"] ** 2)
        )
    )(model, X)
    for a, b in zip(jax.tree.leaves(grads), jax.tree.leaves(hand)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert all(a is b for a, b in zip(before, jax.tree.leaves(model)))
    assert not any("capture" in key for key in vars(model))


def test_a_function_of_the_model_and_a_mutating_call_through_purecall(getkey):
    class Noisy(px.Module):
        lin: nn.Linear
        drop: nn.Dropout

        def __call__(self, x):
            return self.drop(self.lin(x))

    model = Noisy(nn.Linear(2, 3, key=getkey()), nn.Dropout(0.5, key=getkey()))
    (new, out), acts = px.capture(px.purecall, (nn.Linear, nn.Dropout))(model, X)
    np.testing.assert_array_equal(acts["drop"], out)
    np.testing.assert_allclose(acts["lin"], model.lin(X), rtol=1e-6)
    assert not np.array_equal(new.drop.key, model.drop.key)  # the update is returned
    with pytest.raises(px.ImmutableModuleError):
        px.capture(model, nn.Dropout)(X)  # a direct call cannot change the model


def test_a_module_called_twice_gives_a_tuple_of_its_outputs(getkey):
    class Twice(px.Module):
        lin: nn.Linear

        def __call__(self, x):
            return self.lin(self.lin(x))

    model = Twice(nn.Linear(2, 2, key=getkey()))
    out, acts = px.capture(model, "lin")(X)
    first, second = acts["lin"]
    np.testing.assert_allclose(first, model.lin(X), rtol=1e-6)
    np.testing.assert_array_equal(second, out)


def test_a_subclass_calling_super_is_recorded_once(getkey):
    layer = nn.LoRALinear(2, 2, rank=1, key=getkey())
    _, plain = px.capture(nn.Linear(2, 2, key=getkey()), nn.Linear)(X)  # wraps Linear
    out, acts = px.capture(layer, nn.Linear)(X)
    assert list(plain) == [""] and list(acts) == [""]
    np.testing.assert_array_equal(acts[""], out)


def test_a_module_called_inside_a_transformation_it_began_is_refused(getkey):
    class Mapped(px.Module):
        lin: nn.Linear

        def __call__(self, x):
            return jax.vmap(self.lin)(x)

    with pytest.raises(px.ArgumentError, match="inside a JAX transformation"):
        px.capture(Mapped(nn.Linear(2, 2, key=getkey())), "lin")(X)
    out, acts = px.capture(Mapped(nn.Linear(2, 2, key=getkey())), "")(X)
    np.testing.assert_array_equal(acts[""], out)  # the module that runs it is fine


def test_capture_refuses_what_it_cannot_capture(model):
    with pytest.raises(
        px.ArgumentError, match="first argument of the call must be the model"
    ):
        px.capture(lambda x: x, nn.Linear)(X)
    with pytest.raises(px.ArgumentError, match="selects by a type"):
        px.capture(model, 3)


def test_a_transform_of_a_capture_that_holds_the_model_is_refused(model):
    with pytest.raises(px.ClosureCaptureError, match="captures a Model module"):
        px.jit(px.capture(model, nn.Linear))
    forward = px.jit(px.capture(lambda m, x: m(x), "head"))  # the model as an argument
    out, acts = forward(model, X)
    np.testing.assert_array_equal(acts["head"], out)
