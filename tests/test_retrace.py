"""Retraces explained: `px.traces`, `px.trace_count` and `px.RetraceWarning` (`_retrace.py`).

Each test jits functions of its own: records are kept per code object, so a function
shared between tests would carry its traces from one to the next.
"""

from __future__ import annotations

import gc
import types
import warnings
import weakref
from collections.abc import Callable, Iterator

import jax
import jax.numpy as jnp
import optax
import pytest

import purepax as px
from purepax._retrace import traces_for
from purepax.optim import Optimizer


class Dropout(px.Module):
    rate: float = px.static()

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, x: jax.Array) -> jax.Array:
        return x * (1 - self.rate)


class Block(px.Module):
    weight: jax.Array
    dropout: Dropout

    def __init__(self, rate: float) -> None:
        self.weight = jnp.ones(2)
        self.dropout = Dropout(rate)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.dropout(x * self.weight)


class Model(px.Module):
    blocks: list[Block]

    def __init__(self, rate: float = 0.1) -> None:
        self.blocks = [Block(0.0), Block(rate)]

    def __call__(self, x: jax.Array) -> jax.Array:
        for block in self.blocks:
            x = block(x)
        return x

    @px.jit
    def predict(self, x: jax.Array) -> jax.Array:
        return self(x)


def loss(model: Model, x: jax.Array) -> jax.Array:
    return model(x).sum()


@pytest.fixture(autouse=True)
def default_max_traces() -> Iterator[None]:
    yield
    px.set_max_traces(2)


def retrace_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, px.RetraceWarning)]


def test_a_float_hyperparameter_in_a_static_field_is_named_with_both_values() -> None:
    @px.jit
    def step(model: Model, x: jax.Array) -> jax.Array:
        return model(x)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for rate in (0.1, 0.2, 0.3):
            step(Model(rate), jnp.ones(2))
    assert px.traces(step) == (
        "first trace",
        "model.blocks[1].dropout.rate changed 0.1 -> 0.2 (a static field)",
        "model.blocks[1].dropout.rate changed 0.2 -> 0.3 (a static field)",
    )
    [message] = retrace_warnings(caught)
    assert message.startswith(
        "step traced a 3rd time: model.blocks[1].dropout.rate changed 0.2 -> 0.3 "
        "(a static field). A static field is compiled into the program"
    )
    assert caught[0].filename == __file__  # the user's call, not JAX's internals


def test_an_optimizer_rebuilt_every_epoch_names_its_new_transformation() -> None:
    # flax#5548: a model and optimizer rebuilt each epoch, alike in every shape. The
    # optax transformation is a static field compared with ==: a new one compiles anew.
    @px.jit
    def train_step(
        model: Model, opt: Optimizer, x: jax.Array
    ) -> tuple[Model, Optimizer]:
        return opt.apply_gradients(model, px.grad(loss)(model, x))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            model = Model()
            opt = Optimizer(optax.sgd(0.1), model)
            model, opt = train_step(model, opt, jnp.ones(2))
    assert px.trace_count(train_step) == 3
    [message] = retrace_warnings(caught)
    assert message.startswith(
        "train_step traced a 3rd time: opt.tx changed (a static field): a new "
        "GradientTransformationExtraArgs that is not equal (==) to the earlier one."
    )
    assert "make it once, outside the loop" in message


def test_an_optimizer_rebuilt_every_epoch_from_one_transformation_traces_once() -> None:
    @px.jit
    def train_step(
        model: Model, opt: Optimizer, x: jax.Array
    ) -> tuple[Model, Optimizer]:
        return opt.apply_gradients(model, px.grad(loss)(model, x))

    tx = optax.sgd(0.1)
    for _ in range(3):
        model = Model()
        model, opt = train_step(model, Optimizer(tx, model), jnp.ones(2))
    assert px.traces(train_step) == ("first trace",)


def test_a_shorter_last_batch_traces_once_more_and_does_not_warn() -> None:
    @px.jit
    def step(model: Model, x: jax.Array) -> jax.Array:
        return model(x)

    model = Model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):  # epochs: cache hits record nothing
            for batch in (4, 4, 3):
                step(model, jnp.ones((batch, 2)))
    assert px.traces(step) == ("first trace", "x changed shape (4, 2) -> (3, 2)")
    assert retrace_warnings(caught) == []


def test_dtypes_weak_types_classes_keys_and_lengths_are_named() -> None:
    @px.jit(max_traces=None)
    def step(x: jax.Array | int, tree: object) -> jax.Array | int:
        return x

    step(jnp.ones(2), {"a": Dropout(0.1)})
    step(jnp.ones(2, jnp.int32), {"a": Dropout(0.1)})
    step(jnp.ones(2, jnp.int32), {"a": Block(0.1)})
    step(jnp.ones(2, jnp.int32), {"a": Block(0.1), "b": None})
    step(jnp.ones(2, jnp.int32), [None, None])
    step(jnp.ones(2, jnp.int32), [None, None, None])
    step(jnp.int32(1), [None, None, None])
    step(1, [None, None, None])
    assert px.traces(step)[1:] == (
        "x changed dtype float32 -> int32",
        "tree['a'] changed class Dropout -> Block",
        "tree changed keys ['a'] -> ['a', 'b']",
        "tree changed a dict -> a list",
        "tree changed length 2 -> 3",
        "x changed shape (2,) -> ()",
        "x changed an array -> a Python scalar (weakly typed) of dtype int32",
    )


def test_a_static_argument_is_named_with_both_values() -> None:
    step = px.jit(lambda x, n: x * n, static_argnums=1, max_traces=None)
    step(jnp.ones(2), 2)
    step(jnp.ones(2), 3)
    assert px.traces(step)[1] == "n changed 2 -> 3 (a static argument)"


def test_a_function_jitted_anew_in_a_loop_is_named_as_a_new_function_object() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        steps = []
        for _ in range(3):
            steps.append(px.jit(lambda x: x + 1))
            steps[-1](jnp.ones(2))
    assert px.trace_count(steps[-1]) == 3
    [message] = retrace_warnings(caught)
    assert message.startswith(
        "<lambda> traced a 3rd time: `<lambda>` is a new function object"
    )
    assert "define the function once" in message


def test_a_jitted_method_and_a_jitted_gradient_name_their_arguments() -> None:
    model = Model()
    model.predict(jnp.ones((4, 2)))
    model.predict(jnp.ones((3, 2)))
    assert px.traces(model.predict) == px.traces(Model.predict)
    assert px.traces(model.predict) == (
        "first trace",
        "x changed shape (4, 2) -> (3, 2)",
    )

    gradient = px.jit(px.grad(loss))
    gradient(Model(0.1), jnp.ones(2))
    gradient(Model(0.5), jnp.ones(2))
    assert px.traces(gradient)[1] == (
        "model.blocks[1].dropout.rate changed 0.1 -> 0.5 (a static field)"
    )


def test_max_traces_is_set_per_function_and_globally_and_none_silences() -> None:
    def traced_three_times(step: Callable[[jax.Array], jax.Array]) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for n in (1, 2, 3):
                step(jnp.ones(n))
        return retrace_warnings(caught)

    assert len(traced_three_times(px.jit(lambda x: x, max_traces=1))) == 2
    assert traced_three_times(px.jit(lambda x: x, max_traces=3)) == []
    assert traced_three_times(px.jit(lambda x: x, max_traces=None)) == []
    px.set_max_traces(None)
    assert traced_three_times(px.jit(lambda x: x)) == []
    own = px.jit(lambda x: x, max_traces=2)  # the function's own setting wins
    assert len(traced_three_times(own)) == 1
    with pytest.raises(px.ArgumentError, match="positive number of traces"):
        px.set_max_traces(0)


def test_a_function_made_by_px_jit_is_required() -> None:
    with pytest.raises(px.ArgumentError, match=r"px.trace_count takes a function"):
        px.trace_count(len)
    assert px.trace_count(px.jit(lambda x: x)) == 0


def test_calls_under_disable_jit_are_not_traces() -> None:
    step = px.jit(lambda x: x)
    with jax.disable_jit():
        step(jnp.ones(2))
        step(jnp.ones(2))
    assert px.trace_count(step) == 0


def test_the_record_keeps_no_function_nor_static_value_alive() -> None:
    class Config:  # hashable by identity, like most objects held in static fields
        pass

    class Holder(px.Module):
        config: Config = px.static()
        weight: jax.Array

        def __init__(self) -> None:
            self.config = Config()
            self.weight = jnp.ones(2)

    def run(holder: Holder) -> jax.Array:
        return holder.weight

    step = px.jit(run)
    holder = Holder()
    step(holder)
    step(Holder())
    assert px.trace_count(step) == 2
    # JAX's own caches hold static values; the record must hold neither them nor `run`.
    record = traces_for(run)
    assert holder.config not in reachable_from(record)
    function = weakref.ref(run)
    del run, step
    gc.collect()
    assert function() is None


def reachable_from(root: object) -> list[object]:
    """The objects reachable from `root`, short of classes and modules (which reach all)."""
    seen, todo, found = {id(root)}, [root], []
    while todo:
        for child in gc.get_referents(todo.pop()):
            if id(child) not in seen and not isinstance(
                child, (type, types.ModuleType)
            ):
                seen.add(id(child))
                todo.append(child)
                found.append(child)
    return found


def test_a_static_function_made_anew_is_named_as_a_new_object() -> None:
    class Activation(px.Module):
        function: object = px.static()
        weight: jax.Array

        def __init__(self) -> None:
            self.function = lambda x: x  # a new function per instance
            self.weight = jnp.ones(2)

    step = px.jit(lambda layer: layer.weight, max_traces=None)
    step(Activation())
    step(Activation())
    assert px.traces(step)[1] == (
        "layer.function changed (a static field): a new function that is not equal "
        "(==) to the earlier one"
    )


def test_a_trace_that_raises_is_not_counted() -> None:
    def positive(x: jax.Array) -> jax.Array:
        if x.shape[0] > 2:
            raise ValueError("too long")
        return x

    step = px.jit(positive)
    with pytest.raises(ValueError, match="too long"):
        step(jnp.ones(3))
    step(jnp.ones(2))
    assert px.traces(step) == ("first trace",)


def test_a_stack_and_a_vmapped_function_are_named_as_px_summary_names_them() -> None:
    # px.summary lists a stack's arrays under the stack: `blocks` then `weight`.
    @px.jit(max_traces=None)
    def run(blocks: px.Stacked[Block], x: jax.Array) -> jax.Array:
        return blocks(x)

    for rate in (0.1, 0.2):
        run(
            px.stack(lambda _: Block(rate), jax.random.split(jax.random.key(0))),
            jnp.ones(2),
        )
    run(px.stack(lambda _: Model(), jax.random.split(jax.random.key(0))), jnp.ones(2))
    assert px.traces(run)[1:] == (
        "blocks.dropout.rate changed 0.1 -> 0.2 (a static field)",
        "blocks changed class Stacked[Block] -> Stacked[Model]",
    )

    mapped = px.jit(px.vmap(lambda weight, x: weight * x, in_axes=(None, 0)))
    mapped(jnp.ones(2), jnp.ones((4, 2)))
    mapped(jnp.ones(2), jnp.ones((3, 2)))
    assert px.traces(mapped)[1] == "x changed shape (4, 2) -> (3, 2)"
