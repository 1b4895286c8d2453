"""The closure rule: every px transform refuses a function that reaches a module except through its arguments."""

from __future__ import annotations

import dataclasses
import functools
import types
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Counter, Linear

import purepax as px
import purepax._closure as closure


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


# --- ... and through an attribute, field or item of a captured object: each returns (function,
# the path by which its code reaches the module) ----------------------------------------------


class Trainer:
    """A plain object holding a model, as training scripts write them."""

    def __init__(self, model):
        self.model = model
        self.lr = 0.5
        self.state = types.SimpleNamespace(model=model, step=0)
        self.parts = {"teacher": model, "lr": 0.5}

    def step(self, *args):
        return self.model(args[-1])

    def via_method(self, *args):
        return self.apply(args[-1])

    def apply(self, x):
        return self.model(x)

    def scaled(self, x):
        return x * self.lr


def attribute_of_captured_self():
    self = Trainer(make_linear())
    return (lambda *args: self.model(args[-1])), "self.model"


def attribute_of_attribute():
    self = Trainer(make_linear())
    return (lambda *args: self.state.model(args[-1])), "self.state.model"


def item_of_attribute():
    self = Trainer(make_linear())
    return (lambda *args: self.parts["teacher"](args[-1])), "self.parts['teacher']"


def bound_method_of_plain_object():
    return Trainer(make_linear()).step, "self.model"


def method_reached_through_self():
    return Trainer(make_linear()).via_method, "self.model"


trainer = Trainer(make_linear())


def attribute_of_global():
    return (
        lambda *args: trainer.parts["teacher"](args[-1])
    ), "trainer.parts['teacher']"


@dataclasses.dataclass
class Config:
    models: list
    lr: float = 0.1


def dataclass_field_item():
    cfg = Config([make_linear(), make_linear()])
    return (lambda *args: cfg.models[1](args[-1])), "cfg.models[1]"


def list_used_whole():
    cfg = Config([make_linear()])

    def f(*args):
        for model in cfg.models:
            return model(args[-1])

    return f, "cfg.models[0]"


class Pair(NamedTuple):
    student: Linear
    teacher: Linear


def namedtuple_field():
    parts = Pair(make_linear(), make_linear())
    return (lambda *args: parts.teacher(args[-1])), "parts.teacher"


class Slotted:
    __slots__ = ("model",)

    def __init__(self, model):
        self.model = model


def slots_attribute():
    holder = Slotted(make_linear())
    return (lambda *args: holder.model(args[-1])), "holder.model"


def partial_of_plain_object():
    def g(trainer, *args):
        return trainer.model(args[-1])

    return functools.partial(g, Trainer(make_linear())), "trainer.model"


def default_holding_object():
    def f(*args, trainer=Trainer(make_linear())):
        return trainer.model(args[-1])

    return f, "trainer.model"


class Scorer:
    def __init__(self, model):
        self.model = model

    def __call__(self, *args):
        return self.model(args[-1])


def callable_object():
    return Scorer(make_linear()), "self.model"


ATTRIBUTE_ROUTES = [
    attribute_of_captured_self,
    attribute_of_attribute,
    item_of_attribute,
    bound_method_of_plain_object,
    method_reached_through_self,
    attribute_of_global,
    dataclass_field_item,
    list_used_whole,
    namedtuple_field,
    slots_attribute,
    partial_of_plain_object,
    default_holding_object,
    callable_object,
]
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
    *ATTRIBUTE_ROUTES,
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
    if route in ATTRIBUTE_ROUTES:  # the path by which the code reaches the module
        assert (
            f", at `{variable}`. " in message and f"Pass `{variable}` to" in message
        ), message


@pytest.mark.parametrize(
    "route, fragments",
    [
        (
            closure_cell,
            [
                "px.jit:",
                "`closure_cell.<locals>.f`",
                "enclosing scope",
                "`model`",
                "Linear",
            ],
        ),
        (
            global_load,
            ["global variable `captured_global`", "Pass `captured_global` to"],
        ),
        (default_keyword_only, ["default value of its parameter `model`"]),
        (
            partial_keyword,
            ["functools.partial's keyword argument `model`", "Pass `model` to"],
        ),
        (
            partial_positional,
            ["functools.partial's positional argument 0", "Pass `model` to"],
        ),
        (closure_cell_in_container, ["at `models['encoder']`"]),
        (
            nested_helper,
            [
                "`nested_helper.<locals>.helper`",
                "reached from `nested_helper.<locals>.f`",
            ],
        ),
        (
            bound_method,
            ["method bound to a Linear module", "px.jit(Linear.__call__)(model"],
        ),
        (module_itself, ["was given a Linear module", "lambda model, x: model(x)"]),
        (
            attribute_of_captured_self,
            ["through the variable `self` of an enclosing scope, at `self.model`"],
        ),
        (
            bound_method_of_plain_object,
            [
                "`Trainer.step`",
                "through `self`, the Trainer object that `step` is bound to",
            ],
        ),
        (
            method_reached_through_self,
            [
                "`Trainer.apply`",
                "reached from `Trainer.via_method`",
                "Pass `self.model` to",
            ],
        ),
        (
            attribute_of_global,
            ["global variable `trainer`, at `trainer.parts['teacher']`"],
        ),
        (
            partial_of_plain_object,
            ["functools.partial's positional argument 0, at `trainer.model`"],
        ),
        (
            default_holding_object,
            ["default value of its parameter `trainer`, at `trainer.model`"],
        ),
        (callable_object, ["`Scorer.__call__`", "reached from a Scorer object"]),
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
    np.testing.assert_allclose(
        px.jit(parameter_named_like_a_global)(model, X), model(X)
    )
    np.testing.assert_allclose(px.jit(local_named_like_a_global)(model, X), model(X))
    # The function loads `holder.captured_global`, an attribute: not the global of that name.
    px.jit(attribute_named_like_a_global, static_argnums=0)
    np.testing.assert_allclose(
        attribute_named_like_a_global(Holder(model), X), model(X)
    )


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
        jitted(
            X
        )  # ... and at its first trace (a cell or global may hold a module by then)
    px.jit(f)
    px.vmap(f)(jnp.ones((2, 2)))
    assert walks == [f, f]


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


# --- objects holding modules: what is refused, what passes, and at what cost -------------------


def test_the_trainer_of_the_issue_is_refused_and_its_fix_sees_the_trained_weights():
    class Trainer:
        def __init__(self, model):
            self.model = model
            self.evaluate = px.jit(lambda x: px.eval_mode(self.model)(x))

    with pytest.raises(
        px.ClosureCaptureError, match=r"at `self\.model`\. .*Pass `self\.model` to"
    ):
        Trainer(make_linear())

    class FixedTrainer:
        def __init__(self, model):
            self.model = model
            self.evaluate = px.jit(lambda model, x: px.eval_mode(model)(x))

    fixed = FixedTrainer(make_linear())
    fixed.model = Linear(jnp.eye(2) * 3.0, jnp.ones(2))  # "after training"
    np.testing.assert_allclose(fixed.evaluate(fixed.model, X), X * 3.0 + 1.0)


def test_an_attribute_set_after_wrapping_is_checked_when_traced():
    class Trainer:
        def __init__(self, model):
            self.evaluate = px.jit(
                lambda x: self.model(x)
            )  # `self.model` is not set yet
            self.model = model

    trainer = Trainer(make_linear())
    with pytest.raises(px.ClosureCaptureError, match=r"at `self\.model`"):
        trainer.evaluate(X)


@dataclasses.dataclass
class OptimizerConfig:
    lr: float = 0.5
    betas: tuple[float, float] = (0.9, 0.999)


class Tokenizer:
    def __init__(self):
        self.vocab = {f"token{i}": i for i in range(50_000)}

    def scale(self, token):
        return self.vocab[token] / 100


def scale_by(x, factor, config):
    return x * factor * config.lr


hyperparameters = {"lr": 0.5, "name": "run", "layers": [2, 2]}
optimizer_config = OptimizerConfig()
tokenizer = Tokenizer()
weights = np.ones((1000, 1000))


# Functions that must pass: each gets x, returns x scaled by 0.5, and reaches a model only
# in places its code never reads.
ALLOWED = {
    "lambda-reading-only-self.lr": lambda: (lambda self: lambda x: x * self.lr)(
        Trainer(make_linear())
    ),
    "bound-method-reading-only-self.lr": lambda: Trainer(make_linear()).scaled,
    "optimizer-config": lambda: lambda x: x * optimizer_config.lr,
    "tokenizer-method": lambda: lambda x: x * tokenizer.scale("token50"),
    "hyperparameter-dict": lambda: (
        lambda x: x * hyperparameters["lr"] * len(hyperparameters["layers"]) / 2
    ),
    "partial-of-a-pure-function": lambda: functools.partial(
        scale_by, factor=1.0, config=optimizer_config
    ),
    "numpy-array-and-module": lambda: lambda x: x * np.float32(weights[0, 0] / 2),
    "namedtuple-field-beside-a-model": lambda: (
        lambda parts: lambda x: x * parts.teacher
    )(Pair(make_linear(), 0.5)),
}
RUNS = {
    "jit": lambda f: px.jit(f)(X),
    "vmap": lambda f: px.vmap(f)(X[None])[0],
    "remat": lambda f: px.remat(f)(X),
    "grad": lambda f: (
        px.grad(lambda model: jnp.sum(f(model.bias)))(Linear(jnp.eye(2), X)).bias
    ),
    "value_and_grad": lambda f: (
        px.value_and_grad(lambda model: jnp.sum(f(model.bias)))(Linear(jnp.eye(2), X))[
            1
        ].bias
    ),
    "cond": lambda f: px.cond(True, f, ok, X),
    "switch": lambda f: px.switch(0, [f, ok], X),
    "scan": lambda f: px.scan(lambda c, _: (f(c), None), X, None, length=1)[0],
    "while_loop": lambda f: px.while_loop(
        lambda c: c[0] < 1, lambda c: (c[0] + 1, f(c[1])), (0, X)
    )[1],
    "fori_loop": lambda f: px.fori_loop(0, 1, lambda i, x: f(x), X),
}


@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS.keys())
@pytest.mark.parametrize("make", ALLOWED.values(), ids=ALLOWED.keys())
def test_objects_whose_modules_the_code_never_reads_may_be_captured(make, run):
    np.testing.assert_allclose(run(make()), X * 0.5)


def test_a_model_argument_may_share_an_attribute_name_with_a_captured_object():
    self = Trainer(
        make_linear()
    )  # holds `.model`, which the functions below never read from it
    model = Linear(jnp.eye(2) * 3.0, jnp.ones(2))
    pair = Pair(student=model, teacher=model)
    np.testing.assert_allclose(
        px.jit(lambda model, x: model(x) * self.lr)(model, X), model(X) * 0.5
    )
    grads = px.grad(lambda model, x: jnp.sum(model(x)) * self.lr)(model, X)
    np.testing.assert_allclose(grads.bias, jnp.full(2, 0.5))
    np.testing.assert_allclose(
        px.jit(lambda pair, x: pair.teacher(x) * self.lr)(pair, X), model(X) * 0.5
    )
    np.testing.assert_allclose(px.jit(lambda x: self.state.step + x)(X), X)


def test_the_check_runs_no_code_of_a_captured_object():
    ran = []

    class Lazy:
        @property
        def model(self):
            ran.append("property")
            return make_linear()

        def __getattr__(self, name):
            ran.append(name)
            raise AttributeError(name)

    lazy = Lazy()
    px.jit(lambda x: lazy.model(x) + lazy.missing)
    px.jit(lambda x: [lazy][0].model(x))
    assert ran == []


def test_a_large_captured_value_is_searched_only_so_far(monkeypatch):
    searched = []
    children = closure._children

    def counting(value, names):
        for child in children(value, names):
            searched.append(child)
            yield child

    monkeypatch.setattr(closure, "_children", counting)
    examples = list(range(100_000))
    table = np.zeros((1000, 1000))

    def f(x):
        return x + len(examples) + table.sum()

    jitted = px.jit(f)
    assert 0 < len(searched) <= closure._MAX_OBJECTS
    assert len(searched) < len(examples) // 10
    np.testing.assert_allclose(jitted(X), X + 100_000)


def test_a_cyclic_or_deep_captured_value_is_walked_to_an_end():
    ring: list = []
    ring.append(ring)
    deep: list = []
    node = deep
    for _ in range(10_000):
        node.append([])
        node = node[0]

    class Link:
        def __init__(self, next):
            self.next = next

        def last(self, x):
            return x if self.next is None else self.next.last(x)

    chain = None
    for _ in range(5_000):
        chain = Link(chain)
    px.jit(lambda x: x + len(ring) + len(deep))
    px.jit(lambda x: chain.last(x))


def test_a_bound_method_of_a_plain_object_is_walked_once(monkeypatch):
    walks = []
    check = closure._Walk.check

    def counting(self, fn):
        walks.append(fn)
        return check(self, fn)

    monkeypatch.setattr(closure._Walk, "check", counting)
    step = Trainer(make_linear()).scaled
    jitted = px.jit(step)
    for _ in range(3):
        np.testing.assert_allclose(jitted(X), X * 0.5)
    px.jit(step)
    assert walks == [step, step]
