"""Structural properties, checked on random module trees with hypothesis."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import purepax as px

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Node(px.Module):
    """A parameter, value-decided containers of arrays and submodules, and static config."""

    weight: jax.Array
    arrays: tuple
    children: tuple
    named: dict
    tag: int = px.static(default=0)
    label: str = "node"


class Cell(px.StateModule):
    """State by default, one explicit parameter, submodules in a tuple."""

    value: jax.Array
    children: tuple
    scale: jax.Array = px.param(default_factory=lambda: jnp.ones(()))
    tag: int = px.static(default=0)


def _is_module(x):
    return isinstance(x, px.Module)


def _walk(module):
    """Every module in `module`'s tree, parents first (depth-first)."""
    out = [module]
    items = list(module.children) + list(getattr(module, "named", {}).values())
    for child in items:
        if _is_module(child):
            out.extend(_walk(child))
    return out


shapes = st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=3).map(
    tuple
)
dtypes = st.sampled_from([np.float32, np.int32, np.bool_])


@st.composite
def arrays(draw):
    shape = draw(shapes)
    dtype = draw(dtypes)
    size = int(np.prod(shape, dtype=np.int64))
    values = draw(st.lists(st.integers(-100, 100), min_size=size, max_size=size))
    return jnp.asarray(np.asarray(values).reshape(shape).astype(dtype))


def nodes(max_depth: int):
    @st.composite
    def build(draw, depth):
        children = ()
        named = {}
        if depth < max_depth:
            children = tuple(draw(st.lists(build(depth + 1), max_size=2)))
            if draw(st.booleans()):
                named = {"sub": draw(build(depth + 1))}
        return Node(
            weight=draw(arrays()),
            # Arrays mixed with static items (kept in the tree structure) and None.
            arrays=tuple(
                draw(
                    st.lists(
                        st.one_of(arrays(), st.sampled_from(["relu", 3, None])),
                        max_size=4,
                    )
                )
            ),
            children=children,
            # A dict field with no array or module would be static, and dicts cannot be.
            named=named or {"w": draw(arrays())},
            tag=draw(st.integers(0, 5)),
            label=draw(st.sampled_from(["a", "b", "node"])),
        )

    return build(0)


def cells(max_depth: int):
    @st.composite
    def build(draw, depth):
        children = ()
        if depth < max_depth:
            children = tuple(draw(st.lists(build(depth + 1), max_size=3)))
        return Cell(
            value=jnp.asarray(
                np.float32(draw(st.integers(-10, 10))) * jnp.ones(draw(shapes))
            ),
            children=children,
            tag=draw(st.integers(0, 3)),
        )

    return build(0)


def _assert_same_leaves(a, b, *, identical):
    leaves_a, leaves_b = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    assert len(leaves_a) == len(leaves_b)
    for x, y in zip(leaves_a, leaves_b):
        if identical:
            assert x is y
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


# --- flatten / unflatten -----------------------------------------------------------------


@SETTINGS
@given(nodes(max_depth=3))
def test_flatten_unflatten_round_trip(tree):
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(rebuilt) is Node
    assert jax.tree_util.tree_structure(rebuilt) == treedef
    _assert_same_leaves(tree, rebuilt, identical=True)
    for old, new in zip(_walk(tree), _walk(rebuilt)):
        assert type(old) is type(new)
        assert old.tag == new.tag and old.label == new.label
    with pytest.raises(px.ImmutableModuleError):
        rebuilt.tag = 1


@SETTINGS
@given(nodes(max_depth=3))
def test_key_paths_match_leaves(tree):
    with_path, treedef = jax.tree_util.tree_flatten_with_path(tree)
    leaves = jax.tree_util.tree_leaves(tree)
    assert [leaf for _, leaf in with_path] == leaves
    assert treedef == jax.tree_util.tree_structure(tree)
    for path, leaf in with_path:
        # Follow the key path by attribute / item access: it leads to the same leaf.
        node = tree
        for key in path:
            if isinstance(key, jax.tree_util.GetAttrKey):
                node = getattr(node, key.name)
            elif isinstance(key, jax.tree_util.SequenceKey):
                node = node[key.idx]
            else:
                node = node[key.key]
        assert node is leaf


@SETTINGS
@given(nodes(max_depth=2))
def test_tree_map_round_trip(tree):
    mapped = jax.tree.map(lambda x: x, tree)
    assert jax.tree_util.tree_structure(mapped) == jax.tree_util.tree_structure(tree)
    _assert_same_leaves(tree, mapped, identical=True)
    # Static values are shared with the original, not copied.
    for old, new in zip(_walk(tree), _walk(mapped)):
        assert new.label is old.label


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes(max_depth=2))
def test_jit_round_trip(tree):
    out = jax.jit(lambda t: t)(tree)
    assert jax.tree_util.tree_structure(out) == jax.tree_util.tree_structure(tree)
    _assert_same_leaves(tree, out, identical=False)


# --- pure never changes its inputs -------------------------------------------------------


@SETTINGS
@given(cells(max_depth=3), st.data())
def test_pure_never_changes_inputs(tree, data):
    before_leaves = jax.tree_util.tree_leaves(tree)
    before_values = [np.asarray(x).copy() for x in before_leaves]
    before_treedef = jax.tree_util.tree_structure(tree)
    n_modules = len(_walk(tree))
    edits = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, n_modules - 1),
                st.sampled_from(["value", "scale", "tag", "drop_children"]),
                st.integers(1, 5),
            ),
            max_size=6,
        )
    )

    @px.pure
    def mutate(t):
        modules = _walk(t)
        for index, what, amount in edits:
            m = modules[index]
            if what == "value":
                m.value = m.value + amount
            elif what == "scale":
                m.scale = m.scale * amount
            elif what == "tag":
                m.tag = amount
            else:
                m.children = ()
        return t

    out = mutate(tree)

    # The inputs: same structure, the very same leaf objects, the same values.
    assert jax.tree_util.tree_structure(tree) == before_treedef
    after_leaves = jax.tree_util.tree_leaves(tree)
    assert len(after_leaves) == len(before_leaves)
    for old, new, value in zip(before_leaves, after_leaves, before_values):
        assert old is new
        np.testing.assert_array_equal(new, value)
    # ... and still immutable.
    with pytest.raises(px.ImmutableModuleError):
        tree.tag = 99
    # The output is a different tree (when edited) and immutable too.
    if edits:
        assert out is not tree
    with pytest.raises(px.ImmutableModuleError):
        out.tag = 99


@SETTINGS
@given(cells(max_depth=2), st.integers(1, 4))
def test_purecall_output_reflects_mutation(tree, amount):
    def bump(t):
        for m in _walk(t):
            m.value = m.value + amount
        return t

    new = px.pure(bump)(tree)
    for old, updated in zip(_walk(tree), _walk(new)):
        np.testing.assert_array_equal(updated.value, old.value + amount)
        assert updated.tag == old.tag


@SETTINGS
@given(cells(max_depth=2))
def test_parameters_round_trip(tree):
    params = px.parameters(tree)
    assert len(jax.tree_util.tree_leaves(params)) == len(
        _walk(tree)
    )  # one `scale` per cell
    same = px.update_parameters(tree, params)
    assert jax.tree_util.tree_structure(same) == jax.tree_util.tree_structure(tree)
    _assert_same_leaves(tree, same, identical=True)
