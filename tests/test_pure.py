"""`px.pure` and `px.purecall`: copies, views, nesting, unreturned updates, leaks, threads."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import Counter
from jaxtyping import Array, Float

import purepax as px


class Wrapper(px.Module):
    counter: Counter
    scale: float = 1.0

    def __call__(self, x):
        return self.counter(x) * self.scale


class Deep(px.Module):
    wrappers: tuple[Wrapper, ...]

    def __call__(self, x):
        for w in self.wrappers:
            x = w(x)
        return x


def _deep(n=2):
    return Deep(tuple(Wrapper(Counter()) for _ in range(n)))


# --- copies ------------------------------------------------------------------------------


def test_pure_works_on_copies():
    c = Counter()
    seen = []

    @px.pure
    def fn(c):
        seen.append(c)
        c(1)
        return c

    new = fn(c)
    assert seen[0] is not c
    assert new is not c
    assert int(c.count) == 0
    assert int(new.count) == 1


def test_caller_module_never_changes_even_when_fn_raises():
    c = Counter()

    @px.pure
    def fn(c):
        c(1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fn(c)
    assert int(c.count) == 0


def test_modules_inside_containers_are_copied():
    a, b = Counter(), Counter()

    @px.pure
    def fn(pair, named):
        pair[0](1)
        named["b"](1)
        return pair, named

    pair, named = fn((a, 1), named={"b": b})
    assert int(pair[0].count) == 1 and int(named["b"].count) == 1
    assert int(a.count) == 0 and int(b.count) == 0
    assert pair[1] == 1


def test_non_module_arguments_passed_through():
    x = jnp.arange(3)
    obj = object()

    @px.pure
    def fn(c, x, obj, *, flag):
        return c, x, obj, flag

    _, x2, obj2, flag = fn(Counter(), x, obj, flag=True)
    assert x2 is x and obj2 is obj and flag is True


def test_same_module_twice_in_arguments_is_one_view():
    c = Counter()

    @px.pure
    def fn(a, b):
        assert a is b
        a(1)
        return a

    assert int(fn(c, c).count) == 1


# --- views: mutable inside, immutable after ----------------------------------------------


def test_view_immutable_after_call():
    views = []

    @px.pure
    def fn(c):
        views.append(c)
        c(1)
        return c

    out = fn(Counter())
    for module in (views[0], out):
        with pytest.raises(px.ImmutableModuleError):
            module.count = jnp.array(5)


def test_view_immutable_after_fn_raised():
    views = []

    @px.pure
    def fn(c):
        views.append(c)
        raise KeyError("x")

    with pytest.raises(KeyError):
        fn(Counter())
    with pytest.raises(px.ImmutableModuleError):
        views[0].count = jnp.array(5)
    with pytest.raises(px.ImmutableModuleError):
        views[0](1)


escaped_global = None


def test_view_escaped_through_global_is_immutable_after():
    @px.pure
    def fn(c):
        global escaped_global
        escaped_global = c
        return c

    fn(Counter())
    with pytest.raises(px.ImmutableModuleError):
        escaped_global.count = jnp.array(3)  # type: ignore[union-attr]


def test_submodule_view_escaped_is_immutable_after():
    escaped = []

    @px.pure
    def fn(d):
        escaped.append(d.wrappers[1].counter)
        return d

    fn(_deep())
    with pytest.raises(px.ImmutableModuleError):
        escaped[0](1)


def test_output_of_pure_is_not_mutable():
    new, _ = px.purecall(Counter(), 1)
    with pytest.raises(px.ImmutableModuleError):
        new(1)


def test_repeated_purecall_accumulates():
    c = Counter()
    for _ in range(4):
        c, _ = px.purecall(c, 1)
    assert int(c.count) == 4


# --- purecall ----------------------------------------------------------------------------


def test_purecall_module():
    c = Counter()
    new, y = px.purecall(c, jnp.array(3.0))
    assert isinstance(new, Counter)
    assert float(y) == 3.0
    assert int(new.count) == 1
    assert int(c.count) == 0


def test_purecall_bound_method_with_kwargs():
    c = Counter()
    new, total = px.purecall(c.add, 2, times=3)
    assert isinstance(new, Counter)
    assert new is not c
    assert int(total) == 6
    assert int(new.count) == 6
    assert int(c.count) == 0


def test_purecall_read_only_method():
    c, _ = px.purecall(Counter(), 1)
    same, value = px.purecall(c.peek)
    assert int(value) == 1
    assert int(same.count) == 1


def test_purecall_refuses_plain_function():
    with pytest.raises(TypeError):
        px.purecall(lambda x: x, 1)


def test_submodule_propagation():
    d = _deep(3)
    new, y = px.purecall(d, 2.0)
    assert float(y) == 2.0
    assert [int(w.counter.count) for w in new.wrappers] == [1, 1, 1]
    assert [int(w.counter.count) for w in d.wrappers] == [0, 0, 0]


def test_submodules_are_views_too():
    @px.pure
    def fn(w):
        w.counter.count = jnp.array(10)
        w.counter(1)
        return w

    out = fn(Wrapper(Counter()))
    assert int(out.counter.count) == 11


# --- nested pure -------------------------------------------------------------------------


def test_nested_pure_only_inner_arguments_mutable():
    events = []

    @px.pure
    def outer(a, b):
        @px.pure
        def inner(b):
            with pytest.raises(px.ImmutableModuleError, match="Counter"):
                a.count = a.count + 10
            b(1)
            events.append("inner")
            return b

        b = inner(b)
        a(1)  # mutable again once the inner call returned
        return a, b

    a, b = outer(Counter(), Counter())
    assert events == ["inner"]
    assert int(a.count) == 1
    assert int(b.count) == 1


def test_nested_purecall_on_outer_view():
    @px.pure
    def outer(c):
        c(1)
        inner_copy, _ = px.purecall(c, 1)
        assert int(c.count) == 1  # the inner call worked on its own copy
        c(1)
        return c, inner_copy

    c, inner_copy = outer(Counter())
    assert int(c.count) == 2
    assert int(inner_copy.count) == 2


def test_inner_view_immutable_in_outer_after_inner_returned():
    leaked = []

    @px.pure
    def outer(c):
        @px.pure
        def inner(d):
            leaked.append(d)
            return d

        inner(Counter())
        with pytest.raises(px.ImmutableModuleError):
            leaked[0](1)
        return c

    outer(Counter())


# --- unreturned updates ------------------------------------------------------------------


def test_unreturned_update_raises():
    @px.pure
    def fn(c):
        return c(1)

    with pytest.raises(px.UnreturnedUpdateError) as info:
        fn(Counter())
    assert isinstance(info.value, px.PurepaxError)
    assert "Counter" in str(info.value)
    assert "return" in str(info.value).lower()


def test_unreturned_update_of_submodule_raises():
    @px.pure
    def fn(w):
        return w.counter(1)

    with pytest.raises(px.UnreturnedUpdateError, match="Wrapper|Counter"):
        fn(Wrapper(Counter()))


def test_returning_only_the_submodule_is_not_enough():
    @px.pure
    def fn(w):
        w.counter(1)
        return w.counter

    with pytest.raises(px.UnreturnedUpdateError):
        fn(Wrapper(Counter()))


def test_one_of_two_arguments_unreturned():
    @px.pure
    def fn(a, b):
        a(1)
        b(1)
        return a

    with pytest.raises(px.UnreturnedUpdateError, match="changed its argument b "):
        fn(Counter(), Counter())


def test_a_changed_argument_returned_through_tree_map_counts_as_returned():
    # A gymnax-style auto-reset: the state is rebuilt from a fresh one and the stepped one.
    @px.pure
    def step_and_reset(env, done):
        env(1)
        fresh = Counter()
        return jax.tree.map(lambda a, b: jnp.where(done, a, b), fresh, env)

    assert int(step_and_reset(Counter(), jnp.array(False)).count) == 1
    assert int(step_and_reset(Counter(), jnp.array(True)).count) == 0


@pytest.mark.parametrize(
    "rebuild",
    [
        lambda c: jax.tree.map(lambda x: x, c),
        lambda c: jax.tree.map(lambda x: x + 0, c),
    ],
    ids=["identity", "arithmetic"],
)
def test_a_module_rebuilt_from_the_changed_argument_counts_as_returned(rebuild):
    out = px.pure(lambda c: rebuild(c) if c(1) is not None else None)(Counter())
    assert int(out.count) == 1


def test_returning_the_module_given_instead_of_the_view_is_refused():
    given = Counter()

    @px.pure
    def fn(c):
        c(1)
        return given  # the caller's module, not the changed copy

    with pytest.raises(px.UnreturnedUpdateError):
        fn(given)


def test_a_rebuilt_module_of_another_type_does_not_count():
    @px.pure
    def fn(w):
        w.counter(1)
        return jax.tree.map(lambda x: x, w.counter)

    with pytest.raises(px.UnreturnedUpdateError):
        fn(Wrapper(Counter()))


def test_another_arguments_copy_does_not_count():
    @px.pure
    def fn(a, b):
        a(1)
        return px.replace(b, count=b.count + 1)

    with pytest.raises(px.UnreturnedUpdateError, match="changed its argument a "):
        fn(Counter(), Counter())


@pytest.mark.parametrize(
    "pack",
    [
        lambda c, y: c,
        lambda c, y: (c, y),
        lambda c, y: (y, (c,)),
        lambda c, y: {"model": c, "y": y},
        lambda c, y: [y, {"aux": (1, c)}],
        lambda c, y: (Wrapper(c), y),
    ],
    ids=["bare", "tuple", "nested-tuple", "dict", "aux", "inside-new-module"],
)
def test_returned_anywhere_in_output_is_fine(pack):
    @px.pure
    def fn(c):
        return pack(c, c(1))

    out = fn(Counter())
    modules = jax.tree_util.tree_leaves(out, is_leaf=lambda x: isinstance(x, px.Module))
    modules = [m.counter if isinstance(m, Wrapper) else m for m in modules]
    found = [m for m in modules if isinstance(m, Counter)]
    assert len(found) == 1
    assert int(found[0].count) == 1


def test_unchanged_argument_need_not_be_returned():
    @px.pure
    def fn(c, x):
        return c.peek() + x

    assert int(fn(Counter(), 2)) == 2


def test_drop_update_on_purpose():
    c = Counter()
    _, y = px.purecall(c, 5)
    assert y == 5
    assert int(c.count) == 0


def test_an_unreturned_update_names_the_parameter_as_declared():
    @px.pure
    def step(x, model):
        model(x)
        return x

    message = (
        r"^test_.*step changed its argument model \(a Counter: Counter\.count was set\)"
    )
    with pytest.raises(px.UnreturnedUpdateError, match=message):
        step(1, Counter())
    with pytest.raises(px.UnreturnedUpdateError, match="changed its argument model "):
        step(1, model=Counter())


def test_an_unreturned_update_names_a_keyword_only_parameter():
    @px.pure
    def step(x, *, model, scale=1.0):
        model(x)
        return x * scale

    with pytest.raises(px.UnreturnedUpdateError, match="changed its argument model "):
        step(1, model=Counter())


class Owner(px.Module):
    counter: Counter

    @px.pure
    def step(self, x):
        self.counter(x)
        return x

    def forget(self, other: Counter):
        other(1)
        return self


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda owner: owner.step(1), "self"),  # a method run by px.pure: its instance
        (lambda owner: px.pure(owner.step.__wrapped__)(owner, 1), "self"),
        (
            lambda owner: px.purecall(owner.forget, Counter()),
            "other",
        ),  # bound: `self` is returned
    ],
    ids=["pure_method", "pure_function", "purecall_method"],
)
def test_an_unreturned_update_in_a_method_names_its_parameter(call, name):
    message = rf"Owner\.(step|forget) changed its argument {name}(\.counter)? \("
    with pytest.raises(px.UnreturnedUpdateError, match=message):
        call(Owner(Counter()))


class _NoSignature:
    """A callable whose signature Python cannot read (as for some C functions)."""

    __signature__ = "unreadable"

    def __call__(self, *args):
        args[0](1)


@pytest.mark.parametrize(
    "fn, args, kwargs, name",
    [
        (
            lambda *args: args[1](1),
            (0, Counter()),
            {},
            r"args\[1\]",
        ),  # no name but `args`
        (lambda first, *rest: rest[0](1), (0, Counter()), {}, r"rest\[0\]"),
        (
            lambda **options: options["model"](1),
            (),
            {"model": Counter()},
            r"options\['model'\]",
        ),
        (
            lambda pair: pair[1](1),
            ((0, Counter()),),
            {},
            r"pair\[1\]",
        ),  # inside a container
        (
            lambda config: config["m"].counter(1),
            ({"m": Wrapper(Counter())},),
            {},
            r"config\['m'\]",
        ),
        (_NoSignature(), (Counter(),), {}, r"args\[0\]"),
    ],
    ids=[
        "star_args",
        "star_named",
        "star_star_kwargs",
        "in_a_tuple",
        "in_a_dict",
        "no_signature",
    ],
)
def test_an_unreturned_update_names_the_best_name_there_is(fn, args, kwargs, name):
    with pytest.raises(
        px.UnreturnedUpdateError, match=rf"changed its argument {name} \("
    ):
        px.pure(fn)(*args, **kwargs)


# --- no strong references kept -----------------------------------------------------------


def test_no_reference_to_inputs_or_views_kept():
    views = []

    @px.pure
    def fn(c):
        views.append(weakref.ref(c))
        c(1)
        return c

    c = Counter()
    input_ref = weakref.ref(c)
    out = fn(c)
    out_ref = weakref.ref(out)
    del c, out
    gc.collect()
    assert input_ref() is None
    assert views[0]() is None
    assert out_ref() is None


def test_no_reference_kept_after_error():
    refs = []

    @px.pure
    def fn(c):
        refs.append(weakref.ref(c))
        c(1)
        return None

    c = Counter()
    refs.append(weakref.ref(c))
    with pytest.raises(px.UnreturnedUpdateError):
        fn(c)
    del c
    gc.collect()
    assert all(r() is None for r in refs)


def test_purecall_keeps_no_reference():
    c = Counter()
    ref = weakref.ref(c)
    new, _ = px.purecall(c, 1)
    new_ref = weakref.ref(new)
    del c, new
    gc.collect()
    assert ref() is None
    assert new_ref() is None


# --- threads and asyncio tasks -----------------------------------------------------------


def test_threads_have_their_own_pure_context():
    views = []
    inside, release = threading.Event(), threading.Event()
    results = {}

    @px.pure
    def hold(c):
        views.append(c)
        inside.set()
        release.wait(10)
        c(1)  # still mutable in its own thread
        return c

    def worker():
        results["worker"] = hold(Counter())

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert inside.wait(10)
        # Another thread's view is not mutable here, even while that call runs ...
        with pytest.raises(px.ImmutableModuleError):
            views[0].count = jnp.array(99)
        # ... and this thread can run its own pure calls meanwhile.
        mine, _ = px.purecall(Counter(), 1)
        assert int(mine.count) == 1
    finally:
        release.set()
        thread.join(10)
    assert int(results["worker"].count) == 1


def test_thread_started_inside_pure_cannot_mutate_the_view():
    errors = []

    @px.pure
    def fn(c):
        def worker():
            try:
                c.count = jnp.array(5)
            except px.ImmutableModuleError as error:
                errors.append(error)

        t = threading.Thread(target=worker)
        t.start()
        t.join(10)
        c(1)  # still mutable in the calling thread
        return c

    out = fn(Counter())
    assert len(errors) == 1
    assert int(out.count) == 1


def test_many_threads_purecall():
    def work(n):
        c = Counter()
        for _ in range(n):
            c, _ = px.purecall(c, 1)
        return int(c.count)

    results = [None] * 4
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, work(i + 3)))
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [3, 4, 5, 6]


def test_view_from_pure_in_thread_cannot_be_mutated_from_main():
    views = []
    started, done = threading.Event(), threading.Event()

    def worker():
        @px.pure
        def fn(c):
            views.append(c)
            started.set()
            done.wait(10)
            return c

        fn(Counter())

    t = threading.Thread(target=worker)
    t.start()
    started.wait(10)
    try:

        @px.pure
        def mine(c):
            with pytest.raises(px.ImmutableModuleError):
                views[0].count = jnp.array(1)
            c(1)
            return c

        assert int(mine(Counter()).count) == 1
    finally:
        done.set()
        t.join(10)


def test_asyncio_tasks():
    async def work(n):
        c = Counter()
        for _ in range(n):
            c, _ = px.purecall(c, 1)
            await asyncio.sleep(0)
        return int(c.count)

    async def main():
        return await asyncio.gather(*(work(n) for n in (1, 2, 3, 4)))

    assert asyncio.run(main()) == [1, 2, 3, 4]


def test_asyncio_task_started_inside_pure_cannot_mutate_view():
    async def main():
        tasks = []

        @px.pure
        def fn(c):
            async def later():
                c.count = jnp.array(7)

            tasks.append(asyncio.ensure_future(later()))
            return c

        fn(Counter())
        with pytest.raises(px.ImmutableModuleError):
            await tasks[0]

    asyncio.run(main())


# --- values inside pure ------------------------------------------------------------------


def test_pure_preserves_function_metadata():
    def my_step(c):
        """Doc."""
        return c

    wrapped = px.pure(my_step)
    assert wrapped.__name__ == "my_step"
    assert wrapped.__doc__ == "Doc."


def test_pure_rejects_non_callable():
    with pytest.raises(TypeError):
        px.pure(3)  # type: ignore[arg-type]


def test_assigned_values_are_visible_in_output():
    fresh = Counter(count=jnp.array(41))

    @px.pure
    def fn(w):
        w.counter = fresh
        w.scale = 2.0
        return w

    original = Wrapper(Counter())
    out = fn(original)
    np.testing.assert_array_equal(out.counter.count, 41)
    assert out.scale == 2.0
    assert original.scale == 1.0
    assert int(original.counter.count) == 0


def test_module_stored_into_a_view_becomes_a_mutable_copy():
    fresh = Counter()

    @px.pure
    def fn(w, x):
        w.counter = fresh
        w.counter(x)  # the stored module is part of the view now
        w.counter(x)
        return w

    out = fn(Wrapper(Counter()), 1.0)
    assert int(out.counter.count) == 2
    assert int(fresh.count) == 0  # the module given is not changed
    with pytest.raises(px.ImmutableModuleError):
        out.counter.count = jnp.array(5)


def test_module_built_inside_pure_and_stored_counts_as_an_update_of_its_parent():
    @px.pure
    def fn(w):
        w.counter = Counter()
        w.counter(1.0)

    with pytest.raises(px.UnreturnedUpdateError, match="Wrapper"):
        fn(Wrapper(Counter()))


def test_moving_a_submodule_between_fields_of_a_view_keeps_it_a_view():
    class Pair(px.Module):
        left: Counter
        right: Counter | None

    @px.pure
    def fn(p):
        moved = p.right
        p.right = None  # first, or the Counter would be at two places at once
        p.left = moved
        p.left(1.0)
        return p

    out = fn(Pair(Counter(), Counter(count=jnp.array(10))))
    assert int(out.left.count) == 11 and out.right is None


def test_swapping_submodules_at_once_is_refused_as_sharing():
    class Pair(px.Module):
        left: Counter
        right: Counter

    @px.pure
    def fn(p):
        p.left, p.right = p.right, p.left
        return p

    with pytest.raises(px.FieldError, match="two places"):
        fn(Pair(Counter(), Counter()))


@pytest.mark.parametrize(
    "derive",
    [
        lambda w: px.replace(w, scale=2.0),
        px.eval_mode,
        lambda w: px.update_parameters(w, px.parameters(w)),
        lambda w: px.replace(px.train_mode(w), scale=3.0),
    ],
    ids=["replace", "eval_mode", "update_parameters", "copy-of-copy"],
)
def test_returning_a_functional_copy_of_a_changed_argument_counts_as_returning_it(
    derive,
):
    @px.pure
    def fn(w, x):
        w(x)
        return derive(w)

    out = fn(Wrapper(Counter()), 1.0)
    assert int(out.counter.count) == 1


def test_a_copy_of_another_argument_does_not_count():
    @px.pure
    def fn(w, other, x):
        w(x)
        return px.replace(other, scale=2.0)

    with pytest.raises(px.UnreturnedUpdateError, match="changed its argument w "):
        fn(Wrapper(Counter()), Wrapper(Counter()), 1.0)


# --- writes to a view are checked like construction -----------------------------------------


class Normaliser(px.StateModule):
    mean: Float[Array, " c"]
    scale: Float[Array, " c"]

    def set_mean(self, value):
        self.mean = value


def test_a_write_of_the_wrong_shape_is_refused_and_changes_nothing():
    norm = Normaliser(jnp.zeros(3), jnp.ones(3))

    @px.pure
    def write(n):
        with pytest.raises(px.FieldError, match=r"(?s)Normaliser\.mean.*px\.replace"):
            n.set_mean(jnp.ones((5, 3)))
        with pytest.raises(px.FieldError):
            n.set_mean(jnp.ones(4))  # dimension c is bound to 3 by `scale`
        assert n.mean.shape == (3,)
        return n

    write(norm)


def test_writes_are_checked_when_traced_not_per_call(monkeypatch):
    step = px.jit(lambda n, x: px.purecall(n.set_mean, x)[0])
    step(Normaliser(jnp.zeros(3), jnp.ones(3)), jnp.ones(3))
    with pytest.raises(px.FieldError):
        step(Normaliser(jnp.zeros(3), jnp.ones(3)), jnp.ones((2, 3)))
    monkeypatch.setenv("PUREPAX_TYPECHECK", "0")
    out = px.purecall(Normaliser(jnp.zeros(3), jnp.ones(3)).set_mean, jnp.ones((2, 3)))[
        0
    ]
    assert out.mean.shape == (2, 3)


def test_a_correct_write_passes():
    norm, _ = px.purecall(
        Normaliser(jnp.zeros(3), jnp.ones(3)).set_mean, jnp.full(3, 2.0)
    )
    np.testing.assert_array_equal(norm.mean, jnp.full(3, 2.0))
