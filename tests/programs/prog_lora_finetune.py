"""Fine-tuning as a user ports it from NNX/Equinox: read and write by path, swap the head,
LoRA on the attention trained alone, activations captured in the jitted step, merge."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class Block(px.Module):
    attn: nn.MultiHeadAttention
    mlp: nn.Linear

    def __call__(self, x: Float[Array, "b t d"]) -> Float[Array, "b t d"]:
        return x + self.mlp(self.attn(x, x, x))


class Model(px.Module):
    blocks: px.Stacked[Block]
    head: nn.Linear

    def __call__(self, x: Float[Array, "b t d"]) -> jax.Array:
        return self.head(self.blocks(x))


def make(key: jax.Array) -> Block:
    k1, k2 = jax.random.split(key)
    return Block(nn.MultiHeadAttention(2, 8, key=k1), nn.Linear(8, 8, key=k2))


def main() -> None:
    k1, k2, k3, k4 = jax.random.split(jax.random.key(0), 4)
    model = Model(px.stack(make, jax.random.split(k1, 2)), nn.Linear(8, 2, key=k2))
    weight: jax.Array = px.get(model, "blocks[1].attn.q_proj.weight")
    layer: nn.Linear = px.get(model, "blocks[1].mlp", nn.Linear)
    paths: tuple[str, ...] = px.select(model, nn.Linear)
    model = px.set(model, "head", nn.Linear(8, 3, key=k3))
    model = px.map_selected(model, "*.bias", jnp.zeros_like)
    adapted: Model = nn.lora(model, "*attn.*_proj", rank=2, key=k4)
    opt = Optimizer(optax.adam(1e-3), adapted, trainable=nn.lora_trainable)

    @px.jit
    def step(m: Model, opt: Optimizer, x: jax.Array) -> tuple[Model, Optimizer]:
        def loss(m: Model) -> tuple[jax.Array, dict[str, object]]:
            out, acts = px.capture(m, nn.LoRALinear)(x)
            return jnp.mean(out**2), acts

        grads, _ = px.grad(loss, has_aux=True)(m)
        return opt.apply_gradients(m, grads)

    x = jax.random.normal(jax.random.key(1), (1, 4, 8))
    before = adapted
    adapted, opt = step(adapted, opt, x)
    adapter = (
        "blocks.layers.attn.q_proj.lora_b"  # q_proj is typed nn.Linear: read by path
    )
    assert not jnp.array_equal(px.get(adapted, adapter), px.get(before, adapter))
    frozen = "blocks.layers.mlp.weight"
    assert jnp.array_equal(px.get(adapted, frozen), px.get(before, frozen))
    merged: Model = nn.merge_lora(adapted)
    assert px.select(merged, nn.LoRALinear) == ()
    assert jnp.allclose(merged(x), adapted(x), atol=1e-5)
    y, acts = px.capture(merged, "blocks.layers.mlp")(x)
    assert acts["blocks.layers.mlp"].shape == (2, 1, 4, 8) and y.shape == (1, 4, 3)
    (merged, y), acts = px.capture(px.purecall, nn.Linear)(merged, x)
    assert list(acts) == list(paths)
    assert weight.shape == (8, 8) and layer.in_features == 8


if __name__ == "__main__":
    main()
