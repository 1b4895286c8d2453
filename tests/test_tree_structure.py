"""A module's tree structure is fixed when it is built: it does not depend on leaf values.

Mapping a module to other leaves (bools for an optax mask, `None`, `ShapeDtypeStruct`s
for `jax.eval_shape`, `PartitionSpec`s for sharding) keeps its structure, as it does for
JAX's own dicts and dataclasses.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from hypothesis import given
from hypothesis import strategies as st
from jax.sharding import PartitionSpec
from test_properties import SETTINGS, nodes

import purepax as px


def _none_leaf(x: object) -> bool:
    return x is None


MAPPINGS = {
    "bool": lambda x: True,
    "none": lambda x: None,
    "shape": lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype),
    "partition_spec": lambda x: PartitionSpec(),
}


@SETTINGS
@given(nodes(max_depth=2), st.sampled_from(sorted(MAPPINGS)))
def test_tree_map_to_other_leaves_keeps_structure(tree, kind):
    structure = jax.tree.structure(tree)
    mapped = jax.tree.map(MAPPINGS[kind], tree)
    if kind != "none":
        assert jax.tree.structure(mapped) == structure
    # `None` is an empty subtree to JAX: compare with None as a leaf, as JAX users do.
    with_none = jax.tree.structure(tree, is_leaf=_none_leaf)
    assert jax.tree.structure(mapped, is_leaf=_none_leaf) == with_none
    # ... and back: a tree of the original's structure, mapped over both at once.
    back = jax.tree.map(lambda spec, x: x, mapped, tree, is_leaf=_none_leaf)
    assert jax.tree.structure(back) == structure
    for x, y in zip(jax.tree.leaves(back), jax.tree.leaves(tree)):
        assert x is y


@SETTINGS
@given(nodes(max_depth=2))
def test_eval_shape_keeps_structure(tree):
    shapes = jax.eval_shape(lambda t: t, tree)
    assert jax.tree.structure(shapes) == jax.tree.structure(tree)


class BatchStatsNet(px.Module):
    """A Flax-style model: parameters, and running statistics in a plain dict of state."""

    weight: jax.Array
    batch_stats: dict = px.state()

    def __call__(self, x):
        return (x - self.batch_stats["mean"]) @ self.weight


def test_value_and_grad_on_a_dict_of_state():
    model = BatchStatsNet(
        jnp.ones((3, 2)), {"mean": jnp.zeros(3), "count": jnp.array(0)}
    )
    loss, grads = px.value_and_grad(lambda m, x: jnp.sum(m(x)))(model, jnp.ones((4, 3)))
    assert float(loss) == 24.0
    np.testing.assert_array_equal(grads.weight, 4 * jnp.ones((3, 2)))
    assert grads.batch_stats["mean"] is None and grads.batch_stats["count"] is None


class Tables(px.Module):
    embeddings: dict[str, jax.Array]
    head: jax.Array


def test_optax_mask_over_a_dict_of_tables():
    model = Tables(
        {"user": jnp.ones((5, 2)), "item": jnp.ones((7, 2))}, jnp.ones((2, 2))
    )
    mask = jax.tree_util.tree_map_with_path(
        lambda path, _: "embeddings" not in jax.tree_util.keystr(path), model
    )
    grads = jax.tree.map(jnp.ones_like, model)
    # optax.masked passes the masked-out updates through; the head gets sgd's -lr * g.
    tx = optax.masked(optax.sgd(0.5), mask)
    updates, _ = tx.update(grads, tx.init(model), model)
    np.testing.assert_array_equal(updates.head, -0.5 * jnp.ones((2, 2)))
    np.testing.assert_array_equal(updates.embeddings["item"], jnp.ones((7, 2)))
    # Freezing the tables, the usual way: labels built the same way.
    labels = jax.tree.map(lambda trained: "train" if trained else "freeze", mask)
    tx = optax.multi_transform(
        {"train": optax.sgd(1.0), "freeze": optax.set_to_zero()}, labels
    )
    updates, _ = tx.update(grads, tx.init(model), model)
    new = optax.apply_updates(model, updates)
    np.testing.assert_array_equal(new.embeddings["user"], model.embeddings["user"])
    np.testing.assert_array_equal(new.head, jnp.zeros((2, 2)))


def test_a_rebuilt_dict_keeps_which_items_are_static():
    model = BatchStatsNet(
        jnp.ones((3, 2)), {"mean": jnp.zeros(3), "count": jnp.array(0)}
    )
    nothing = jax.tree.map(lambda x: None, model)
    # Replacing a field of the mapped copy freezes it again: the decision is kept.
    again = px.replace(nothing, weight=jnp.ones((3, 2)))
    assert jax.tree.structure(again, is_leaf=_none_leaf) == jax.tree.structure(model)
