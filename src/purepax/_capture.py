"""`px.capture`: a call's output together with what the selected submodules returned.

Nothing is mutated and no state is kept between calls. `capture` calls the function
on a copy of the model in which each selected module carries a *tag*: an instance key
that names its path and the recorder of this call (JAX's pytree rebuild drops it, and
`px.pure`'s views keep it, as they keep every instance key). The `__call__` of a selected
module's class is wrapped, once, the first time such a module is captured; the wrapper
costs a dictionary lookup on an untagged module and records the output of a tagged one.
The recorder is a local of the call, and its values are returned with the output: under
`px.jit` and `px.grad` they are values of the trace that called `capture`, and a module
called inside a transformation begun below it (its output a value of another trace) is
refused instead of leaking a tracer.

A `px.Stacked` applies its blocks in the body of a `jax.lax.scan`. A stack with selected
modules below its `layers` is tagged with their paths there; its body finds the tag and
calls each block through it (`_Tag.call_block`: `_stacked.py` imports nothing from
here), which tags the block the same way, records into a recorder of the body's own
trace, and returns what it recorded as the scan's outputs, so each value comes back stacked along a leading block
axis, keyed by the path through `.layers` (as `px.select` names it).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import jax

from ._class_spec import spec_of
from ._errors import ArgumentError
from ._module import Module, shallow_copy
from ._module_marker import is_module
from ._paths import Where, matcher, walk
from ._pure import purecall
from ._stacked import CAPTURE_TAG as TAG
from ._stacked import Stacked
from ._trace import current_trace

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Recorder:
    """The values one `capture` call (or one stack's block, inside its scan) records."""

    __slots__ = ("trace", "open", "values")

    def __init__(self) -> None:
        self.trace = current_trace()
        self.open = True
        self.values: dict[str, list[Any]] = {}

    def record(self, path: str, value: Any, module: str) -> None:
        if current_trace() != self.trace:
            raise ArgumentError(
                f"px.capture: the {module} at {path or '(root)'!r} was called "
                "inside a JAX transformation (jax.jit, jax.vmap, jax.lax.scan, ...) that began "
                "within the captured call, so its output belongs to that transformation and "
                "cannot be returned beside the model's. Select the module that runs the "
                "transformation instead, or run px.capture inside it."
            )
        self.values.setdefault(path, []).append(value)

    def close(self) -> dict[str, Any]:
        """What was recorded: per path, the output (a tuple of outputs if called more than once)."""
        self.open = False
        values, self.values = (
            self.values,
            {},
        )  # a tagged module that escapes holds no value
        return {
            path: outs[0] if len(outs) == 1 else tuple(outs)
            for path, outs in values.items()
        }


class _Tag:
    """What a tagged module at `path` records: its own output (if `selected`), and for a
    stack, the outputs of the modules at `inner` (paths relative to one block)."""

    __slots__ = ("recorder", "path", "module", "selected", "inner")

    def __init__(
        self,
        recorder: _Recorder,
        path: str,
        module: str,
        selected: bool,
        inner: frozenset[str],
    ) -> None:
        self.recorder = recorder
        self.module = module  # its class name, for messages
        self.path = path
        self.selected = selected
        self.inner = inner

    def call_block(
        self, block: Module, x: Any, args: Any, kwargs: Any
    ) -> tuple[Module, Any, dict[str, Any] | None]:
        """One block of the tagged stack, called in its scan's body: `(new_block, out, recorded)`.

        `recorded` (None when the capture selects nothing in the blocks, or is over)
        becomes a scan output, stacked over the blocks, that `record_blocks` hands on.
        """
        if not self.inner or not self.recorder.open:
            new_block, out = purecall(block, x, *args, **kwargs)
            return new_block, out, None
        recorder = _Recorder()
        try:
            tagged = _tag(block, "", self.inner, recorder)
            new_block, out = purecall(tagged, x, *args, **kwargs)
        finally:
            recorded = recorder.close()
        return new_block, out, recorded

    def record_blocks(self, recorded: dict[str, Any] | None) -> None:
        """Record what the blocks recorded (stacked over the blocks) under their paths."""
        if recorded is None:
            return
        below = f"{self.path}.layers" if self.path else "layers"
        for path, value in recorded.items():
            joint = "" if not path or path.startswith("[") else "."
            self.recorder.record(below + joint + path, value, self.module)


def _recording(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def __call__(self: Module, *args: Any, **kwargs: Any) -> Any:
        tag: _Tag | None = self.__dict__.get(TAG)
        out = call(self, *args, **kwargs)
        # `type(self).__call__ is __call__`: a subclass's `__call__` calling
        # `super().__call__` records once, at the outermost call.
        if (
            tag is not None
            and tag.selected
            and tag.recorder.open
            and type(self).__call__ is __call__
        ):
            tag.recorder.record(tag.path, out, type(self).__name__)
        return out

    __call__._purepax_recording = True  # type: ignore[attr-defined]
    return __call__


def _install(cls: type) -> None:
    """Make the `__call__` that instances of `cls` run record tagged calls (once per class)."""
    owner = next((c for c in cls.__mro__ if "__call__" in c.__dict__), None)
    if owner is None or owner is object:
        return
    call = owner.__dict__["__call__"]
    if not getattr(call, "_purepax_recording", False):
        type.__setattr__(owner, "__call__", _recording(call))


def _tag(
    module: Module, at: str, selected: frozenset[str], recorder: _Recorder
) -> Module:
    """A copy of `module` (at path `at`) and of its submodules, the selected ones tagged."""
    copy = shallow_copy(module)
    d = copy.__dict__
    inner: frozenset[str] = frozenset()
    if isinstance(module, Stacked):
        below = f"{at}.layers" if at else "layers"
        inner = frozenset(
            relative
            for relative in (_relative(p, below) for p in selected)
            if relative is not None
        )
    else:
        for name in spec_of(type(module)).dynamic_names(module):
            leaves, treedef = jax.tree_util.tree_flatten_with_path(
                d[name], is_leaf=is_module
            )
            if not any(is_module(leaf) for _, leaf in leaves):
                continue
            prefix = f"{at}.{name}" if at else name
            d[name] = jax.tree_util.tree_unflatten(
                treedef,
                [
                    _tag(leaf, prefix + jax.tree_util.keystr(keys), selected, recorder)
                    if is_module(leaf)
                    else leaf
                    for keys, leaf in leaves
                ],
            )
    if at in selected or inner:
        _install(type(module))
        d[TAG] = _Tag(recorder, at, type(module).__name__, at in selected, inner)
    else:
        d.pop(TAG, None)
    return copy


def _relative(path: str, below: str) -> str | None:
    """`path` relative to `below` (`""` for `below` itself), or None if it is not below it."""
    if path == below:
        return ""
    if path.startswith(below) and path[len(below)] in ".[":
        return path[len(below) :].lstrip(".")
    return None


def capture(
    target: Callable[_P, _R], where: Where
) -> Callable[_P, tuple[_R, dict[str, Any]]]:
    """A function that calls `target` and also returns what the selected modules returned.

    **Arguments:**

    - `target`: a module (called as `model(*args)`), a bound method of one, or a function
      whose first argument is the model (e.g. `px.purecall`, for a call that changes the
      model: dropout or batch norm in training mode).
    - `where`: which modules, as for `px.select`: a type (`nn.Linear`), a tuple of types,
      a glob over paths (`"blocks.layers.*"`) or a predicate `(path, node) -> bool`.

    **Returns:** a function with `target`'s arguments that returns `(output,
    intermediates)`: `intermediates` maps the path of each selected module that was
    called to its output (a tuple of outputs if it was called more than once). Inside a
    `px.Stacked` the path goes through `.layers` and the value has a leading block axis.
    Nothing is changed or kept: it works under `px.jit`, `px.grad` (return the
    intermediates as `has_aux`) and `px.vmap` as any pure function does. A module called
    inside a transformation that began within the call (a `jax.vmap` in a `__call__`) is
    refused, as its output cannot leave that transformation; the modules inside a
    `__call__` that is itself jitted (`@px.jit`) are not seen (JAX rebuilds them), so
    select that module, or capture inside it.

    ```python
    y, acts = px.capture(model, nn.Linear)(x)
    (model, y), acts = px.capture(px.purecall, nn.Dropout)(model, x)
    ```
    """
    matches = matcher(where, "capture")
    # A module (or a method bound to one) is bound by functools.partial, which the checked
    # transforms see through: `px.jit(px.capture(model, ...))` is refused as a captured
    # model, as `px.jit(model)` is.
    if isinstance(target, Module):
        captured: Any = functools.partial(_call_module, target, matches)
        return typing.cast(Callable[_P, tuple[_R, dict[str, Any]]], captured)
    if inspect.ismethod(target) and isinstance(target.__self__, Module):
        captured = functools.partial(
            _call_method, target.__self__, target.__func__, matches
        )
        return typing.cast(Callable[_P, tuple[_R, dict[str, Any]]], captured)
    if not callable(target):
        raise ArgumentError(
            f"px.capture takes a module, a bound method of one, or a function whose first "
            f"argument is the model, got {target!r}."
        )

    def call_function(*args: Any, **kwargs: Any) -> Any:
        if not args or not isinstance(args[0], Module):
            raise ArgumentError(
                f"px.capture({getattr(target, '__qualname__', target)!r}, ...): the first "
                "argument of the call must be the model whose modules are captured, got "
                f"{type(args[0]).__name__ if args else 'no argument'}."
            )
        function: Callable[..., Any] = target
        rest = args[1:]
        return _run(args[0], lambda tagged: function(tagged, *rest, **kwargs), matches)

    return functools.update_wrapper(call_function, target, updated=())


def _call_module(
    model: Module, matches: Callable[[str, Any], bool], *args: Any, **kwargs: Any
) -> tuple[Any, dict[str, Any]]:
    return _run(model, lambda tagged: tagged(*args, **kwargs), matches)


def _call_method(
    owner: Module,
    method: Callable[..., Any],
    matches: Callable[[str, Any], bool],
    *args: Any,
    **kwargs: Any,
) -> tuple[Any, dict[str, Any]]:
    return _run(owner, lambda tagged: method(tagged, *args, **kwargs), matches)


def _run(
    model: Module, call: Callable[[Module], Any], matches: Callable[[str, Any], bool]
) -> tuple[Any, dict[str, Any]]:
    order = [
        path for path, node in walk(model) if is_module(node) and matches(path, node)
    ]
    recorder = _Recorder()
    try:
        out = call(_tag(model, "", frozenset(order), recorder))
    finally:
        recorded = recorder.close()
    return out, {path: recorded[path] for path in order if path in recorded}
