"""px.summary: one row per submodule, exact parameter and state counts."""

from __future__ import annotations

import functools

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


# --- shardings, bytes per device, the cost of a step ------------------------------------


class Sharded(px.Module):
    weight: Float[Array, "i o"] = px.param(sharding=(None, "model"))
    bias: Float[Array, " o"] = px.param(sharding=("model",))
    seen: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        return jnp.tanh(x @ self.weight + self.bias)


class Tower(px.Module):
    first: Sharded
    blocks: px.Stacked[Sharded]

    def __call__(self, x):
        return self.blocks(self.first(x))


@functools.cache  # modules are immutable: the tests share them
def make_tower(remat=False):
    blocks = [Sharded(jnp.full((8, 8), 0.1 * i), jnp.zeros(8)) for i in range(3)]
    return Tower(Sharded(jnp.ones((6, 8)), jnp.zeros(8)), px.stack(blocks, remat=remat))


def row(text, path):
    return next(line for line in text.splitlines() if line.split()[0] == path)


def test_sharded_dimensions_are_written_as_jax_typeof_writes_them():
    text = px.summary(make_tower())
    assert "weight:f32[6,8@model] bias:f32[8@model]" in row(text, "first")
    # A stack's row shows one block: its leading (block) axis, replicated, is left out.
    assert "weight:f32[8,8@model] bias:f32[8@model]" in row(text, "blocks")
    assert "bytes" not in text  # no mesh, no optimizer: the table of before


def test_a_stack_row_shows_its_remat_policy_and_unroll():
    policy = jax.checkpoint_policies.nothing_saveable
    assert "remat=nothing_saveable unroll=1" in row(
        px.summary(make_tower(remat=policy)), "blocks"
    )
    assert "remat=False unroll=1" in row(px.summary(make_tower()), "blocks")


def test_bytes_per_device_divide_each_sharded_axis_by_its_mesh_axis_size():
    text = px.summary(make_tower(), mesh={"data": 2, "model": 4})
    lines = text.splitlines()
    assert lines[0].split()[-1] == "bytes/device"
    # f32: weight 6*8/4, bias 8/4 floats; the counter (i32, replicated) whole.
    assert row(text, "first").split()[-1] == str(4 * (6 * 2 + 2) + 4)
    assert row(text, "blocks").split()[-1] == str(3 * (4 * (8 * 2 + 2) + 4))
    params, state = 4 * (6 * 2 + 2 + 3 * (8 * 2 + 2)), 4 * 4
    assert row(text, "total").split()[-1] == str(params + state)
    assert lines[-1] == (
        "Per device, on a mesh of data=2, model=4 (8 devices): "
        f"parameters {params} bytes, state {state} bytes; {params + state} bytes in all."
    )


def test_an_abstract_mesh_is_read_as_its_axis_sizes():
    if not hasattr(jax.sharding, "AbstractMesh"):
        pytest.skip("jax.sharding.AbstractMesh is newer than this JAX")
    try:
        mesh = jax.sharding.AbstractMesh((2, 4), ("data", "model"))
    except TypeError:  # JAX before 0.5: one tuple of (name, size) pairs
        mesh = jax.sharding.AbstractMesh((("data", 2), ("model", 4)))
    model = make_tower()
    assert px.summary(model, mesh=mesh) == px.summary(
        model, mesh={"data": 2, "model": 4}
    )


def test_a_mesh_of_another_kind_is_refused():
    with pytest.raises(px.ArgumentError, match="mapping from axis names to sizes"):
        px.summary(make_tower(), mesh=("data", "model"))


def test_an_uneven_split_counts_the_largest_shard():
    class Odd(px.Module):
        weight: Float[Array, " n"] = px.param(sharding=("model",))

    text = px.summary(Odd(jnp.ones(10)), mesh={"model": 4})
    assert row(text, "(root)").split()[-1] == str(4 * 3)  # 10 rows over 4: 3, 3, 3, 1


def test_optimizer_state_is_counted_like_the_parameters_it_belongs_to():
    optax = pytest.importorskip("optax")
    from purepax.optim import Optimizer

    model = make_tower()
    opt = Optimizer(optax.adam(1e-3), model)
    text = px.summary(model, mesh={"data": 2, "model": 4}, optimizer=opt)
    params = 4 * (6 * 2 + 2 + 3 * (8 * 2 + 2))
    # Adam: two moments shaped (and sharded) like the parameters, and an i32 step count.
    assert f"optimizer state {2 * params + 4} bytes" in text.splitlines()[-1]
    one_device = px.summary(model, optimizer=opt).splitlines()[-1]
    assert one_device.startswith(
        "On one device: parameters 1088 bytes (1.1 KiB), state 16 bytes, "
        "optimizer state 2180 bytes (2.1 KiB); 3284 bytes (3.2 KiB) in all."
    )


def test_a_mesh_without_a_fields_axis_is_refused():
    with pytest.raises(
        px.ArgumentError, match=r"first\.weight is sharded over the mesh axis 'model'"
    ):
        px.summary(make_tower(), mesh={"data": 8})


def mlp_loss(w1, b1, w2, x):
    return jnp.sum(jnp.tanh(x @ w1 + b1) @ w2)


def test_step_cost_agrees_with_xla_and_a_hand_count_on_a_small_mlp():
    B, i, h, o = 8, 16, 32, 4
    args = (jnp.ones((i, h)), jnp.ones(h), jnp.ones((h, o)), jnp.ones((B, i)))
    cost = px.step_cost(mlp_loss, *args)
    compiled = jax.jit(mlp_loss).lower(*args).compile()
    xla = compiled.cost_analysis()
    xla = xla[0] if isinstance(xla, list) else xla
    assert cost.flops == xla["flops"] and cost.bytes_accessed == xla["bytes accessed"]
    # By hand: two matmuls (a multiply-add is two FLOPs), the bias, the sum's additions.
    matmuls = 2 * B * i * h + 2 * B * h * o
    assert matmuls <= cost.flops <= matmuls + B * h + B * o
    assert cost.transcendentals == B * h  # one tanh per hidden unit
    assert cost.argument_bytes == 4 * (i * h + h + h * o + B * i)
    assert cost.output_bytes == 4
    memory = compiled.memory_analysis()
    if memory is not None:
        assert cost.temp_bytes == memory.temp_size_in_bytes
        assert cost.peak_bytes > 0


def test_step_cost_of_a_jitted_step_shows_each_stacks_remat_policy():
    model = make_tower(remat=True)

    @px.jit
    def step(model, x):
        return px.grad(lambda m: jnp.sum(m(x)))(model)

    x = jax.ShapeDtypeStruct((2, 6), jnp.float32)
    cost = px.step_cost(step, model, x)
    assert cost.stacks == (
        "args[0].blocks: 3 blocks of Sharded (stacked on a leading axis), remat=True, "
        "unroll=1; XLA counts the FLOPs of its loop's body once: 1 of 3 blocks",
    )
    text = px.summary(model, step=(step, (model, x)))
    assert "Compiled step step, per device" in text
    assert "remat=True" in text.splitlines()[-1]
    assert f"flops            {int(cost.flops)}" in text


class _Unknown:
    """A compiled program as some backends give it: costs as a list (JAX before 0.4.38),
    no memory analysis."""

    def __call__(self, *args):
        raise AssertionError("lowered, not called")

    def lower(self, *args):
        return self

    def compile(self):
        return self

    def cost_analysis(self):
        return [{"flops": 10.0, "transcendentals": 2.0}, {"flops": 5.0}]

    def memory_analysis(self):
        return None


def test_step_cost_says_unknown_where_the_backend_gives_no_memory_analysis():
    cost = px.step_cost(_Unknown())
    assert (cost.flops, cost.transcendentals, cost.bytes_accessed) == (15.0, 2.0, None)
    assert cost.peak_bytes is None
    text = str(cost)
    assert "peak memory      unknown" in text and "bytes accessed   unknown" in text


def test_an_unrolled_stack_is_counted_whole_and_a_scanned_one_once():
    model, B = make_tower(), 16

    def forward(model, x):
        return jnp.sum(model(x))

    x = jax.ShapeDtypeStruct((B, 6), jnp.float32)
    scanned = px.step_cost(forward, model, x)
    unrolled = px.step_cost(
        forward, px.replace(model, blocks=px.replace(model.blocks, unroll=3)), x
    )
    # One tanh per hidden unit: the first layer's and, scanned, one block's (not three).
    assert (scanned.transcendentals, unrolled.transcendentals) == (2 * B * 8, 4 * B * 8)
    block = 2 * B * 8 * 8 + B * 8  # a matmul and a bias
    # (The scanned loop adds its own counter's few additions and comparisons.)
    assert abs(unrolled.flops - scanned.flops - 2 * block) <= 4
    assert unrolled.stacks[0].endswith("remat=False, unroll=3")
