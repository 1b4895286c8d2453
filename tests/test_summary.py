"""px.summary: one row per submodule, exact parameter and state counts."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest
from jaxtyping import Array, Float, Int

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]


class Norm(px.Module):
    scale: Float[Array, "n"]
    mean: Float[Array, "n"] = px.state()


class Net(px.Module):
    layers: tuple[Linear, ...]
    norm: Norm
    extra: dict[str, Float[Array, "..."]]
    steps: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    key: jax.Array = px.state(default_factory=lambda: jax.random.key(0))


def make():
    return Net(
        layers=(
            Linear(jnp.ones((3, 5)), jnp.zeros(5)),
            Linear(jnp.ones((5, 2), jnp.bfloat16), jnp.zeros(2)),
        ),
        norm=Norm(jnp.ones(2), jnp.zeros(2)),
        extra={"temperature": jnp.ones(())},
    )


def test_rows_and_counts():
    text = px.summary(make())
    lines = text.splitlines()
    rows = {
        line.split()[0]: line.split()
        for line in lines[2:]
        if line and not line.startswith("-")
    }
    assert [line.split()[0] for line in lines[2:6]] == [
        "(root)",
        "layers[0]",
        "layers[1]",
        "norm",
    ]
    assert rows["(root)"][1] == "Net" and rows["(root)"][-2:] == ["1", "2"]
    assert rows["layers[0]"][1:] == [
        "Linear",
        "weight:f32[3,5]",
        "bias:f32[5]",
        "20",
        "0",
    ]
    assert rows["layers[1]"][1:] == [
        "Linear",
        "weight:bf16[5,2]",
        "bias:f32[2]",
        "12",
        "0",
    ]
    assert rows["norm"][1:] == [
        "Norm",
        "scale:f32[2]",
        "mean:f32[2]",
        "(state)",
        "2",
        "2",
    ]
    assert rows["total"][1:] == ["35", "4"]
    assert (
        "35 parameters" in lines[-1]
        and "4 state values" in lines[-1]
        and "separately" in lines[-1]
    )
    assert "steps:i32[] (state)" in text and "key:key<fry>[] (state)" in text
    assert "extra['temperature']:f32[]" in text


def test_total_equals_parameter_count():
    model = make()
    total = sum(x.size for x in jax.tree.leaves(px.parameters(model)))
    last_rule = px.summary(model).splitlines()[-2]
    assert last_rule.split()[1] == str(total)


def test_columns_align_and_abstract_models_work():
    abstract = jax.eval_shape(make)
    text = px.summary(abstract)
    assert text == px.summary(make())
    lines = text.splitlines()
    table = lines[:-1]
    assert len({len(line) for line in table if line.startswith("-")}) == 1
    ends = {len(line) for line in table if not line.startswith("-")}
    assert len(ends) == 1  # right-aligned counts: every row ends in the same column


def test_refuses_non_modules():
    with pytest.raises(TypeError, match="purepax module"):
        px.summary({"w": jnp.ones(2)})
