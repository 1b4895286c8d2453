"""Declaring modules: fields, roles, construction checks, immutability, pytree behaviour."""

from __future__ import annotations

import dataclasses
import gc
import threading
import weakref
from typing import Any, Generic, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Linear
from jaxtyping import Array, Float

import purepax as px

_T = TypeVar("_T")


class CustomLinear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, "o"]

    def __init__(self, i: int, o: int, *, key: jax.Array):
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros(o)

    def __call__(self, x):
        return x @ self.weight + self.bias


class Pair(px.Module):
    first: Any
    second: Any


def _linear(i=2, o=3):
    return Linear(jnp.ones((i, o)), jnp.zeros(o))


def _leaf_names(module):
    return [
        jax.tree_util.keystr(path)
        for path, _ in jax.tree_util.tree_flatten_with_path(module)[0]
    ]


# --- declaring ---------------------------------------------------------------------------


def test_generated_init_positional_and_keyword():
    w, b = jnp.ones((2, 3)), jnp.zeros(3)
    by_position = Linear(w, b)
    by_keyword = Linear(bias=b, weight=w)
    for m in (by_position, by_keyword):
        assert m.weight is w
        assert m.bias is b
    with pytest.raises(TypeError):
        Linear(w)  # pyright: ignore


def test_custom_init(getkey):
    m = CustomLinear(4, 5, key=getkey())
    assert m.weight.shape == (4, 5)
    assert m.bias.shape == (5,)
    assert m(jnp.ones(4)).shape == (5,)


def test_subclass_inherits_custom_init(getkey):
    class Child(CustomLinear):
        def double(self, x):
            return 2 * self(x)

    m = Child(3, 2, key=getkey())
    assert m.weight.shape == (3, 2)
    assert m.double(jnp.ones(3)).shape == (2,)


def test_subclass_adds_fields_to_generated_init():
    class Base(px.Module):
        a: jax.Array

    class Derived(Base):
        b: jax.Array

    m = Derived(jnp.ones(1), jnp.zeros(2))
    assert m.a.shape == (1,)
    assert m.b.shape == (2,)
    assert {f.name for f in dataclasses.fields(m)} >= {"a", "b"}
    assert len(jax.tree_util.tree_leaves(m)) == 2


def test_grandchild_inherits_custom_init_and_adds_defaulted_field(getkey):
    class Child(CustomLinear):
        pass

    class GrandChild(Child):
        extra: int = 5

    m = GrandChild(2, 4, key=getkey())
    assert m.weight.shape == (2, 4)
    assert m.extra == 5


def test_custom_init_calls_generated_parent_init():
    class Parent(px.Module):
        w: jax.Array
        n: int

    class Child(Parent):
        def __init__(self, n: int):
            super().__init__(jnp.ones(n), n)

    m = Child(3)
    assert m.n == 3 and m.w.shape == (3,)
    with pytest.raises(px.ImmutableModuleError):
        m.n = 4


def test_post_init_may_assign():
    class M(px.Module):
        a: jax.Array
        b: jax.Array = px.param(init=False)

        def __post_init__(self):
            self.b = 2 * self.a

    m = M(jnp.ones(2))
    np.testing.assert_array_equal(m.b, jnp.full(2, 2.0))
    with pytest.raises(px.ImmutableModuleError):
        m.b = m.a


def test_field_default_and_default_factory():
    class M(px.Module):
        w: jax.Array = px.param(default_factory=lambda: jnp.ones(3))
        n: int = px.static(default=4)

    m = M()
    assert m.n == 4
    np.testing.assert_array_equal(m.w, jnp.ones(3))
    assert M(n=5).n == 5


def test_field_array_default_is_allowed():
    class M(px.Module):
        w: jax.Array = px.param(default=jnp.zeros(2))

    assert M().w.shape == (2,)


@pytest.mark.parametrize(
    "default", [jnp.array(0), np.zeros(2, np.float32), jax.random.key(0)]
)
def test_array_default_is_copied_for_each_instance(default):
    class M(px.StateModule):
        count: Any = px.state(default=default)

    a, b = M(), M()
    assert a.count is not b.count and a.count is not default
    assert a.count.dtype == default.dtype and type(a.count) is type(default)


def test_donating_one_instance_keeps_the_default_of_the_next():
    class M(px.StateModule):
        count: jax.Array = px.state(default=jnp.array(0))

    step = jax.jit(lambda m: px.replace(m, count=m.count + 1), donate_argnums=0)
    step(M())
    assert (
        int(step(M()).count) == 1
    )  # the default of the second instance was not deleted


def test_field_init_false():
    class M(px.Module):
        w: jax.Array
        hidden: int = px.static(default=7, init=False)

    m = M(jnp.ones(1))
    assert m.hidden == 7
    with pytest.raises(TypeError):
        M(jnp.ones(1), hidden=3)  # pyright: ignore


def test_field_kw_only():
    class M(px.Module):
        w: jax.Array
        k: int = px.static(default=1, kw_only=True)
        j: int = 2

    m = M(jnp.ones(1), 3, k=5)
    assert (m.j, m.k) == (3, 5)
    with pytest.raises(TypeError):
        M(jnp.ones(1), 3, 5)  # pyright: ignore


def test_field_repr_false():
    class M(px.Module):
        w: jax.Array
        secret: str = px.static(default="hidden-value", repr=False)

    text = repr(M(jnp.ones(2)))
    assert "hidden-value" not in text
    assert "secret" not in text
    assert "w=" in text


def test_missing_field_in_custom_init():
    class Forgetful(px.Module):
        a: jax.Array
        b: jax.Array

        def __init__(self):
            self.a = jnp.ones(1)

    with pytest.raises(px.PurepaxError, match=r"(?s)Forgetful.*\bb\b"):
        Forgetful()


def test_dataclass_fields():
    m = _linear()
    assert dataclasses.is_dataclass(m)
    assert dataclasses.is_dataclass(Linear)
    names = [f.name for f in dataclasses.fields(m)]
    assert names.index("weight") < names.index("bias")
    assert {"weight", "bias"} <= set(names)


# --- roles -------------------------------------------------------------------------------


def test_module_arrays_are_parameters_statemodule_arrays_are_state():
    class P(px.Module):
        a: jax.Array

    class S(px.StateModule):
        a: jax.Array
        b: jax.Array = px.param(default_factory=lambda: jnp.ones(1))

    p = px.parameters(P(jnp.ones(2)))
    assert p.a.shape == (2,)
    s = px.parameters(S(jnp.ones(2)))
    assert s.a is None
    assert s.b.shape == (1,)


def test_specifiers_override_annotation():
    class M(px.Module):
        p: jax.Array = px.param()
        s: jax.Array = px.state()
        c: tuple = px.static(default=(1, 2))

    m = M(jnp.ones(1), jnp.ones(2))
    params = px.parameters(m)
    assert params.p is not None
    assert params.s is None
    assert jax.tree_util.tree_leaves(m) == [m.p, m.s]
    assert m.c == (1, 2)
    other = M(jnp.ones(1), jnp.ones(2), c=(3,))
    assert jax.tree_util.tree_structure(m) != jax.tree_util.tree_structure(other)


@pytest.mark.parametrize(
    "value, n_leaves",
    [
        ((1, 2), 0),
        ("text", 0),
        (3.5, 0),
        (jnp.ones(2), 1),
        ((jnp.ones(2), jnp.ones(3)), 2),
        ({"a": jnp.ones(2)}, 1),
        ([jnp.ones(1), jnp.ones(1), jnp.ones(1)], 3),
    ],
)
def test_undecided_annotation_role_from_value(value, n_leaves):
    class M(px.Module):
        x: Any

    m = M(value)
    assert len(jax.tree_util.tree_leaves(m)) == n_leaves


def test_undecided_tuple_and_dict_annotations():
    class M(px.Module):
        t: tuple
        d: dict
        a: Any

    static = M((1, 2), {"k": jnp.ones(1)}, "s")
    assert jax.tree_util.tree_leaves(static) == [static.d["k"]]
    assert static.t == (1, 2)
    dynamic = M((jnp.ones(1), jnp.ones(2)), {"k": jnp.ones(3)}, jnp.ones(4))
    assert len(jax.tree_util.tree_leaves(dynamic)) == 4


@pytest.mark.parametrize(
    "value", [{}, {"name": "relu", "depth": 2}], ids=["empty", "static-items"]
)
def test_dict_in_value_decided_field_is_a_child_even_without_arrays(value):
    class M(px.Module):
        d: dict
        a: Any

    m = M(value, dict(value))
    assert dict(m.d) == value and dict(m.a) == value
    assert jax.tree_util.tree_leaves(m) == []
    rebuilt = jax.jit(lambda m: m)(m)
    assert dict(rebuilt.d) == value


def test_module_and_container_of_modules_are_children():
    class Net(px.Module):
        layer: Linear
        layers: tuple[Linear, ...]
        by_name: dict[str, Linear]
        act: Any = jax.nn.relu

    net = Net(_linear(), (_linear(), _linear()), {"x": _linear()})
    assert len(jax.tree_util.tree_leaves(net)) == 8
    assert _leaf_names(net) == [
        ".layer.weight",
        ".layer.bias",
        ".layers[0].weight",
        ".layers[0].bias",
        ".layers[1].weight",
        ".layers[1].bias",
        ".by_name['x'].weight",
        ".by_name['x'].bias",
    ]


@pytest.mark.parametrize("annotation_value", [(int, 3), (str, "relu"), (float, 0.5)])
def test_plain_annotations_are_static(annotation_value):
    tp, value = annotation_value

    class M(px.Module):
        w: jax.Array
        cfg: tp  # type: ignore[valid-type]

    m = M(jnp.ones(1), value)
    assert jax.tree_util.tree_leaves(m) == [m.w]
    assert m.cfg == value
    rebuilt = jax.tree_util.tree_unflatten(
        jax.tree_util.tree_structure(m), [jnp.zeros(1)]
    )
    assert rebuilt.cfg == value


def test_container_mixing_modules_and_callables():
    class Seq(px.Module):
        layers: list

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    seq = Seq(
        [
            Linear(jnp.ones((1, 1)), jnp.zeros(1)),
            jax.nn.relu,
            Linear(2 * jnp.ones((1, 1)), jnp.ones(1)),
        ]
    )
    assert isinstance(seq.layers, tuple)
    assert seq.layers[1] is jax.nn.relu
    assert len(jax.tree_util.tree_leaves(seq)) == 4
    assert jax.tree_util.tree_structure(seq).num_leaves == 4
    np.testing.assert_allclose(
        jax.jit(lambda s, x: s(x))(seq, -jnp.ones(1)), jnp.ones(1)
    )
    np.testing.assert_allclose(
        jax.jit(lambda s, x: s(x))(seq, jnp.ones(1)), jnp.full(1, 3.0)
    )


def test_callable_is_static():
    class M(px.Module):
        w: jax.Array
        fn: Any = jax.nn.relu

    m = M(jnp.ones(1))
    assert m.fn is jax.nn.relu
    assert jax.tree_util.tree_leaves(m) == [m.w]


def test_optional_array_and_module_fields():
    class MaybeBias(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"] | None = None

    class Holder(px.Module):
        sub: Linear | None = None

    no_bias = MaybeBias(jnp.ones((2, 3)))
    assert no_bias.bias is None
    assert jax.tree_util.tree_leaves(no_bias) == [no_bias.weight]
    assert px.parameters(no_bias).bias is None
    assert len(jax.tree_util.tree_leaves(MaybeBias(jnp.ones((2, 3)), jnp.ones(3)))) == 2
    assert jax.tree_util.tree_leaves(Holder()) == []
    assert len(jax.tree_util.tree_leaves(Holder(_linear()))) == 2


def test_first_construction_from_many_threads():
    class Fresh(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

    barrier = threading.Barrier(4)
    built, errors = [], []

    def work():
        barrier.wait(10)
        try:
            built.append(Fresh(jnp.ones((2, 3)), jnp.zeros(3)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(built) == 4
    assert len({jax.tree_util.tree_structure(m) for m in built}) == 1


# --- pytree ------------------------------------------------------------------------------


def test_leaves_and_static_fields_in_treedef():
    class M(px.Module):
        w: jax.Array
        name: str = "layer"

    a, b = M(jnp.ones(2)), M(jnp.ones(2), "other")
    assert jax.tree_util.tree_leaves(a) == [a.w]
    assert jax.tree_util.tree_structure(a) != jax.tree_util.tree_structure(b)
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(
        M(jnp.zeros(2))
    )


def test_unflatten_round_trip():
    m = _linear()
    leaves, treedef = jax.tree_util.tree_flatten(m)
    new = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(new) is Linear
    assert new is not m
    assert new.weight is m.weight and new.bias is m.bias


def test_tree_map_round_trip():
    m = _linear()
    doubled = jax.tree.map(lambda x: 2 * x + 1, m)
    assert type(doubled) is Linear
    np.testing.assert_array_equal(doubled.weight, 2 * m.weight + 1)
    np.testing.assert_array_equal(doubled.bias, 2 * m.bias + 1)


def test_raw_jit_round_trip():
    calls = []

    @jax.jit
    def step(m, x):
        calls.append(None)
        return jax.tree.map(lambda p: p - 0.1, m), m(x)

    m = _linear()
    new, y = step(m, jnp.ones(2))
    assert type(new) is Linear
    np.testing.assert_allclose(new.weight, m.weight - 0.1)
    np.testing.assert_allclose(y, jnp.full(3, 2.0))
    step(new, jnp.ones(2))
    assert len(calls) == 1  # same structure: no retrace


def test_key_paths():
    class Outer(px.Module):
        inner: Linear
        layers: list

    o = Outer(_linear(), [_linear(1, 1)])
    assert _leaf_names(o) == [
        ".inner.weight",
        ".inner.bias",
        ".layers[0].weight",
        ".layers[0].bias",
    ]
    keys = jax.tree_util.tree_flatten_with_path(o)[0][0][0]
    assert keys[0] == jax.tree_util.GetAttrKey("inner")


def test_rebuilt_module_is_immutable():
    m = jax.tree.map(lambda x: x, _linear())
    with pytest.raises(px.ImmutableModuleError):
        m.bias = jnp.ones(3)


# --- immutability ------------------------------------------------------------------------


def test_setattr_outside_construction():
    m = _linear()
    with pytest.raises(px.ImmutableModuleError) as info:
        m.bias = jnp.ones(3)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, px.PurepaxError)
    message = str(info.value)
    assert "Linear" in message
    assert "bias" in message
    assert "immutable" in message.lower()
    assert "px.pure" in message  # the fix


def test_delattr_outside_construction():
    m = _linear()
    with pytest.raises(px.ImmutableModuleError, match="bias"):
        del m.bias
    assert m.bias.shape == (3,)


def test_immutable_error_is_caught_as_value_error():
    m = _linear()
    with pytest.raises(ValueError):
        m.weight = m.weight


def test_fields_are_readable():
    m = _linear()
    assert m.weight.shape == (2, 3)
    assert m.training is True


# --- fixed fields ------------------------------------------------------------------------


def test_unknown_attribute_refused_outside_pure():
    m = _linear()
    with pytest.raises(px.PurepaxError):
        m.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(m, "extra")


def test_unknown_attribute_refused_on_view():
    @px.pure
    def fn(m):
        m.extra = 1
        return m

    with pytest.raises(px.PurepaxError, match="extra"):
        fn(_linear())


def test_delete_refused_on_view():
    @px.pure
    def fn(m):
        del m.bias
        return m

    with pytest.raises(px.PurepaxError, match="bias"):
        fn(_linear())


def test_unknown_attribute_refused_in_init():
    class Sloppy(px.Module):
        a: jax.Array

        def __init__(self):
            self.a = jnp.ones(1)
            self.b = jnp.ones(1)

    with pytest.raises(px.PurepaxError, match=r"(?s)Sloppy.*'b'|'b'.*Sloppy"):
        Sloppy()


# --- frozen containers -------------------------------------------------------------------


class Stack(px.Module):
    layers: list
    cfg: dict

    def __init__(self, n: int):
        self.layers = []
        for i in range(n):
            self.layers.append(Linear(jnp.ones((2, 2)) * i, jnp.zeros(2)))
        self.cfg = {"w": jnp.ones(1)}


def test_list_built_step_by_step_in_init_becomes_tuple():
    s = Stack(3)
    assert isinstance(s.layers, tuple)
    assert len(s.layers) == 3
    assert float(s.layers[2].weight[0, 0]) == 2.0


def test_typed_containers_built_step_by_step():
    class Net(px.Module):
        layers: list[Linear]
        heads: dict[str, Linear]
        sizes: list[int]

        def __init__(self):
            self.layers = []
            self.heads = {}
            self.sizes = []
            for i in range(1, 3):
                self.layers.append(_linear(i, i))
                self.heads[f"h{i}"] = _linear(i, 1)
                self.sizes.append(i)

    net = Net()
    assert isinstance(net.layers, tuple) and len(net.layers) == 2
    assert not isinstance(net.heads, dict)
    assert sorted(net.heads) == ["h1", "h2"]
    assert net.sizes == (1, 2)
    assert len(jax.tree_util.tree_leaves(net)) == 8
    assert (1, 2) == jax.tree_util.tree_unflatten(
        jax.tree_util.tree_structure(net), jax.tree_util.tree_leaves(net)
    ).sizes
    with pytest.raises(px.PurepaxError):
        px.replace(net, sizes=["not", "ints"])


def test_frozen_list_cannot_append():
    s = Stack(2)
    with pytest.raises(AttributeError):
        s.layers.append(_linear(2, 2))  # type: ignore[attr-defined]
    assert len(s.layers) == 2


def test_frozen_dict_is_read_only():
    s = Stack(1)
    assert not isinstance(s.cfg, dict)
    assert s.cfg["w"].shape == (1,)
    with pytest.raises(TypeError):
        s.cfg["w"] = jnp.zeros(1)  # type: ignore[index]
    with pytest.raises((TypeError, AttributeError)):
        s.cfg.update(w=jnp.zeros(1))  # type: ignore[attr-defined]
    assert float(s.cfg["w"][0]) == 1.0


def test_list_assigned_in_pure_is_frozen():
    @px.pure
    def fn(s):
        s.layers = [Linear(jnp.ones((2, 2)), jnp.zeros(2))]
        return s

    new = fn(Stack(2))
    assert isinstance(new.layers, tuple)
    assert len(new.layers) == 1


# --- static values -----------------------------------------------------------------------


class Static(px.Module):
    value: Any = px.static()


def test_static_list_becomes_tuple():
    m = Static([1, [2, 3]])
    assert m.value == (1, (2, 3))
    hash(jax.tree_util.tree_structure(m))


@pytest.mark.parametrize(
    "value", [{"a": 1}, {1, 2}, bytearray(b"x")], ids=["dict", "set", "bytearray"]
)
def test_static_unhashable_refused(value):
    with pytest.raises(px.PurepaxError, match=r"(?s)Static.*value|value.*Static"):
        Static(value)


@pytest.mark.parametrize(
    "value", [jnp.ones(2), np.ones(2), (1, jnp.ones(1))], ids=["jax", "numpy", "tuple"]
)
def test_static_array_refused(value):
    with pytest.raises(px.PurepaxError, match="Static"):
        Static(value)


def test_static_module_refused():
    with pytest.raises(px.PurepaxError):
        Static(_linear())


# --- values contradicting their role -----------------------------------------------------


@pytest.mark.parametrize("value", ["not an array", (jnp.ones(1), "text"), object()])
def test_parameter_field_refuses_non_array(value):
    class M(px.Module):
        w: Any = px.param()

    with pytest.raises(px.PurepaxError, match=r"M\.w|\bw\b"):
        M(value)


def test_parameter_field_refuses_module():
    class M(px.Module):
        w: Any = px.param()

    with pytest.raises(px.FieldError, match=r"M\.w.*px\.state\(\)"):
        M(_linear())


class Student(px.StateModule):
    net: Linear
    ema: Linear = px.state()  # a whole submodule kept as state
    steps: jax.Array = px.state(default_factory=lambda: jnp.array(0))

    def update_ema(self, decay: float) -> None:
        self.ema = jax.tree.map(
            lambda e, p: decay * e + (1 - decay) * p, self.ema, self.net
        )
        self.steps = self.steps + 1


def test_state_specifier_on_a_module_field_makes_the_whole_submodule_state():
    student = Student(_linear(), _linear())
    params = px.parameters(student)
    assert params.ema.weight is None and params.ema.bias is None
    assert params.net.weight is not None
    grads = px.grad(lambda s, x: jnp.sum(s.net(x)) + jnp.sum(s.ema(x)))(
        student, jnp.ones((1, 2))
    )
    assert grads.ema.weight is None and grads.net.weight is not None
    kept = px.update_parameters(student, jax.tree.map(lambda g: 0 * g, grads))
    assert kept.ema is student.ema
    np.testing.assert_array_equal(kept.net.weight, jnp.zeros_like(student.net.weight))


def test_a_state_submodule_is_updated_through_pure():
    student = Student(_linear(), px.replace(_linear(), weight=jnp.zeros((2, 3))))
    student, _ = px.purecall(student.update_ema, 0.5)
    np.testing.assert_allclose(student.ema.weight, 0.5 * student.net.weight)
    assert int(student.steps) == 1


def test_module_field_refuses_array():
    class M(px.Module):
        sub: Linear

    with pytest.raises(px.PurepaxError):
        M(jnp.ones(2))  # type: ignore[arg-type]


def test_static_value_via_pure_refused():
    @px.pure
    def fn(m):
        m.value = jnp.ones(2)
        return m

    with pytest.raises(px.PurepaxError):
        fn(Static(1))


# --- sharing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda l: Pair(l, l),
        lambda l: Pair(l, [l]),
        lambda l: Pair((l, l), None),
        lambda l: Pair({"a": l}, {"b": l}),
        lambda l: Pair(Pair(l, 1), l),
    ],
    ids=["fields", "field-and-list", "tuple", "dicts", "nested"],
)
def test_one_module_at_two_places_refused(build):
    shared = _linear()
    with pytest.raises(
        px.PurepaxError, match=r"(?i)two places|twice|shared|share"
    ) as info:
        build(shared)
    message = str(info.value)
    assert "Linear" in message
    assert "explicit" in message.lower()  # the fix: pass the shared module explicitly


def test_one_module_at_two_places_refused_on_view():
    @px.pure
    def fn(p):
        p.second = p.first
        return p

    with pytest.raises(px.PurepaxError):
        fn(Pair(_linear(), _linear()))


def test_sharing_by_passing_explicitly():
    shared = _linear()
    p = Pair(_linear(), 1)

    @px.pure
    def fn(p, shared, x):
        return p.first(x) + shared(x)

    out = fn(p, shared, jnp.ones(2))
    np.testing.assert_allclose(out, jnp.full(3, 4.0))


def test_equal_but_distinct_modules_allowed():
    p = Pair(_linear(), _linear())
    assert len(jax.tree_util.tree_leaves(p)) == 4


# --- runtime type checks -----------------------------------------------------------------


def test_typecheck_accepts_matching_shapes():
    m = Linear(jnp.ones((4, 5)), jnp.zeros(5))
    assert m.weight.shape == (4, 5)


@pytest.mark.parametrize(
    "weight, bias",
    [
        (jnp.ones((2, 3)), jnp.zeros(4)),  # "o" bound to 3 by weight, 4 by bias
        (jnp.ones((2,)), jnp.zeros(2)),  # wrong rank
        (jnp.ones((2, 3), dtype=jnp.int32), jnp.zeros(3)),  # not float
    ],
    ids=["bound-dimension", "rank", "dtype"],
)
def test_typecheck_refuses_mismatch(weight, bias):
    with pytest.raises(px.PurepaxError, match="Linear"):
        Linear(weight, bias)


def test_typecheck_message_names_class_and_field():
    with pytest.raises(px.PurepaxError) as info:
        Linear(jnp.ones((2, 3)), jnp.zeros(4))
    message = str(info.value)
    assert "Linear" in message
    assert "bias" in message
    assert "PUREPAX_TYPECHECK" in message or "annotation" in message


def test_typecheck_custom_init(getkey):
    class Bad(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

        def __init__(self, *, key):
            self.weight = jax.random.normal(key, (2, 3))
            self.bias = jnp.zeros(7)

    with pytest.raises(px.PurepaxError, match="Bad"):
        Bad(key=getkey())


def test_typecheck_plain_annotation():
    class M(px.Module):
        n: int = px.static(default=1)

    with pytest.raises(px.PurepaxError):
        M(n="three")  # type: ignore[arg-type]


def test_typecheck_replace():
    m = _linear()
    with pytest.raises(px.PurepaxError):
        px.replace(m, bias=jnp.zeros(7))


def test_typecheck_off(monkeypatch):
    monkeypatch.setenv("PUREPAX_TYPECHECK", "0")
    m = Linear(jnp.ones((2, 3)), jnp.zeros(4))  # type: ignore[purepax-shape]  # the check is off
    assert m.bias.shape == (4,)


def test_typecheck_never_on_unflatten():
    m = _linear()
    batched = jax.tree.map(lambda x: x[None], m)  # weight (1, 2, 3), bias (1, 3)
    assert batched.weight.shape == (1, 2, 3)
    assert type(batched) is Linear
    mismatched = jax.tree_util.tree_unflatten(
        jax.tree_util.tree_structure(m), [jnp.ones((5, 6)), jnp.zeros(9)]
    )
    assert mismatched.bias.shape == (9,)


def test_vmap_over_stacked_modules():
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), _linear(), _linear())
    out = jax.vmap(lambda m, x: m(x))(stacked, jnp.ones((2, 2)))
    assert out.shape == (2, 3)


# --- copies share static values ------------------------------------------------------------


class Configured(px.StateModule):
    count: jax.Array
    cfg: tuple = px.static(default=("a", 1))

    def __call__(self):
        self.count = self.count + 1
        return self.count


@pytest.mark.parametrize(
    "copy",
    [
        lambda m: px.purecall(m)[0],
        lambda m: px.replace(m, count=jnp.array(5)),
        lambda m: px.eval_mode(m),
        lambda m: px.train_mode(m),
        lambda m: px.update_parameters(m, px.parameters(m)),
        lambda m: px.parameters(m),
        lambda m: jax.tree.map(lambda x: x, m),
    ],
    ids=[
        "purecall",
        "replace",
        "eval_mode",
        "train_mode",
        "update_parameters",
        "parameters",
        "tree_map",
    ],
)
def test_copies_share_static_values(copy):
    m = Configured(jnp.array(0), cfg=("name", ("nested", 2)))
    assert copy(m).cfg is m.cfg


def test_copy_does_not_retrace_jit():
    traces = []

    @jax.jit
    def f(m):
        traces.append(None)
        return m.count + 1

    m = Configured(jnp.array(0))
    f(m)
    f(px.purecall(m)[0])
    f(px.replace(m, count=jnp.array(3)))
    assert len(traces) == 1


# --- repr and weak references ------------------------------------------------------------


def test_repr_shows_shapes_and_dtypes_not_contents():
    class M(px.Module):
        w: jax.Array
        i: jax.Array
        name: str = "model"

    m = M(jnp.arange(1000.0).reshape(10, 100) + 12345.0, jnp.arange(3, dtype=jnp.int32))
    text = repr(m)
    assert text.startswith("M(")
    assert "10" in text and "100" in text
    assert "f32" in text or "float32" in text
    assert "i32" in text or "int32" in text
    assert "12345" not in text
    assert "model" in text


def test_repr_nested():
    p = Pair(_linear(), (_linear(4, 5),))
    text = repr(p)
    assert "Pair(" in text and "Linear(" in text
    assert "4,5" in text.replace(" ", "")


def test_weakref():
    m = _linear()
    ref = weakref.ref(m)
    assert ref() is m
    del m
    gc.collect()
    assert ref() is None


def test_training_flag_defaults_true_and_is_static():
    m = _linear()
    assert m.training is True
    assert jax.tree_util.tree_leaves(m) == [m.weight, m.bias]
    assert jax.tree_util.tree_structure(m) != jax.tree_util.tree_structure(
        px.eval_mode(m)
    )


class Box(px.Module, Generic[_T]):
    value: jax.Array
    label: _T


class HoldsGenericBoxes(px.Module):
    box: Box[str]
    boxes: tuple[Box[int], ...]


def test_parametrised_generic_module_annotation_is_a_child():
    holder = HoldsGenericBoxes(Box(jnp.ones(2), "a"), (Box(jnp.zeros(3), 1),))
    assert len(jax.tree_util.tree_leaves(holder)) == 2
    grads = px.grad(lambda m: jnp.sum(m.box.value) + jnp.sum(m.boxes[0].value))(holder)
    np.testing.assert_array_equal(grads.box.value, jnp.ones(2))
    assert grads.boxes[0].label == 1


class Resettable(px.StateModule):
    count: jax.Array

    def reset(self):
        self.count = jnp.zeros_like(self.count)


def test_changing_a_finished_submodule_in_init_says_what_happened():
    class Net(px.Module):
        norm: Resettable

        def __init__(self):
            self.norm = Resettable(jnp.ones(()))
            self.norm.reset()

    with pytest.raises(
        px.ImmutableModuleError, match=r"finished module.*Net\.__init__.*px\.purecall"
    ) as info:
        Net()
    assert "outside px.pure" not in str(info.value)


def test_a_submodule_updated_through_purecall_in_init():
    class Net(px.Module):
        norm: Resettable

        def __init__(self):
            self.norm, _ = px.purecall(Resettable(jnp.ones(())).reset)

    assert float(Net().norm.count) == 0.0
