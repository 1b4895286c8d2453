"""`px.check_finite`: the first NaN or infinity of a computation, by module path and field.

While a check is on, every module call traced in this thread is watched: at its start the
module's own arrays (`weight`, not those of its submodules) and its inputs, at its end
its output; and on the backward pass, through identity `jax.custom_vjp` functions, the
gradient of each of these. Each watch point is a `jax.debug.callback` (ordered, so the
host receives the reports in the order the program computes them) that names the module
by its path from the outermost module called (`blocks[3].attn.out`; a `px.Stacked`
block's index is read at run time). When the check ends, it waits for the reports and
raises `px.NonFiniteError` with the first.

A module call is watched by the classes' own `__call__`, replaced while a check is on
(and restored after it) by a wrapper that watches only in a thread that has a check on.
So nothing is paid when no check is on: no wrapper, no trace-time test, no compiled
code. The traces made under a check are kept apart from the usual ones by a
`jax.make_user_context` value in JAX's jit cache keys: a `px.jit` step traced before is
traced again (with its watch points) under the check, and its checked trace is not used
outside it. A JAX that lacks `jax.make_user_context` (an older one) has its caches cleared
when a check starts and when it ends instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar, overload

import jax
import jax.numpy as jnp
import numpy as np

from ._class_spec import spec_of
from ._errors import ArgumentError, NonFiniteError
from ._module import Module
from ._module_marker import is_module
from ._pure import _argument_name

_P = ParamSpec("_P")
_R = TypeVar("_R")


# --- paths ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Path:
    """Where a module is: `text` from the outermost module called (a `str.format` template
    whose `{0}`, `{1}` are the `px.Stacked` block indices `indices`, read at run time), or `root`,
    the class name of the outermost module, where `text` is empty."""

    text: str
    indices: tuple[Any, ...]
    root: str

    def template(self) -> str:
        # The outermost module by its class name, and its blocks if it is a stack.
        if not self.text or self.text.startswith("["):
            return _escape(self.root) + self.text
        return self.text

    def child(self, label: str) -> _Path:
        """The path of the submodule at `label` (`.attn`, `.layers[2]`)."""
        text = (self.text + _escape(label)).removeprefix(".")
        return _Path(text, self.indices, self.root)

    def block(self, index: Any) -> _Path:
        """The path of block `index` (traced) of the `px.Stacked` at this path."""
        # Numbered: a message may name a module and its parent, which share the indices.
        text = f"{self.text}[{{{len(self.indices)}}}]"
        return _Path(text, (*self.indices, index), self.root)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@dataclasses.dataclass(frozen=True)
class _Call:
    module: Module
    path: _Path


class _Tracing:
    """The modules being called in this thread, outermost first (read when a call is traced)."""

    def __init__(self) -> None:
        self.calls: list[_Call] = []


_TRACING: contextvars.ContextVar[_Tracing | None] = contextvars.ContextVar(
    "purepax_check_finite", default=None
)
# A `px.Stacked` calling a block now: the depth of its call among `_Tracing.calls`, and the
# block's (traced) index.
_BLOCK: contextvars.ContextVar[tuple[int, Any] | None] = contextvars.ContextVar(
    "purepax_check_finite_block", default=None
)


@contextlib.contextmanager
def calling_block(index: Any) -> Iterator[None]:
    """Within it, the module that the running `px.Stacked` calls is its block `index`.

    A stack calls each block on a module rebuilt from its leaves, which no field of the
    stack holds: this is how the block's path gets its index. A no-op without a check.
    """
    tracing = _TRACING.get()
    if tracing is None:
        yield
        return
    token = _BLOCK.set((len(tracing.calls), index))
    try:
        yield
    finally:
        _BLOCK.reset(token)


def _path_of(module: Module, calls: list[_Call]) -> _Path:
    """The path of `module`, called by the innermost of `calls` (the outermost module if none)."""
    if not calls:
        return _Path("", (), type(module).__name__)
    parent = calls[-1]
    block = _BLOCK.get()
    if block is not None and block[0] == len(calls):
        return parent.path.block(block[1])
    return parent.path.child(_field_of(parent.module, module))


def _field_of(parent: Module, child: Module) -> str:
    """Where `parent` holds `child` (`.attn`, `.layers[2]`): the object itself, or a copy of
    it (a `px.pure` view) holding the same arrays."""
    inside = jax.tree_util.tree_flatten_with_path(
        parent, is_leaf=lambda x: x is not parent and is_module(x)
    )[0]
    submodules = [(path, leaf) for path, leaf in inside if is_module(leaf)]
    for path, leaf in submodules:
        if leaf is child:
            return str(jax.tree_util.keystr(path))
    arrays = jax.tree_util.tree_leaves(child)
    for path, leaf in submodules:
        if type(leaf) is type(child) and arrays:
            theirs = jax.tree_util.tree_leaves(leaf)
            if len(theirs) == len(arrays) and all(
                a is b for a, b in zip(theirs, arrays)
            ):
                return str(jax.tree_util.keystr(path))
    return (
        f".<{type(child).__name__}>"  # an argument of the parent, or built in its call
    )


# --- watch points -------------------------------------------------------------------------


def _watched(leaf: object) -> bool:
    """Whether `leaf` is an array that can hold a NaN or an infinity."""
    dtype = getattr(leaf, "dtype", None)
    return (
        isinstance(leaf, (jax.Array, np.ndarray))
        and dtype is not None
        and jnp.issubdtype(dtype, jnp.inexact)
    )


def _check(where: str, indices: tuple[Any, ...], value: jax.Array) -> None:
    """Report to the host whether `value` holds a NaN or an infinity, `where` (a template
    of the message, formatted with `indices`) it is."""
    # `lax`, not `jnp`: jnp's functions are jitted, and under a check every jit traces afresh.
    jax.debug.callback(
        functools.partial(_receive, where, int(np.prod(jnp.shape(value)))),
        _count(jax.lax.ne(value, value)),
        _count(
            jax.lax.eq(jax.lax.abs(value), jnp.array(np.inf, jax.lax.abs(value).dtype))
        ),
        *indices,
        ordered=True,
    )


def _count(where: jax.Array) -> jax.Array:
    ones = jax.lax.convert_element_type(where, np.int32)
    total: jax.Array = jax.lax.reduce(
        ones, np.int32(0), jax.lax.add, tuple(range(ones.ndim))
    )
    return total


def _receive(where: str, size: int, nans: Any, infs: Any, *indices: Any) -> None:
    """Host side of `_check`: record the report in every check that is on."""
    nans, infs = int(np.sum(nans)), int(np.sum(infs))
    if not nans and not infs:
        return
    kind, count = ("nan", nans) if nans else ("inf", infs)
    blocks = (int(np.ravel(i)[0]) for i in indices)
    report = (f"{where.format(*blocks)} holds {kind}", f"{count} of {size} values")
    with _LOCK:
        for run in _RUNS:
            run.append(report)


@functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
def _watch_gradient(
    where: str, value: jax.Array, indices: tuple[Any, ...]
) -> jax.Array:
    """`value`, whose gradient is checked on the backward pass (see `_check`)."""
    return value


def _watch_forward(
    where: str, value: jax.Array, indices: tuple[Any, ...]
) -> tuple[jax.Array, tuple[Any, ...]]:
    return value, indices


def _watch_backward(
    where: str, indices: tuple[Any, ...], gradient: jax.Array
) -> tuple[jax.Array, None]:
    _check(where, indices, gradient)
    return gradient, None


_watch_gradient.defvjp(_watch_forward, _watch_backward)


def _watch(forward: str, backward: str, indices: tuple[Any, ...], leaf: Any) -> Any:
    """`leaf` checked now (`forward`) and its gradient on the backward pass (`backward`)."""
    if not _watched(leaf):
        return leaf
    _check(forward, indices, leaf)
    return _watch_gradient(backward, leaf, indices)


# --- the watched call ------------------------------------------------------------------------


def _call_watched(
    original: Callable[..., Any], module: Module, args: Any, kwargs: Any
) -> Any:
    tracing = _TRACING.get()
    method = functools.partial(original, module)  # a function, or a `px.jit` of one
    if tracing is None:
        return method(*args, **kwargs)
    parent = tracing.calls[-1] if tracing.calls else None
    if parent is not None and parent.module is module:  # `super().__call__(x)`
        return method(*args, **kwargs)
    path = _path_of(module, tracing.calls)
    tracing.calls.append(_Call(module, path))
    try:
        return _watch_call(method, original, module, path, parent, args, kwargs)
    finally:
        tracing.calls.pop()


def _watch_call(
    method: Callable[..., Any],
    original: Callable[..., Any],
    module: Module,
    path: _Path,
    parent: _Call | None,
    args: Any,
    kwargs: Any,
) -> Any:
    here, at = path.template(), path.indices
    # The module's own arrays, changed in place for the call (it may be a `px.pure` view
    # that the call changes) and put back after it where the call did not set them.
    d = vars(module)
    given: dict[str, tuple[Any, Any]] = {}
    for name in spec_of(type(module)).dynamic_names(module):

        def own(keys: Any, leaf: Any, name: str = name) -> Any:
            field = _escape(name + str(jax.tree_util.keystr(keys)))
            return _watch(
                f"forward of {here}: {field}",
                f"backward of {here}: the gradient of {field}",
                at,
                leaf,
            )

        value = d[name]
        watched = jax.tree_util.tree_map_with_path(own, value, is_leaf=is_module)
        pairs = zip(
            jax.tree_util.tree_leaves(watched), jax.tree_util.tree_leaves(value)
        )
        if any(new is not old for new, old in pairs):
            given[name] = (value, watched)
            d[name] = watched
    try:

        def argument(keys: Any, leaf: Any) -> Any:
            where, position, *rest = keys
            if where.idx == 0:  # `original` names `self` first
                position = jax.tree_util.SequenceKey(position.idx + 1)
            name = _escape(_argument_name(original, (where, position, *rest)))
            before = (
                f"forward of {here}: its input {name}"
                if parent is None
                else f"forward of {parent.path.template()}: the input {name} of {here}"
            )
            return _watch(
                before,
                f"backward of {here}: the gradient of its input {name}",
                at,
                leaf,
            )

        args, kwargs = jax.tree_util.tree_map_with_path(
            argument, (args, kwargs), is_leaf=is_module
        )
        out = method(*args, **kwargs)
    finally:
        for name, (value, watched) in given.items():
            if d[name] is watched:
                d[name] = value
    after = (
        f"backward of the code after {here} (e.g. the loss)"
        if parent is None
        else f"backward of {parent.path.template()}"
    )

    def output(keys: Any, leaf: Any) -> Any:
        which = _escape(str(jax.tree_util.keystr(keys)))
        return _watch(
            f"forward of {here}: its output{which}",
            f"{after}: the gradient of the output{which} of {here}",
            at,
            leaf,
        )

    return jax.tree_util.tree_map_with_path(output, out, is_leaf=is_module)


# --- watching every module class while a check is on -------------------------------------------

_LOCK = threading.Lock()
# The reports of each check that is on, in the order received: where and what, how many.
_RUNS: list[list[tuple[str, str]]] = []
_ORIGINALS: dict[type, Any] = {}  # each module class's own `__call__`, while replaced


def _watching(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __call__(self: Module, *args: Any, **kwargs: Any) -> Any:
        return _call_watched(original, self, args, kwargs)

    return __call__


def _module_classes() -> Iterator[type]:
    seen: set[type] = set()
    pending: list[type] = [Module]
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen.add(cls)
            yield cls
            pending.extend(cls.__subclasses__())


def _start_watching() -> None:
    """Replace the `__call__` of every module class (under `_LOCK`, by the first check on)."""
    for cls in _module_classes():
        original = cls.__dict__.get("__call__")
        if original is not None and cls not in _ORIGINALS:
            _ORIGINALS[cls] = original
            type.__setattr__(cls, "__call__", _watching(original))


def _stop_watching() -> None:
    for cls, original in _ORIGINALS.items():
        type.__setattr__(cls, "__call__", original)
    _ORIGINALS.clear()


_RETRACE: Any = (
    None  # a `jax.make_user_context` in jit cache keys, made by the first check
)


@contextlib.contextmanager
def _traced_apart() -> Iterator[None]:
    """Within it, `jax.jit` traces afresh, and its traces are kept apart from those outside."""
    global _RETRACE
    if not hasattr(jax, "make_user_context"):
        jax.clear_caches()  # type: ignore[no-untyped-call, unused-ignore]
        try:
            yield
        finally:
            jax.clear_caches()  # type: ignore[no-untyped-call, unused-ignore]
        return
    if _RETRACE is None:
        _RETRACE = jax.make_user_context(default_value=None)  # type: ignore[no-untyped-call, unused-ignore]
    with _RETRACE(True):
        yield


# --- the check -------------------------------------------------------------------------------


class FiniteCheck(contextlib.ContextDecorator):
    """A check for NaN and infinity: a context manager, or a decorator (see `check_finite`)."""

    def __init__(self, step: int | None = None) -> None:
        self.step = step
        self._calls = 0
        self._decorated = False
        # Per entry (a decorated function may call itself): its reports, and what to undo.
        self._entered: list[
            tuple[
                list[tuple[str, str]],
                contextvars.Token[_Tracing | None],
                contextlib.ExitStack,
            ]
        ] = []

    def __call__(self, fn: Callable[_P, _R]) -> Callable[_P, _R]:  # type: ignore[override]
        if not callable(fn):
            raise ArgumentError(f"px.check_finite decorates a function, got {fn!r}.")
        self._decorated = True
        return super().__call__(fn)

    def __enter__(self) -> FiniteCheck:
        self._calls += 1
        reports: list[tuple[str, str]] = []
        apart = contextlib.ExitStack()
        with _LOCK:
            if not _RUNS:
                _start_watching()
            _RUNS.append(reports)
        token = _TRACING.set(_Tracing())
        apart.enter_context(_traced_apart())
        self._entered.append((reports, token, apart))
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        reports, token, apart = self._entered.pop()
        try:
            apart.close()
            _TRACING.reset(token)
            if kind is None:
                # Every report of the computations started in the check.
                jax.effects_barrier()  # type: ignore[no-untyped-call, unused-ignore]
        finally:
            with _LOCK:
                _RUNS.remove(reports)
                if not _RUNS:
                    _stop_watching()
        if kind is None and reports:
            raise NonFiniteError(self._message(*reports[0]))

    def _message(self, report: str, count: str) -> str:
        step = (
            self.step
            if self.step is not None
            else self._calls
            if self._decorated
            else None
        )
        when = "" if step is None else f" (step {step:,})"
        if report.startswith("forward"):
            fix = (
                "Every value computed before it is finite: look at what this module computes "
                "from them (a log, a square root or a division at 0, an exponential that "
                "overflows), or at the data if it is an input of the outermost module."
            )
        else:
            fix = (
                "Every gradient computed before it is finite: something this module computes "
                "has an infinite derivative where it is evaluated (a square root or a log at "
                "0, a norm of zeros, a jnp.where whose unused branch is NaN: compute that "
                "branch on a safe value)."
            )
        return f"{report}{when}: {count}. {fix}"


@overload
def check_finite(fn: Callable[_P, _R], /) -> Callable[_P, _R]: ...
@overload
def check_finite(*, step: int | None = None) -> FiniteCheck: ...
def check_finite(
    fn: Callable[_P, _R] | None = None, /, *, step: int | None = None
) -> Callable[_P, _R] | FiniteCheck:
    """Raise `px.NonFiniteError` at the first NaN or infinity, forward or backward, naming its module.

    As a context manager, `with px.check_finite(step=i):` watches every module call that
    JAX traces in the block (in `px.jit`, `px.grad`, `px.scan`, `px.Stacked`, ...): the
    module's own arrays and inputs when it starts, its output when it ends, and the gradient
    of each on the backward pass. When the block ends, it waits for the computations started
    in it and raises at the first non-finite value they computed, in the order they computed
    them, e.g. `backward of blocks[3].attn.out: the gradient of weight holds inf (step
    1,204): 1 of 16 values`. A path starts at the outermost module called; a `px.Stacked`
    block is named by its index.

    As a decorator, `px.check_finite(step_fn)` checks every call of `step_fn`, numbering
    the calls as steps. Off by default, and free when off: JAX compiles the checks only
    under a check, apart from the usual traces (a step traced under it is traced again).
    Checked code runs slower: debug with it, train without it. Put the check around the
    call of a jitted step, not inside a jitted function: it raises on the host, when the
    computation has run.

    **Arguments:** `fn`, the function to check on every call; or `step`, the number that the
    message gives the step.

    **Returns:** the checked function, or the context manager.

    ```python
    with px.check_finite(step=3):
        loss, grads = px.value_and_grad(loss_fn)(model, x, y)
    ```
    """
    if fn is None:
        return FiniteCheck(step)
    if step is not None:
        raise ArgumentError(
            "px.check_finite takes a function or a step, not both: a checked function "
            "numbers its calls as steps."
        )
    return FiniteCheck()(fn)
