"""jax.eval_shape of a model's construction: shapes without allocating, same tree structure,
parameter counts from the abstract model, and a real model matching it."""

import math

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Block(px.Module):
    w: Float[Array, "d d"]
    b: Float[Array, " d"]

    def __init__(self, d: int, *, key: jax.Array) -> None:
        self.w = jax.random.normal(key, (d, d)) / d**0.5
        self.b = jnp.zeros((d,))


class Model(px.StateModule):
    embed: Float[Array, "v d"] = px.param()
    blocks: tuple[Block, ...] = ()
    norms: dict[str, Float[Array, " d"]] = px.param(default_factory=dict)
    seen: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    name: str = px.static(default="tiny")

    @classmethod
    def make(cls, vocab: int, d: int, depth: int, *, key: jax.Array) -> "Model":
        keys = jax.random.split(key, depth + 1)
        blocks = tuple(Block(d, key=k) for k in keys[1:])
        return cls(jax.random.normal(keys[0], (vocab, d)), blocks, {"final": jnp.ones(d)})


def main() -> None:
    key = jax.random.PRNGKey(0)
    abstract = jax.eval_shape(lambda: Model.make(11, 4, 3, key=key))
    assert isinstance(abstract, Model) and abstract.name == "tiny"
    assert isinstance(abstract.embed, jax.ShapeDtypeStruct) and abstract.embed.shape == (11, 4)
    assert abstract.blocks[2].w.shape == (4, 4) and abstract.norms["final"].shape == (4,)
    assert abstract.seen.dtype == jnp.int32

    real = Model.make(11, 4, 3, key=key)
    assert jax.tree.structure(real) == jax.tree.structure(abstract)  # type: ignore[operator]  # jaxlib types PyTreeDef loosely
    shapes = [(a.shape, a.dtype) for a in jax.tree.leaves(real)]
    assert shapes == [(a.shape, a.dtype) for a in jax.tree.leaves(abstract)]

    n_params = sum(math.prod(a.shape) for a in jax.tree.leaves(px.parameters(abstract)))
    assert n_params == 11 * 4 + 3 * (16 + 4) + 4, n_params

    zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), abstract)
    assert isinstance(zeros, Model) and float(zeros.blocks[0].w.sum()) == 0.0


if __name__ == "__main__":
    main()
