"""px.scan / px.while_loop / px.fori_loop: a carry must come back with the structure it went in with."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import purepax as px


class Counter(px.StateModule):
    count: jax.Array = px.state(default_factory=lambda: jnp.array(0))
    step: int = px.static(default=1)

    def __call__(self, x):
        self.count = self.count + self.step
        return x


class Model(px.Module):
    counter: Counter
    extra: jax.Array | None = None


def counter_to_none(model):
    return px.replace(model, extra=jnp.ones(()))


def static_changed(model):
    return px.replace(model, counter=px.replace(model.counter, step=2))


def other_type(model):
    return model.counter


def dropped_item(carry):
    return carry[:1]


LOOPS = {
    "scan": lambda body, init: px.scan(lambda c, x: (body(c), x), init, jnp.ones(2))[0],
    "while_loop": lambda body, init: px.while_loop(lambda c: False, body, init),
    "fori_loop": lambda body, init: px.fori_loop(0, 2, lambda i, c: body(c), init),
}

CASES = [
    (
        counter_to_none,
        lambda: Model(Counter()),
        "carry.extra is an array in the carry returned, where the carry given has None",
    ),
    (
        static_changed,
        lambda: Model(Counter()),
        "carry.counter.step is 2 in the carry returned, where the carry given has 1 (a static field)",
    ),
    (
        other_type,
        lambda: Model(Counter()),
        "carry is a Counter module in the carry returned, where the carry given has a Model module",
    ),
    (
        dropped_item,
        lambda: (Counter(), jnp.ones(())),
        "carry has 1 item in the carry returned, where the carry given has 2",
    ),
]


@pytest.mark.parametrize("loop", LOOPS.values(), ids=LOOPS.keys())
@pytest.mark.parametrize("body, init, where", CASES, ids=[c[0].__name__ for c in CASES])
def test_changed_carry_structure_is_named(loop, body, init, where):
    with pytest.raises(TypeError) as info:
        loop(body, init())
    message = str(info.value)
    assert where in message, message
    assert "must return its carry with the structure it was given" in message
    assert "px.purecall" in message


def test_the_body_is_named():
    def my_body(c, x):
        return None, x

    with pytest.raises(
        TypeError, match="px.scan: the body `test_the_body_is_named.<locals>.my_body`"
    ):
        px.scan(my_body, Counter(), jnp.ones(2))


@pytest.mark.parametrize("loop", LOOPS.values(), ids=LOOPS.keys())
def test_same_structure_passes(loop):
    def body(model):
        counter, _ = px.purecall(model.counter, 0)
        return px.replace(model, counter=counter)

    out = loop(body, Model(Counter()))
    assert isinstance(out, Model) and out.counter.step == 1


def test_carry_error_is_a_purepax_type_error():
    with pytest.raises(px.PurepaxError) as info:
        px.while_loop(lambda c: False, other_type, Model(Counter()))
    assert isinstance(info.value, TypeError)
