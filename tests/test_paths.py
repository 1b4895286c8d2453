"""Path-based surgery: `px.get`, `px.set`, `px.select`, `px.map_selected` (issue 26 item 1)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Linear

import purepax as px
from purepax import nn


class Attention(px.Module):
    """A stand-in with the projections' names (cheaper to build than nn.MultiHeadAttention)."""

    q_proj: nn.Linear
    k_proj: nn.Linear

    def __call__(self, x):
        return self.q_proj(x) * self.k_proj(x)


class Block(px.Module):
    attn: Attention
    mlp: nn.Linear

    def __call__(self, x):
        return x + self.mlp(self.attn(x))


class Model(px.Module):
    embed: nn.Linear
    blocks: px.Stacked[Block]
    heads: tuple[nn.Linear, ...]
    named: dict[str, Linear]

    def __call__(self, x):
        return self.heads[0](self.blocks(self.embed(x)))


def make_block(key):
    a, b, c = jax.random.split(key, 3)
    return Block(
        Attention(nn.Linear(8, 8, key=a), nn.Linear(8, 8, key=b)),
        nn.Linear(8, 8, key=c),
    )


@pytest.fixture(scope="module")
def model():
    key = jax.random.key(0)
    k1, k2, k3 = jax.random.split(key, 3)
    return Model(
        nn.Linear(4, 8, key=k1),
        px.stack(make_block, jax.random.split(k2, 3)),
        (nn.Linear(8, 2, key=k3),),
        {"extra": Linear(jnp.ones((2, 2)), jnp.zeros(2))},
    )


def test_get_reads_fields_items_dict_keys_and_stacked_blocks_by_the_summary_paths(
    model,
):
    assert px.get(model, "") is model
    assert px.get(model, "embed.weight") is model.embed.weight
    assert px.get(model, "heads[0]") is model.heads[0]
    assert px.get(model, "heads[-1].bias") is model.heads[0].bias
    assert px.get(model, "named['extra']") is model.named["extra"]
    assert px.get(model, "embed.in_features") == 4  # a static field
    block = px.get(model, "blocks[1].attn.q_proj.weight")
    np.testing.assert_array_equal(block, model.blocks.layers.attn.q_proj.weight[1])
    assert px.get(model, "blocks.layers.attn.q_proj.weight").shape == (3, 8, 8)
    assert "embed" in px.summary(model) and "heads[0]" in px.summary(model)


def test_get_with_a_type_returns_that_type_or_refuses(model):
    linear: nn.Linear = px.get(model, "blocks[2].mlp", nn.Linear)
    assert linear.weight.shape == (8, 8)
    with pytest.raises(px.ArgumentError, match="is a Linear, not a LayerNorm"):
        px.get(model, "embed", nn.LayerNorm)


@pytest.mark.parametrize(
    ("path", "nearest"),
    [
        ("embed.wieght", "embed.weight"),
        ("blocks[1].atn.q_proj", "blocks[1].attn.q_proj"),
        ("head[0]", "heads[0]"),
        ("named['extar']", "named['extra']"),
    ],
)
def test_a_path_that_does_not_exist_names_the_nearest_that_does(model, path, nearest):
    with pytest.raises(px.ArgumentError, match="nearest path that exists") as info:
        px.get(model, path)
    assert repr(nearest) in str(info.value)
    with pytest.raises(px.ArgumentError, match=repr(nearest).replace("[", r"\[")):
        px.set(model, path, 0)


def test_a_string_that_is_no_path_is_refused():
    with pytest.raises(px.ArgumentError, match="is not a path"):
        px.get(nn.Linear(2, 2, key=jax.random.key(0)), "weight..bias")


def test_set_returns_a_new_model_and_leaves_the_old_one_unchanged(model):
    new = px.set(model, "heads[0].bias", jnp.ones(2))
    np.testing.assert_array_equal(new.heads[0].bias, jnp.ones(2))
    np.testing.assert_array_equal(model.heads[0].bias, jnp.zeros(2))
    assert new.embed is model.embed  # untouched subtrees are shared
    assert type(new.heads) is tuple and new.heads[0].weight is model.heads[0].weight
    again = px.set(model, "named['extra'].bias", jnp.ones(2))
    np.testing.assert_array_equal(again.named["extra"].bias, jnp.ones(2))


def test_set_into_a_stacked_block_updates_only_that_blocks_slice(model):
    new = px.set(model, "blocks[1].mlp.bias", jnp.full(8, 5.0))
    bias = new.blocks.layers.mlp.bias
    np.testing.assert_array_equal(bias[1], jnp.full(8, 5.0))
    np.testing.assert_array_equal(bias[0], model.blocks.layers.mlp.bias[0])
    np.testing.assert_array_equal(bias[2], model.blocks.layers.mlp.bias[2])


def test_set_below_a_stacks_layers_takes_one_value_per_block(model):
    new = px.set(model, "blocks.layers.mlp.bias", jnp.ones((3, 8)))
    np.testing.assert_array_equal(new.blocks.layers.mlp.bias, jnp.ones((3, 8)))
    with pytest.raises(px.FieldError, match=r"has shape \(3, 8\)"):
        px.set(model, "blocks.layers.mlp.bias", jnp.ones(8))
    with pytest.raises(px.ArgumentError, match="one value per block"):
        px.set(model, "blocks.layers.mlp", nn.Linear(8, 8, key=jax.random.key(1)))


def test_set_a_whole_submodule_swaps_a_head(model):
    head = nn.Linear(8, 5, key=jax.random.key(1))
    new = px.set(model, "heads[0]", head)
    assert new(jnp.ones((1, 3, 4))).shape == (1, 3, 5)


def test_writes_are_checked_as_at_construction(model):
    with pytest.raises(px.FieldError):
        px.set(model, "embed", jnp.ones(3))  # an array where a Linear is declared
    with pytest.raises(px.FieldError, match="keeps its shape"):
        px.set(model, "embed.weight", jnp.ones((3, 8)))
    with pytest.raises(Exception, match="bias"):
        px.set(model, "embed.bias", "zero")
    with pytest.raises(px.FieldError, match="share one structure"):
        px.set(model, "blocks[0].mlp.bias", None)  # one block unlike the others


def test_select_by_type_glob_and_predicate_in_tree_order(model):
    assert px.select(model, nn.Linear) == (
        "embed",
        "blocks.layers.attn.q_proj",
        "blocks.layers.attn.k_proj",
        "blocks.layers.mlp",
        "heads[0]",
    )
    assert px.select(model, "blocks.*.q_proj*") == (
        "blocks.layers.attn.q_proj",
        "blocks.layers.attn.q_proj.weight",
        "blocks.layers.attn.q_proj.bias",
    )
    big = px.select(model, lambda path, node: getattr(node, "size", 0) >= 192)
    assert big == tuple(
        f"blocks.layers.{p}.weight" for p in ("attn.q_proj", "attn.k_proj", "mlp")
    )
    assert px.select(model, (Attention, Linear)) == (
        "blocks.layers.attn",
        "named['extra']",
    )
    for path in px.select(model, lambda path, node: True):
        px.get(model, path)  # every selected path reads back
    with pytest.raises(px.ArgumentError, match="selects by a type"):
        px.select(model, 3)


def test_map_selected_applies_per_block_inside_a_stack(model):
    zeroed = px.map_selected(model, "*.bias", jnp.zeros_like)
    for path in px.select(zeroed, "*.bias"):
        assert not np.any(px.get(zeroed, path))
    shapes = []
    px.map_selected(
        model, "blocks.layers.mlp", lambda lin: shapes.append(lin.weight.shape) or lin
    )
    assert shapes == [(8, 8)]  # one block's shapes, under jax.vmap
    assert px.map_selected(model, nn.LayerNorm, lambda n: n) is model


def test_surgery_matches_the_same_computation_by_hand_as_eqx_tree_at():
    layer = nn.Linear(3, 2, key=jax.random.key(0))
    seq = nn.Sequential(layer, jax.nn.relu, nn.Linear(2, 2, key=jax.random.key(1)))
    w = jnp.arange(6.0).reshape(3, 2)
    new = px.set(seq, "layers[0].weight", w)
    x = jnp.ones((4, 3))
    expected = seq.layers[2](jax.nn.relu(x @ w + layer.bias))
    np.testing.assert_allclose(new(x), expected, rtol=1e-6)


def test_set_works_under_jit_and_grad(model):
    @px.jit
    def shifted(m, b):
        return px.set(m, "blocks[2].mlp.bias", b)

    new = shifted(model, jnp.ones(8))
    np.testing.assert_array_equal(new.blocks.layers.mlp.bias[2], jnp.ones(8))
    grad = px.grad(lambda m: px.get(m, "heads[0].bias").sum())(model)
    np.testing.assert_array_equal(grad.heads[0].bias, jnp.ones(2))
