"""The closure rule: every px transform refuses a function that reaches a module except through its arguments."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purepax as px
import purepax._closure as closure


class Linear(px.Module):
    weight: jax.Array
    bias: jax.Array

    def __call__(self, x):
        return x @ self.weight + self.bias


def make_linear() -> Linear:
    return Linear(jnp.ones((2, 2)), jnp.zeros(2))


captured_global = make_linear()
GLOBAL_ARRAY = jnp.arange(2.0)


def ok(*args):
    return args[-1] if args else 0.0


def ok_cond(*args):
    return False


# --- the capture routes: each returns (function, the captured variable's name) -----------------


def closure_cell():
    model = make_linear()

    def f(*args):
        return model(args[-1])

    return f, "model"


def closure_cell_in_container():
    models = {"encoder": make_linear()}

    def f(*args):
        return models["encoder"](args[-1])

    return f, "models"


def global_load():
    def f(*args):
        return captured_global(args[-1])

    return f, "captured_global"


def global_in_inner_lambda():
    def f(*args):
        inner = lambda x: captured_global(x)  # noqa: E731
        return inner(args[-1])

    return f, "captured_global"


def global_in_comprehension():
    def f(*args):
        return [captured_global(x) for x in args][-1]

    return f, "captured_global"


def default_positional():
    def f(x=None, model=make_linear()):
        return model(x)

    return f, "model"


def default_keyword_only():
    def f(*args, model=make_linear()):
        return model(args[-1])

    return f, "model"


def partial_positional():
    def g(model, *args):
        return model(args[-1])

    return functools.partial(g, make_linear()), "model"


def partial_keyword():
    def g(*args, model):
        return model(args[-1])

    return functools.partial(g, model=make_linear()), "model"


def partial_of_capturing_function():
    return functools.partial(global_load()[0]), "captured_global"


def bound_method():
    return make_linear().__call__, "Linear.__call__"


def module_itself():
    return make_linear(), "Linear"


def nested_helper():
    model = make_linear()

    def helper(x):
        return model(x)

    def f(*args):
        return helper(args[-1])

    return f, "model"


def global_helper():
    def f(*args):
        return uses_global_model(args[-1])

    return f, "captured_global"


def uses_global_model(x):
    return captured_global(x)


def bound_method_in_closure():
    call = make_linear().__call__

    def f(*args):
        return call(args[-1])

    return f, "call"


def pure_wrapped():
    return px.pure(closure_cell()[0]), "model"


ROUTES = [
    closure_cell,
    closure_cell_in_container,
    global_load,
    global_in_inner_lambda,
    global_in_comprehension,
    default_positional,
    default_keyword_only,
    partial_positional,
    partial_keyword,
    partial_of_capturing_function,
    bound_method,
    module_itself,
    nested_helper,
    global_helper,
    bound_method_in_closure,
    pure_wrapped,
]

X = jnp.ones(2)
TRANSFORMS = {
    "jit": lambda f: px.jit(f),
    "jit-decorator": lambda f: px.jit(static_argnums=())(f),
    "vmap": lambda f: px.vmap(f),
    "grad": lambda f: px.grad(f),
    "value_and_grad": lambda f: px.value_and_grad(f, has_aux=True),
    "remat": lambda f: px.remat(f),
    "cond-true-branch": lambda f: px.cond(True, f, ok, X),
    "cond-false-branch": lambda f: px.cond(True, ok, f, X),
    "switch": lambda f: px.switch(0, [ok, f], X),
    "scan": lambda f: px.scan(f, X, jnp.ones((3, 2))),
    "while_loop-cond": lambda f: px.while_loop(f, ok, X),
    "while_loop-body": lambda f: px.while_loop(ok_cond, f, X),
    "fori_loop": lambda f: px.fori_loop(0, 2, f, X),
}


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_every_route_is_refused_by_every_transform(route, transform):
    fn, variable = route()
    with pytest.raises(px.ClosureCaptureError) as info:
        transform(fn)
    message = str(info.value)
    assert f"`{variable}`" in message or variable in message
    assert "argument" in message


@pytest.mark.parametrize(
    "route, fragments",
    [
        (closure_cell, ["px.jit:", "`closure_cell.<locals>.f`", "enclosing scope", "`model`", "Linear"]),
        (global_load, ["global variable `captured_global`", "Pass `captured_global` to"]),
        (default_keyword_only, ["default value of its parameter `model`"]),
        (partial_keyword, ["functools.partial's keyword argument `model`", "Pass `model` to"]),
        (partial_positional, ["functools.partial's positional argument 0", "Pass `model` to"]),
        (closure_cell_in_container, ["at models['encoder']"]),
        (nested_helper, ["`nested_helper.<locals>.helper`", "reached from `nested_helper.<locals>.f`"]),
        (bound_method, ["method bound to a Linear module", "px.jit(Linear.__call__)(model"]),
        (module_itself, ["was given a Linear module", "lambda model, x: model(x)"]),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_messages_name_the_function_the_variable_and_the_fix(route, fragments):
    fn, _ = route()
    with pytest.raises(px.ClosureCaptureError) as info:
        px.jit(fn)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "constants" in message  # why: the captured arrays would go stale
    if route not in (bound_method, module_itself):
        assert "as an argument instead, and return it if it changes" in message


def test_capture_error_is_a_purepax_type_error():
    assert issubclass(px.ClosureCaptureError, px.PurepaxError)
    assert issubclass(px.ClosureCaptureError, TypeError)


# --- what stays allowed ------------------------------------------------------------------------


class Holder:
    def __init__(self, captured_global):
        self.captured_global = captured_global


def attribute_named_like_a_global(holder, x):
    return holder.captured_global(x)


def parameter_named_like_a_global(captured_global, x):
    return captured_global(x)


def local_named_like_a_global(model, x):
    captured_global = model
    return captured_global(x)


def test_attribute_parameter_and_local_names_are_not_globals():
    model = make_linear()
    np.testing.assert_allclose(px.jit(parameter_named_like_a_global)(model, X), model(X))
    np.testing.assert_allclose(px.jit(local_named_like_a_global)(model, X), model(X))
    # The function loads `holder.captured_global`, an attribute: not the global of that name.
    px.jit(attribute_named_like_a_global, static_argnums=0)
    np.testing.assert_allclose(attribute_named_like_a_global(Holder(model), X), model(X))


def test_arrays_numbers_functions_and_module_classes_may_be_captured():
    scale = 3.0
    offset = jnp.ones(2)
    activation = jax.nn.relu
    cls = Linear

    def f(x):
        layer = cls(jnp.eye(2) * scale, offset)  # building a module inside is fine
        return activation(layer(x) + GLOBAL_ARRAY)

    want = jax.nn.relu(X @ (jnp.eye(2) * 3.0) + 1.0 + jnp.arange(2.0))
    for transform in (px.jit, px.vmap, px.remat):
        got = transform(f)(X if transform is not px.vmap else X[None])
        np.testing.assert_allclose(jnp.reshape(got, (2,)), want)
    np.testing.assert_allclose(px.cond(True, f, f, X), want)
    np.testing.assert_allclose(px.fori_loop(0, 1, lambda i, x: f(x), X), want)


def test_modules_as_arguments_are_fine():
    model = make_linear()

    def step(model, x):
        return model(x)

    np.testing.assert_allclose(px.jit(step)(model, X), model(X))
    np.testing.assert_allclose(px.jit(Linear.__call__)(model, X), model(X))
    np.testing.assert_allclose(px.jit(functools.partial(step, x=X))(model), model(X))


def test_library_functions_are_not_walked():
    px.jit(jnp.sin)(X)
    px.vmap(jax.nn.softmax)(jnp.ones((2, 3)))


# --- when the check runs ---------------------------------------------------------------------


def test_a_name_bound_after_wrapping_is_checked_when_traced():
    def later():
        def f(x):
            return model(x)

        jitted = px.jit(f)  # `model` is not bound yet: nothing to refuse now
        model = make_linear()
        return jitted

    jitted = later()
    with pytest.raises(px.ClosureCaptureError, match="`model`"):
        jitted(X)


def test_each_function_is_walked_once(monkeypatch):
    walks = []
    check = closure._Walk.check

    def counting(self, fn):
        walks.append(fn)
        return check(self, fn)

    monkeypatch.setattr(closure._Walk, "check", counting)

    def f(x):
        return x * 2

    jitted = px.jit(f)  # walked when wrapped (to fail early) ...
    for _ in range(3):
        jitted(X)  # ... and at its first trace (a cell or global may hold a module by then)
    px.jit(f)
    px.vmap(f)(jnp.ones((2, 2)))
    assert walks == [f, f]


class Counter(px.StateModule):
    count: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    def __call__(self, x):
        self.count = self.count + 1
        return x


class Uses(px.Module):
    """The seed tutorial's BadModule / GoodModule, with px.jit."""

    counter: Counter

    def bad(self, x):
        @px.jit
        def fn(x):
            return self.counter(x)  # `self` is captured

        return fn(x)

    def good(self, x):
        @px.jit
        def fn(counter, x):
            return px.purecall(counter, x)

        self.counter, y = fn(self.counter, x)
        return y


def test_seed_tutorial_bad_and_good_module():
    module = Uses(Counter())
    with pytest.raises(px.ClosureCaptureError, match="`self` of an enclosing scope"):
        px.purecall(module.bad, X)
    module, _ = px.purecall(module.good, X)
    assert int(module.counter.count) == 1


def test_plain_objects_in_closures_are_allowed():
    class Config:
        scale = 2.0

    config = Config()
    tables = {"offset": jnp.ones(2), "name": "run"}

    def f(x):
        return x * config.scale + tables["offset"]

    np.testing.assert_allclose(px.jit(f)(X), X * 2.0 + 1.0)
