"""Modules in treescope: each field's role and sharding, stacks as blocks, no purepax
containers showing through. That purepax never imports treescope (it stays optional) is
checked in a fresh process, by `tests/multidevice/check_summary.py`."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import pytest
from jaxtyping import Array, Float, Int

import purepax as px
from purepax import nn

treescope = pytest.importorskip("treescope")


class Block(px.Module):
    weight: Float[Array, "i o"] = px.param(sharding=(None, "model"))
    bias: Float[Array, " o"]
    calls: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    activation: str = "tanh"


class Model(px.Module):
    embed: nn.Embedding
    blocks: px.Stacked[Block]
    extra: dict[str, Float[Array, "..."]]
    heads: tuple


@functools.cache  # modules are immutable: the tests share one
def make_model():
    blocks = [Block(jnp.ones((4, 4)), jnp.zeros(4)) for _ in range(3)]
    head = Block(jnp.ones((4, 2)), jnp.zeros(2))
    return Model(
        nn.Embedding(10, 4, key=jax.random.key(0), sharding=(None, "model")),
        px.stack(blocks, remat=jax.checkpoint_policies.nothing_saveable, unroll=3),
        {"temperature": jnp.ones(())},
        (head, jax.nn.relu),
    )


def lines_with(text, start):
    return [
        line.strip() for line in text.splitlines() if line.strip().startswith(start)
    ]


def test_each_field_shows_its_role_and_sharding():
    text = treescope.render_to_text(make_model())
    weights = lines_with(text, "weight=")
    assert len(weights) == 3  # the embedding's, the stacked block's, the head's
    assert all(line.endswith("# param, sharding=(None, 'model')") for line in weights)
    assert all(line.endswith("# param") for line in lines_with(text, "bias="))
    assert all(line.endswith("# state") for line in lines_with(text, "calls="))
    assert lines_with(text, "activation=") == ["activation='tanh',  # static"] * 2
    # A field of arrays with no specifier: the arrays' role; a field of modules: none.
    assert lines_with(text, "extra=")[0].endswith("# param")
    assert lines_with(text, "embed=") == ["embed=Embedding("]


def test_a_stack_shows_its_blocks_and_remat_policy_on_its_first_line():
    text = treescope.render_to_text(make_model())
    assert lines_with(text, "blocks=") == [
        "blocks=Stacked(  # 3 blocks of Block (stacked on a leading axis), "
        "remat=nothing_saveable, unroll=3"
    ]


def test_frozen_containers_show_as_the_dicts_and_tuples_they_were_given_as():
    model = make_model()
    text = treescope.render_to_text(model)
    assert "FrozenDict" not in text and "MixedTuple" not in text
    assert "extra={" in text and "heads=(" in text and "jax.nn.relu" in text
    assert "_purepax" not in text and "training" not in text
    # Round-trip mode names the classes in full and stays Python (comments and all).
    full = treescope.render_to_text(px.eval_mode(model), roundtrip_mode=True)
    assert "purepax._containers" not in full and "training=False" in full


def test_an_abstract_model_renders_as_well():
    text = treescope.render_to_text(jax.eval_shape(make_model))
    assert "ShapeDtypeStruct(shape=(3, 4, 4)" in text and "# state" in text
