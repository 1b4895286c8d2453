"""Checked transforms type-check annotated parameters and returns (beartype + jaxtyping) when they trace."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Linear
from jaxtyping import Array, Float, Int

import purepax as px


def linear(i: int = 3, o: int = 2) -> Linear:
    return Linear(jnp.ones((i, o)), jnp.zeros(o))


def apply(model: Linear, x: Float[Array, "b i"]) -> Float[Array, "b o"]:
    return model(x)


def same_shape(x: Float[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
    return x + y


def wrong_return(x: Float[Array, "n"]) -> Float[Array, "n n"]:
    return x  # type: ignore[purepax-shape]  # deliberately wrong: the tests below expect its check to fail


def test_annotated_arguments_pass_and_fail():
    model = linear()
    assert px.jit(apply)(model, jnp.ones((4, 3))).shape == (4, 2)
    with pytest.raises(
        TypeError, match="px.jit: a call of `apply` does not match its annotations"
    ):
        px.jit(apply)(model, jnp.ones(3))  # "b i" needs two dimensions
    with pytest.raises(TypeError, match="parameter 'model'"):
        px.jit(apply)({"weight": 1}, jnp.ones((4, 3)))


def test_shape_symbols_are_shared_across_arguments():
    assert px.jit(same_shape)(jnp.ones(3), jnp.ones(3)).shape == (3,)
    with pytest.raises(TypeError, match="same_shape"):
        px.jit(same_shape)(jnp.ones(3), jnp.ones(4))


def test_returns_are_checked():
    with pytest.raises(TypeError, match="wrong_return"):
        px.jit(wrong_return)(jnp.ones(3))


def test_error_says_the_fix():
    with pytest.raises(TypeError) as info:
        px.jit(same_shape)(jnp.ones(3), jnp.ones(4))
    message = str(info.value)
    assert "checked when it is traced" in message
    assert "PUREPAX_TYPECHECK=0" in message


TRANSFORMS = {
    "jit": lambda f, x: px.jit(f)(x, x),
    "vmap": lambda f, x: px.vmap(f)(x[None], x[None]),
    "remat": lambda f, x: px.remat(f)(x, x),
    "cond": lambda f, x: px.cond(True, f, f, x, x),
    "switch": lambda f, x: px.switch(0, [f], x, x),
}


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_every_transform_checks(transform):
    def f(x: Float[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
        return x + y

    def bad(x: Int[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
        return x + y

    transform(f, jnp.ones(3))
    with pytest.raises(TypeError, match="does not match its annotations"):
        transform(bad, jnp.ones(3))


def test_scan_body_is_checked():
    def body(
        carry: Float[Array, ""], x: Float[Array, "k"]
    ) -> tuple[Float[Array, ""], Float[Array, "k"]]:
        return carry + x.sum(), x

    carry, ys = px.scan(body, jnp.zeros(()), jnp.ones((5, 2)))
    assert float(carry) == 10.0 and ys.shape == (5, 2)
    with pytest.raises(TypeError, match="`test_scan_body_is_checked.<locals>.body`"):
        px.scan(body, jnp.zeros(2), jnp.ones((5, 2)))


def test_grad_checks_the_module_argument():
    def loss(model: Linear, x: Float[Array, "b i"]) -> Float[Array, ""]:
        return jnp.sum(model(x))

    px.grad(loss)(linear(), jnp.ones((4, 3)))
    with pytest.raises(TypeError, match="px.grad: a call of"):
        px.grad(loss)(linear(), jnp.ones(3))


def test_traced_scalars_satisfy_python_scalar_annotations():
    def body(i: int, total: float) -> float:
        return total + i

    assert float(px.fori_loop(0, 5, body, 0.0)) == 10.0

    def cond(n: int) -> bool:
        return n < 3

    def increment(n: int) -> int:
        return n + 1

    assert int(px.while_loop(cond, increment, 0)) == 3
    assert float(px.jit(lambda x: body(2, x))(1.0)) == 3.0


def test_traced_scalars_must_have_the_right_kind_and_shape():
    def takes_int(i: int) -> int:
        return i

    with pytest.raises(TypeError, match="takes_int"):
        px.jit(takes_int)(jnp.array(1.5))  # a float scalar is not an int
    with pytest.raises(TypeError, match="takes_int"):
        px.jit(takes_int)(jnp.ones(2, dtype=int))  # a vector is not a scalar


def test_checks_run_at_trace_time_only():
    calls = []

    def step(x: Float[Array, "n"]) -> Float[Array, "n"]:
        calls.append(x.shape)
        return 2 * x

    jitted = px.jit(step)
    for _ in range(3):
        np.testing.assert_allclose(jitted(jnp.ones(2)), 2 * jnp.ones(2))
    assert calls == [(2,)]


def test_unannotated_and_unresolvable_functions_are_not_checked():
    def local_type_annotation(x: LocalType) -> LocalType:  # noqa: F821 - never defined
        return x

    assert px.jit(lambda x: x)(jnp.ones(2)).shape == (2,)
    assert px.jit(local_type_annotation)(jnp.ones(2)).shape == (2,)


def test_string_annotations_of_local_classes_resolve_through_the_closure():
    class Local(px.Module):
        w: jax.Array

    def f(
        m: Local,
    ) -> Local:  # a string here (future annotations), naming a local class
        return Local(m.w)

    px.jit(f)(Local(jnp.ones(2)))
    with pytest.raises(TypeError, match="does not match"):
        px.jit(f)(jnp.ones(2))


def test_typecheck_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("PUREPAX_TYPECHECK", "0")
    assert px.jit(wrong_return)(jnp.ones(3)).shape == (3,)


def test_error_is_a_purepax_and_a_jaxtyping_type_error():
    import jaxtyping

    with pytest.raises(px.PurepaxError) as info:
        px.jit(same_shape)(jnp.ones(3), jnp.ones(4))
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, jaxtyping.TypeCheckError)


def test_a_nested_checked_call_is_reported_once_by_its_own_transform():
    def outer(x: Float[Array, "n"]) -> Float[Array, "n"]:
        return px.vmap(same_shape)(x[None], jnp.ones((1, 4)))[0]

    with pytest.raises(TypeError) as info:
        px.jit(outer)(jnp.ones(3))
    message = str(info.value)
    assert message.startswith("px.vmap: a call of `same_shape`")
    assert message.count("does not match its annotations") == 1


# --- PEP 484's numeric tower --------------------------------------------------------------


def scaled(x: Float[Array, " n"], lr: float) -> Float[Array, " n"]:
    return x * lr


@pytest.mark.parametrize("lr", [1, 0.5, jnp.array(2), jnp.array(2.0), True], ids=repr)
def test_int_is_accepted_where_float_is_annotated(lr):
    out = px.jit(scaled)(jnp.ones(2), lr)
    np.testing.assert_allclose(out, jnp.ones(2) * float(lr))


def test_a_string_is_still_refused_where_float_is_annotated():
    with pytest.raises(px.TransformTypeError, match="scaled"):
        px.vmap(scaled, in_axes=(0, None))(jnp.ones((3, 2)), "fast")


def test_int_is_accepted_for_a_float_field_at_construction():
    class Config(px.Module):
        lr: float
        steps: int

    assert Config(1, 10).lr == 1
    with pytest.raises(px.FieldError, match="Config"):
        Config(1.0, 2.5)  # a float is not an int
