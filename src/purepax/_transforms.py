"""Checked transforms: `px.jit`, `px.vmap`, `px.remat`, `px.cond`, `px.switch`.

Each takes the arguments of its JAX namesake and hands JAX a *checked* function:
the function given, refused at once if it captures a module (`_closure.py`), and
type-checked against its annotations (`_typecheck.py`). The checks run where JAX
runs the Python function, that is when it traces; so `px.jit` returns the `jax.jit`
object itself and a compiled call pays nothing beyond JAX's own pytree flattening,
keeping JAX's async dispatch. `px.grad` and friends are in `_grad.py`, the loops in
`_loops.py`.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

import jax

from ._apart import branches_apart
from ._closure import refuse_captures
from ._errors import ArgumentError, StaticArgumentError
from ._module import Module
from ._retrace import (
    TRACES_ATTRIBUTE,
    UNSET,
    Traces,
    set_function_max_traces,
    traces_for,
)
from ._typecheck import check_call, function_checker, typecheck_enabled

_P = ParamSpec("_P")
_Q = ParamSpec("_Q")
_R = TypeVar("_R")
_R_co = TypeVar("_R_co", covariant=True)
_S = TypeVar("_S")
_F = TypeVar("_F", bound=Callable[..., Any])


# Key of a plain function's `__dict__` entry that keeps what purepax made of it: its checked
# wrapper per transform and its `jax.jit` objects per option set. Wrapping the same
# function again (a helper that jits its argument, an eval function built per epoch)
# then hands JAX the same function, so JAX's caches hit instead of tracing again. The
# entry and the function refer to each other: the garbage collector frees both together.
_MADE = "__purepax_made__"


def _made_for(fn: object) -> dict[Any, Any] | None:
    """The cache of what was made for `fn` (None where nothing can be cached on it)."""
    if not isinstance(fn, types.FunctionType):
        return None
    made = fn.__dict__.get(_MADE)
    # `functools.wraps` copies `__dict__` into a wrapper: an entry copied there is not the
    # wrapper's own.
    if made is None or made.get("owner") is not fn:
        made = {"owner": fn}
        fn.__dict__[_MADE] = made
    return made


def reuse(fn: object, key: Any, make: Callable[[], _F]) -> _F:
    """What `make()` returns, made once per plain function `fn` and `key` (options that
    must be hashable; otherwise made anew each time). So `px.jit(px.grad(loss))` rebuilt
    every epoch hands `jax.jit` the same function, and JAX's cache hits."""
    made = _made_for(fn)
    if made is None:
        return make()
    try:
        found: _F | None = made.get(key)
    except TypeError:  # an unhashable option
        return make()
    if found is None:
        found = made[key] = make()
    return found


def checked(
    fn: Callable[_P, _R],
    transform: str,
    static: _StaticArguments | None = None,
    traces: Traces | None = None,
) -> Callable[_P, _R]:
    """`fn` with purepax's checks, for a JAX transform to trace.

    Refuses `fn` now if it captures a module; the returned function (which JAX runs
    only when it traces) checks the captures once more if a name was unbound at wrap
    time, type-checks the call against `fn`'s annotations, and refuses a module among
    the arguments `static` names (static arguments of `jax.jit`).

    **Arguments:** `fn`, the function; `transform`, its name for messages (`"px.jit"`);
    `static`, the static arguments of a jit; `traces`, where a jit records each trace
    (`_retrace.py`).

    **Returns:** a function with `fn`'s signature (`inspect.signature` follows
    `__wrapped__`, so `static_argnames` work as with `fn`); the same one each time for
    the same plain function, transform and static arguments.
    """
    if not callable(fn):
        raise ArgumentError(f"{transform} takes a function, got {fn!r}.")
    refuse_captures(fn, transform, tracing=False)
    made = _made_for(fn)
    key = ("checked", transform, static, traces)
    if made is not None and key in made:
        wrapper: Callable[_P, _R] = made[key]
        return wrapper

    def run_checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        refuse_captures(fn, transform, tracing=True)
        if static is not None:
            static.refuse_modules(fn, transform, args, kwargs)
        checker = function_checker(fn) if typecheck_enabled() else None
        result: _R = (
            check_call(transform, fn, checker, *args, **kwargs)
            if checker is not None
            else fn(*args, **kwargs)
        )
        # After the body: a trace that raised is not in JAX's cache, nor in the record.
        if traces is not None:
            traces.record(fn, args, kwargs)
        return result

    functools.update_wrapper(run_checked, fn)
    run_checked.__dict__.pop(_MADE, None)  # copied from `fn` by update_wrapper
    if traces is not None:
        run_checked.__dict__[TRACES_ATTRIBUTE] = traces
    if made is not None:
        made[key] = run_checked
    return run_checked


class _StaticArguments:
    """The static arguments of a jit (`static_argnums`, `static_argnames`), resolved against
    `fn`'s signature as JAX resolves them: none of them may hold a module."""

    __slots__ = ("numbers", "names")

    def __init__(self, fn: Callable[..., Any], numbers: Any, names: Any) -> None:
        numbers = (
            ()
            if numbers is None
            else (numbers,)
            if isinstance(numbers, int)
            else tuple(numbers)
        )
        names = (
            ()
            if names is None
            else (names,)
            if isinstance(names, str)
            else tuple(names)
        )
        try:
            parameters = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            parameters = []
        positional = [
            p.name
            for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        numbers += tuple(positional.index(n) for n in names if n in positional)
        names += tuple(
            positional[i] for i in numbers if -len(positional) <= i < len(positional)
        )
        self.numbers: tuple[int, ...] = tuple(sorted(set(numbers)))
        self.names: tuple[str, ...] = tuple(sorted(set(names)))

    def __hash__(self) -> int:
        return hash((self.numbers, self.names))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _StaticArguments) and (self.numbers, self.names) == (
            other.numbers,
            other.names,
        )

    def refuse_modules(
        self, fn: Callable[..., Any], transform: str, args: Any, kwargs: Any
    ) -> None:
        given = [
            (f"argument {i}", args[i])
            for i in self.numbers
            if -len(args) <= i < len(args)
        ]
        given += [(f"argument {n!r}", kwargs[n]) for n in self.names if n in kwargs]
        for where, value in given:
            module = _module_in(value)
            if module is not None:
                name = getattr(fn, "__qualname__", repr(fn))
                raise StaticArgumentError(
                    f"{transform}: `{name}` gets a {type(module).__name__} module as its static "
                    f"{where} (static_argnums / static_argnames). Its arrays would be baked into "
                    "the compiled program as constants and go stale when the module is updated, "
                    "with no error. Pass the module as a regular (traced) argument: remove it "
                    "from static_argnums / static_argnames; keep only its configuration static "
                    "(px.static() fields are static already)."
                )


def _module_in(value: Any) -> Module | None:
    """A module that `value` is, holds (in a tuple, list or dict), or is a bound method of."""
    if isinstance(value, Module):
        return value
    if inspect.ismethod(value) and isinstance(value.__self__, Module):
        return value.__self__
    items = (
        value.values()
        if isinstance(value, Mapping)
        else value
        if isinstance(value, (tuple, list))
        else ()
    )
    for item in items:
        found = _module_in(item)
        if found is not None:
            return found
    return None


class Jitted(Protocol, Generic[_P, _R_co]):
    """What `px.jit` returns: the `jax.jit` object, typed with the function's signature."""

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R_co: ...

    # As in JAX: lowering also takes `jax.ShapeDtypeStruct`s in place of arrays.
    def lower(self, *args: Any, **kwargs: Any) -> jax.stages.Lowered: ...

    def trace(self, *args: Any, **kwargs: Any) -> jax.stages.Traced: ...

    def eval_shape(self, *args: Any, **kwargs: Any) -> Any: ...

    def clear_cache(self) -> None: ...

    # A jitted method binds `self` as a plain function does. The second overload catches a
    # signature mypy no longer knows (`...`, e.g. from `functools.partial(px.jit, ...)`),
    # which mypy would otherwise bind wrongly (to `[**Any]`) in the third.
    @overload
    def __get__(
        self, instance: None, owner: type[Any] | None = None
    ) -> Jitted[_P, _R_co]: ...
    @overload
    def __get__(
        self: Jitted[[], _R], instance: object, owner: type[Any] | None = None
    ) -> Jitted[..., _R]: ...
    @overload
    def __get__(
        self: Jitted[Concatenate[_S, _Q], _R],
        instance: _S,
        owner: type[Any] | None = None,
    ) -> Jitted[_Q, _R]: ...
    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any: ...


@overload
def jit(
    fun: Callable[_P, _R], /, *, max_traces: int | None = ..., **jit_kwargs: Any
) -> Jitted[_P, _R]: ...
@overload
def jit(
    fun: None = None, /, *, max_traces: int | None = ..., **jit_kwargs: Any
) -> _JitDecorator: ...
def jit(
    fun: Callable[..., Any] | None = None,
    /,
    *,
    max_traces: int | None = UNSET,
    **jit_kwargs: Any,
) -> Any:
    """`jax.jit` that refuses module closures and type-checks its function when it traces.

    Each trace is recorded with its cause (`px.traces`, `px.trace_count`); past
    `max_traces` traces, a `px.RetraceWarning` names what changed.

    **Arguments:** as `jax.jit` (`static_argnums`, `static_argnames`, `donate_argnums`,
    `donate_argnames`, `in_shardings`, `out_shardings`, `keep_unused`, ...), all passed
    to it, and `max_traces`: how many traces of this function pass before a
    `px.RetraceWarning` (`None`: never; default `px.set_max_traces`'s, 2). Without
    `fun`, returns a decorator (`@px.jit(static_argnums=1)`).

    **Returns:** the `jax.jit` object itself: a compiled call does no more Python work
    than `jax.jit` does, and keeps its async dispatch, `.lower` and `.trace`.

    ```python
    @px.jit
    def step(model, x):
        return model(x)
    ```
    """
    if fun is None:
        return functools.partial(jit, max_traces=max_traces, **jit_kwargs)
    static = None
    if (
        jit_kwargs.get("static_argnums") is not None
        or jit_kwargs.get("static_argnames") is not None
    ):
        static = _StaticArguments(
            fun, jit_kwargs.get("static_argnums"), jit_kwargs.get("static_argnames")
        )
    traces = traces_for(fun)
    set_function_max_traces(traces, max_traces)
    run_checked = checked(fun, "px.jit", static, traces)
    made = _made_for(fun)
    try:
        key: Any = ("jit", tuple(sorted(jit_kwargs.items())))
        hash(key)
    except (
        TypeError
    ):  # an option that cannot be a key (e.g. a list): no reuse, JAX decides
        key = None
    if made is not None and key is not None:
        jitted = made.get(key)
        if jitted is None or jitted.__wrapped__ is not run_checked:
            jitted = made[key] = jax.jit(run_checked, **jit_kwargs)
        return jitted
    return jax.jit(run_checked, **jit_kwargs)


class _JitDecorator(Protocol):
    def __call__(self, fun: Callable[_P, _R], /) -> Jitted[_P, _R]: ...


class _SameDecorator(Protocol):
    def __call__(self, fun: _F, /) -> _F: ...


@overload
def vmap(fun: _F, /, in_axes: Any = 0, out_axes: Any = 0, **vmap_kwargs: Any) -> _F: ...
@overload
def vmap(
    fun: None = None, /, in_axes: Any = 0, out_axes: Any = 0, **vmap_kwargs: Any
) -> _SameDecorator: ...
def vmap(
    fun: Callable[..., Any] | None = None,
    /,
    in_axes: Any = 0,
    out_axes: Any = 0,
    **vmap_kwargs: Any,
) -> Any:
    """`jax.vmap` that refuses module closures and type-checks its function when it traces.

    The function sees one example at a time, so its annotations describe one example.
    To map a model over a batch, pass it as an argument with `in_axes` `None` for it.

    **Arguments:** as `jax.vmap` (`in_axes`, `out_axes`, `axis_name`, `axis_size`,
    `spmd_axis_name`). Without `fun`, returns a decorator.

    **Returns:** the vectorised function.

    ```python
    ys = px.vmap(lambda model, x: model(x), in_axes=(None, 0))(model, xs)
    ```
    """
    if fun is None:
        return functools.partial(
            vmap, in_axes=in_axes, out_axes=out_axes, **vmap_kwargs
        )
    key = ("vmap", in_axes, out_axes, tuple(sorted(vmap_kwargs.items())))
    return reuse(
        fun,
        key,
        lambda: jax.vmap(checked(fun, "px.vmap"), in_axes, out_axes, **vmap_kwargs),
    )


@overload
def remat(fun: Callable[_P, _R], /, **checkpoint_kwargs: Any) -> Callable[_P, _R]: ...
@overload
def remat(fun: None = None, /, **checkpoint_kwargs: Any) -> _SameDecorator: ...
def remat(fun: Callable[..., Any] | None = None, /, **checkpoint_kwargs: Any) -> Any:
    """`jax.checkpoint` (`jax.remat`) that refuses module closures and type-checks when traced.

    **Arguments:** as `jax.checkpoint` (`prevent_cse`, `policy`, `static_argnums`,
    `static_argnames`). Without `fun`, returns a decorator.

    **Returns:** the function, recomputing its intermediates on the backward pass.

    ```python
    block = px.remat(lambda model, x: model(x))
    ```
    """
    if fun is None:
        return functools.partial(remat, **checkpoint_kwargs)
    return jax.checkpoint(checked(fun, "px.remat"), **checkpoint_kwargs)


def cond(
    pred: Any,
    true_fun: Callable[..., _R],
    false_fun: Callable[..., _R],
    *operands: Any,
    **cond_kwargs: Any,
) -> _R:
    """`jax.lax.cond` whose branches are checked: each refuses module closures and is type-checked.

    **Arguments:** as `jax.lax.cond`: `pred`, `true_fun`, `false_fun`, `*operands`.
    Pass modules as operands.

    **Returns:** the output of the branch taken.

    ```python
    y = px.cond(x.sum() > 0, lambda m, x: m(x), lambda m, x: x, model, x)
    ```
    """
    (if_true, if_false), held, finish = branches_apart(
        [checked(true_fun, "px.cond"), checked(false_fun, "px.cond")], operands
    )
    out: Any = jax.lax.cond(pred, if_true, if_false, *held, **cond_kwargs)
    return typing.cast(_R, finish(out))


def switch(
    index: Any,
    branches: Sequence[Callable[..., _R]],
    *operands: Any,
    **switch_kwargs: Any,
) -> _R:
    """`jax.lax.switch` whose branches are checked: each refuses module closures and is type-checked.

    **Arguments:** as `jax.lax.switch`: `index`, `branches`, `*operands`.

    **Returns:** the output of `branches[index]` (the index is clamped, as in JAX).

    ```python
    y = px.switch(i, [lambda m, x: m(x), lambda m, x: x], model, x)
    ```
    """
    checked_branches, held, finish = branches_apart(
        [checked(b, f"px.switch (branch {i})") for i, b in enumerate(branches)],
        operands,
    )
    out: Any = jax.lax.switch(index, checked_branches, *held, **switch_kwargs)
    return typing.cast(_R, finish(out))
