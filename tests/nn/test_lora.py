"""LoRA: `nn.LoRALinear`, `nn.lora`, `nn.merge_lora`, `nn.lora_trainable` (issue 26 item 3)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Attention(px.Module):
    q_proj: nn.Linear
    v_proj: nn.Linear

    def __call__(self, x):
        return self.q_proj(x) + self.v_proj(x)


class Block(px.Module):
    attn: Attention
    mlp: nn.Linear

    def __call__(self, x):
        return x + self.mlp(jnp.tanh(self.attn(x)))


class Model(px.Module):
    blocks: px.Stacked[Block]
    head: nn.Linear

    def __call__(self, x):
        return self.head(self.blocks(x))


def make_block(key):
    a, b, c = jax.random.split(key, 3)
    return Block(
        Attention(nn.Linear(4, 4, key=a), nn.Linear(4, 4, key=b)),
        nn.Linear(4, 4, key=c),
    )


@pytest.fixture(scope="module")
def model():
    k1, k2 = jax.random.split(jax.random.key(0))
    return Model(px.stack(make_block, jax.random.split(k1, 2)), nn.Linear(4, 3, key=k2))


def test_same_as_flax_nnx_lora_linear_on_the_same_weights(peers):
    peers.require("flax")
    from flax import nnx

    theirs = nnx.LoRALinear(3, 4, lora_rank=2, rngs=nnx.Rngs(0))
    theirs.lora.lora_b[...] = jax.random.normal(jax.random.key(5), (2, 4))
    ours = px.replace(
        nn.LoRALinear(3, 4, rank=2, key=jax.random.key(1)),
        weight=theirs.kernel[...],
        bias=theirs.bias[...],
        lora_a=theirs.lora.lora_a[...],
        lora_b=theirs.lora.lora_b[...],
    )
    x = jax.random.normal(jax.random.key(2), (5, 3))
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.merge()(x), theirs(x), rtol=1e-5, atol=1e-5)


def test_a_lora_linear_computes_the_formula_and_is_a_linear():
    k = jax.random.key(0)
    layer = nn.LoRALinear(3, 4, rank=2, alpha=8.0, key=k)
    assert isinstance(layer, nn.Linear) and layer.scale == 4.0
    assert layer.lora_a.shape == (3, 2) and not np.any(layer.lora_b)
    layer = px.replace(layer, lora_b=jnp.ones((2, 4)))
    x = jax.random.normal(k, (2, 3))
    expected = x @ layer.weight + layer.bias + 4.0 * (x @ layer.lora_a @ layer.lora_b)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5)
    with pytest.raises(px.ArgumentError, match="rank"):
        nn.LoRALinear(3, 4, rank=0, key=k)


def test_lora_on_selected_layers_changes_nothing_until_trained(model):
    adapted = nn.lora(model, "*attn.*_proj", rank=2, key=jax.random.key(1))
    assert px.select(adapted, nn.LoRALinear) == (
        "blocks.layers.attn.q_proj",
        "blocks.layers.attn.v_proj",
    )
    assert adapted.blocks.layers.attn.q_proj.lora_a.shape == (2, 4, 2)  # per block
    a = adapted.blocks.layers.attn.q_proj.lora_a
    assert not np.allclose(a[0], a[1])  # each block draws its own adapter
    x = jax.random.normal(jax.random.key(2), (3, 4))
    np.testing.assert_allclose(adapted(x), model(x), rtol=1e-6)


def test_lora_refuses_a_selection_that_is_not_plain_linear_layers(model):
    with pytest.raises(px.ArgumentError, match="plain nn.Linear"):
        nn.lora(model, Block, rank=2, key=jax.random.key(1))
    with pytest.raises(px.ArgumentError, match="picks no nn.Linear"):
        nn.lora(model, "nothing", rank=2, key=jax.random.key(1))


def test_training_only_the_adapters_then_merging_gives_the_same_function(model):
    adapted = nn.lora(model, "*attn.*_proj", rank=2, key=jax.random.key(1))
    opt = Optimizer(optax.sgd(0.1), adapted, trainable=nn.lora_trainable)
    x = jax.random.normal(jax.random.key(2), (3, 4))

    @px.jit
    def step(m, opt, x):
        grads = px.grad(lambda m: jnp.mean((m(x) - 1.0) ** 2))(m)
        return opt.apply_gradients(m, grads)

    trained, opt = step(adapted, opt, x)
    trained, opt = step(trained, opt, x)
    changed = [
        path
        for path in px.select(adapted, lambda p, node: isinstance(node, jax.Array))
        if not np.array_equal(px.get(adapted, path), px.get(trained, path))
    ]
    assert changed and all(p.endswith(("lora_a", "lora_b")) for p in changed)
    merged = nn.merge_lora(trained)
    assert px.select(merged, nn.LoRALinear) == ()
    assert type(merged.blocks.layers.attn.q_proj) is nn.Linear
    assert jax.tree.structure(merged) == jax.tree.structure(model)
    np.testing.assert_allclose(merged(x), trained(x), rtol=1e-5, atol=1e-6)
    assert not np.allclose(merged(x), model(x))


def test_lora_trainable_picks_only_adapter_parameters():
    assert nn.lora_trainable("blocks.layers.attn.q_proj.lora_a", None)
    assert nn.lora_trainable("lora_b", None)
    assert not nn.lora_trainable("blocks.layers.attn.q_proj.weight", None)
