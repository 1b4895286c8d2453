"""Retraces explained: why a `px.jit` function traced again, in the model's terms.

JAX traces a jitted function again for each new abstract signature of its arguments
(shapes, dtypes, weak types, tree structure, static values) and for each new function
object, and says nothing unless asked (`jax_explain_cache_misses`, in its own terms).
`px.jit` hands JAX a checked function that runs only when JAX traces (`_transforms.py`),
so recording each trace there costs a compiled call nothing. Each trace leaves a
signature: per argument path (`model.blocks[0].dropout.rate`, as `px.summary` writes
it), a static field's value, an array's shape, dtype and weak type, a module's class, a
container's length or keys. A new trace is explained by its differences from the
closest earlier one, and past `max_traces` traces of one function a `RetraceWarning`
names the cause and the fix.

Records are kept per code object (the chain of `__wrapped__` functions), not per
function object: a function made again (`px.jit(lambda ...)` inside a loop) is the same
code traced again, and that is a retrace worth naming. A record holds a few recent
signatures, a weak reference to each traced function, and static values only when they
are plain (numbers, strings, ...; other static values by type, hash and repr), so it
keeps no model, closure or array alive.
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import inspect
import os
import sys
import types
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import jax

from ._class_spec import spec_of
from ._errors import ArgumentError
from ._module_marker import is_module


class RetraceWarning(UserWarning):
    """A `px.jit` function traced (and compiled) more than `max_traces` times.

    The message names the function, the count and what changed since the closest
    earlier trace (`step traced a 3rd time: model.dropout.rate changed 0.1 -> 0.2 (a
    static field)`), then the fix. Silence it with `px.set_max_traces(None)`,
    `px.jit(..., max_traces=None)`, or Python's warning filters.
    """


DEFAULT_MAX_TRACES = 2
"""A first trace is inevitable and a second is common and harmless (the shorter last
batch, an eval call beside the training one); a third usually means a cause that comes
back every epoch or step, each costing a compilation."""

UNSET: Any = object()
"""The default of `px.jit`'s `max_traces`: the global setting applies."""
_max_traces: int | None = DEFAULT_MAX_TRACES
_RECENT = 8  # signatures kept per function to explain the next trace against
_SHOWN = 3  # differences named in one explanation
_REPR_LIMIT = 60


def set_max_traces(max_traces: int | None) -> None:
    """Set how many traces of one `px.jit` function pass before a `px.RetraceWarning`.

    **Arguments:** `max_traces`, a count (default 2: the 3rd trace warns) or `None` to
    never warn. A function's own `px.jit(..., max_traces=...)` takes precedence.

    ```python
    px.set_max_traces(5)     # allow a few more traces everywhere
    px.set_max_traces(None)  # never warn
    ```
    """
    global _max_traces
    _max_traces = _checked_max_traces(max_traces, "px.set_max_traces")


def _checked_max_traces(max_traces: Any, where: str) -> int | None:
    if max_traces is not None and (
        isinstance(max_traces, bool)
        or not isinstance(max_traces, int)
        or max_traces < 1
    ):
        raise ArgumentError(
            f"{where} takes a positive number of traces or None (never warn), got "
            f"{max_traces!r}."
        )
    return max_traces


@dataclasses.dataclass(frozen=True)
class _Opaque:
    """A static value kept by its type and hash rather than held alive: JAX finds such
    values equal by `==`, which implies equal hashes. `text` is its repr, for messages."""

    type: type
    hash: int
    text: str = dataclasses.field(compare=False)


class _Leaf(NamedTuple):
    """What one path of an argument held in one trace."""

    kind: str  # array, static field, static argument, module, length, keys, tree, none
    value: Any


Signature = dict[str, _Leaf]

_PLAIN = (type(None), bool, int, float, complex, str, bytes, type, enum.Enum)


class Traces:
    """The traces of one function under `px.jit`: their count, causes, recent signatures."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.causes: list[str] = []
        self.max_traces: int | None = UNSET
        self.recent: collections.deque[tuple[Signature, Any]] = collections.deque(
            maxlen=_RECENT
        )

    def record(self, fn: Callable[..., Any], args: Any, kwargs: Any) -> None:
        """Record a trace of `fn` on `args`, `kwargs`; warn past `max_traces`."""
        # Under `jax.disable_jit()`, `fn` runs on every call: these are not traces.
        if getattr(jax.config, "jax_disable_jit", False):
            return
        signature = _signature(fn, args, kwargs)
        cause, advice = self._explain(fn, signature)
        try:
            ref: Any = weakref.ref(fn)
        except TypeError:
            ref = None
        self.recent.append((signature, ref))
        self.causes.append(cause)
        limit = _max_traces if self.max_traces is UNSET else self.max_traces
        count = len(self.causes)
        if limit is not None and count > limit:
            warnings.warn(
                f"{self.name} traced a {_ordinal(count)} time: {cause}. {advice} "
                f"({limit} traces pass before this warning: px.jit(..., max_traces=n) or "
                "px.set_max_traces(n) sets how many, None never warns.)",
                RetraceWarning,
                stacklevel=_caller_level(),
            )

    def _explain(self, fn: Callable[..., Any], signature: Signature) -> tuple[str, str]:
        if not self.recent:
            return "first trace", ""
        closest: list[str] = []
        closest_advice = ""
        closest_ref: Any = None
        best = None
        for earlier, ref in reversed(self.recent):
            found = _differences(earlier, signature)
            if best is None or len(found) < best:
                best = len(found)
                closest = [text for text, _ in found]
                closest_advice = found[0][1] if found else ""
                closest_ref = ref
        if closest:
            more = len(closest) - _SHOWN
            shown = "; ".join(closest[:_SHOWN])
            return (shown + (f"; and {more} more" if more > 0 else "")), closest_advice
        if closest_ref is None or closest_ref() is not fn:
            return (
                f"`{self.name}` is a new function object (the same code, defined again), "
                "with arguments like an earlier trace's",
                "JAX caches compilations per function object: define the function once "
                "(outside the loop, or the function called each epoch) and reuse it.",
            )
        return (
            "nothing changed since an earlier trace",
            "JAX's cache was cleared (jax.clear_caches(), .clear_cache()), or another "
            "px.jit of the same function, with other options, traced it.",
        )


# Per code: the chain of `__code__` objects down the `__wrapped__` functions
# (`px.jit(px.grad(loss))` is grad's wrapper over `loss`). Never removed, but small.
_BY_CODE: dict[tuple[types.CodeType, ...], Traces] = {}
_BY_OBJECT: weakref.WeakKeyDictionary[Any, Traces] = weakref.WeakKeyDictionary()


def traces_for(fn: Callable[..., Any]) -> Traces | None:
    """The record of `fn`'s traces (made on first use), or None where none can be kept."""
    key = _code_key(fn)
    if key is not None:
        found = _BY_CODE.get(key)
        if found is None:
            found = _BY_CODE[key] = Traces(_name(fn))
        return found
    try:
        found = _BY_OBJECT.get(fn)
        if found is None:
            found = _BY_OBJECT[fn] = Traces(_name(fn))
    except TypeError:  # neither hashable nor weakly referable: not recorded
        return None
    return found


def set_function_max_traces(traces: Traces | None, max_traces: Any) -> None:
    """Apply `px.jit(..., max_traces=...)` to a function's record."""
    if traces is not None and max_traces is not UNSET:
        traces.max_traces = _checked_max_traces(max_traces, "px.jit(max_traces=...)")


def traces(fn: Callable[..., Any]) -> tuple[str, ...]:
    """Why each trace of a `px.jit` function happened, oldest first.

    **Arguments:** `fn`, a function returned by `px.jit` (a jitted method, bound or
    not, too).

    **Returns:** one line per trace: `"first trace"`, then what changed since the
    closest earlier trace (`"x changed shape (32, 4) -> (8, 4)"`).

    ```python
    step(model, x)
    print(px.traces(step))  # ('first trace',)
    ```
    """
    return tuple(_lookup(fn, "px.traces").causes)


def trace_count(fn: Callable[..., Any]) -> int:
    """How many times a `px.jit` function has traced (each trace compiles).

    **Arguments:** `fn`, a function returned by `px.jit` (a jitted method too).

    **Returns:** the count; `0` before its first call.
    """
    return len(_lookup(fn, "px.trace_count").causes)


TRACES_ATTRIBUTE = "__purepax_traces__"


def _lookup(fn: Any, where: str) -> Traces:
    target = getattr(fn, "__func__", fn)  # a bound jitted method
    seen = 0
    while target is not None and seen < 100:
        found = getattr(target, TRACES_ATTRIBUTE, None)
        if isinstance(found, Traces):
            return found
        target, seen = getattr(target, "__wrapped__", None), seen + 1
    key = _code_key(fn)
    record = _BY_CODE.get(key) if key is not None else None
    if record is None:
        raise ArgumentError(
            f"{where} takes a function returned by px.jit, got {fn!r}. Pass the jitted "
            f"function (`step = px.jit(f)`, then `{where}(step)`)."
        )
    return record


def _code_key(fn: Any) -> tuple[types.CodeType, ...] | None:
    codes: list[types.CodeType] = []
    seen = 0
    while fn is not None and seen < 100:
        code = getattr(fn, "__code__", None)
        if isinstance(code, types.CodeType):
            codes.append(code)
        fn = getattr(fn, "__wrapped__", None) or getattr(fn, "func", None)
        seen += 1
    return tuple(codes) or None


def _name(fn: Any) -> str:
    """`fn`'s name as written where it is defined: `step`, `Model.predict`."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return str(name).rpartition(">.")[2] if name else repr(fn)  # past `<locals>.`


def _signature(fn: Callable[..., Any], args: Any, kwargs: Any) -> Signature:
    named: list[tuple[str, Any]]
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        named = [(f"args[{i}]", a) for i, a in enumerate(args)]
        named += [(f"{k}", v) for k, v in kwargs.items()]
    else:
        named = []
        for name, value in bound.arguments.items():
            kind = bound.signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_POSITIONAL:
                named += [(f"{name}[{i}]", v) for i, v in enumerate(value)]
            elif kind is inspect.Parameter.VAR_KEYWORD:
                named += [(f"{name}[{k!r}]", v) for k, v in value.items()]
            else:
                named.append((name, value))
    signature: Signature = {}
    for path, value in named:
        _walk(value, path, signature)
    return signature


def _walk(x: Any, path: str, out: Signature) -> None:
    """Record in `out` what `x` holds at `path` and below; a leaf that is not an array is
    a static argument (JAX hands the function tracers for all others)."""
    if x is None:
        out[path] = _Leaf("none", None)
    elif is_module(x):
        # Before its fields: a path that changed hides the changes below it.
        out[path] = _Leaf("module", (type(x),))
        spec = spec_of(type(x))
        dynamic = spec.dynamic_names(x)
        for name in spec.fields:
            value, where = x.__dict__[name], f"{path}.{name}"
            if name == "layers" and _is_stack(x):
                where = path  # a stack's blocks, as px.summary names them
            if name in dynamic:
                _walk(value, where, out)
            else:
                out[where] = _Leaf("static field", _kept(value))
        if _is_stack(x):  # its blocks took its path: the class of both, Stacked[Block]
            out[path] = _Leaf("module", (type(x), *out[path].value))
    elif hasattr(x, "shape") and hasattr(x, "dtype"):
        aval = getattr(x, "aval", x)
        weak = bool(getattr(aval, "weak_type", False))
        out[path] = _Leaf("array", (tuple(x.shape), str(x.dtype), weak))
    elif isinstance(x, (tuple, list)):
        out[path] = _Leaf("length", (type(x), len(x)))
        for i, item in enumerate(x):
            _walk(item, f"{path}[{i}]", out)
    elif isinstance(x, Mapping):
        out[path] = _Leaf("keys", (type(x), tuple(map(repr, x))))
        for key, item in x.items():
            _walk(item, f"{path}[{key!r}]", out)
    else:
        leaves, treedef = jax.tree_util.tree_flatten_with_path(x)
        if len(leaves) == 1 and leaves[0][1] is x:  # a leaf: a static value
            out[path] = _Leaf("static argument", _kept(x))
            return
        out[path] = _Leaf("tree", _kept(treedef))
        for key_path, leaf in leaves:
            _walk(leaf, path + jax.tree_util.keystr(key_path), out)


def _is_stack(x: Any) -> bool:
    # By name: `_stacked.py` builds on the transforms, which build on this file.
    return type(x).__name__ == "Stacked" and type(x).__module__ == "purepax._stacked"


def _kept(value: Any) -> Any:
    """`value` itself if it is plain (keeps nothing alive), else its type, hash and repr."""
    if isinstance(value, _PLAIN) or (
        isinstance(value, (tuple, frozenset))
        and all(isinstance(v, _PLAIN) for v in value)
    ):
        return value
    try:
        hashed = hash(value)
    except TypeError:
        hashed = id(value)
    return _Opaque(type(value), hashed, _short_repr(value))


def _differences(before: Signature, after: Signature) -> list[tuple[str, str]]:
    """Each path whose leaf changed from `before` to `after`, in words, with its fix;
    below a path that changed, nothing more is named."""
    found: list[tuple[str, str]] = []
    changed: set[str] = set()
    for path in [*after, *(p for p in before if p not in after)]:
        old, new = before.get(path), after.get(path)
        if old == new or any(a in changed for a in _ancestors(path)):
            continue
        changed.add(path)
        if old is not None and new is not None:
            found.append(_in_words(path, old, new))
    return found


def _ancestors(path: str) -> Iterator[str]:
    """The paths above `path`: `model`, `model.blocks` above `model.blocks[0].rate`."""
    for i, char in enumerate(path):
        if char in ".[" and i:
            yield path[:i]


def _in_words(path: str, old: _Leaf, new: _Leaf) -> tuple[str, str]:
    if old.kind == new.kind == "array":
        (old_shape, old_dtype, old_weak), (new_shape, new_dtype, new_weak) = (
            old.value,
            new.value,
        )
        if old_shape != new_shape:
            return (
                f"{path} changed shape {old_shape} -> {new_shape}",
                "Each new shape compiles again: pad to a fixed shape (the last, shorter "
                "batch too) or drop the remainder.",
            )
        if old_dtype != new_dtype:
            return (
                f"{path} changed dtype {old_dtype} -> {new_dtype}",
                "Each new dtype compiles again: pass arrays of one dtype "
                "(jnp.asarray(x, dtype)).",
            )
        kinds = ("an array", "a Python scalar (weakly typed)")
        return (
            f"{path} changed {kinds[old_weak]} -> {kinds[new_weak]} of dtype {new_dtype}",
            "A Python scalar is weakly typed and an array is not, so they compile "
            "apart: pass the same kind on every call (jnp.asarray(x)).",
        )
    if old.kind == new.kind and old.kind in ("static field", "static argument"):
        return _static_in_words(path, old.value, new.value, old.kind)
    if old.kind == new.kind == "module":
        return (
            f"{path} changed class {_class_name(old.value)} -> {_class_name(new.value)}",
            "Each module class compiles apart: pass modules of one class.",
        )
    if old.kind == new.kind == "keys":
        return (
            f"{path} changed keys [{', '.join(old.value[1])}] -> "
            f"[{', '.join(new.value[1])}]",
            "Each set of keys compiles apart: pass mappings with the same keys.",
        )
    if old.kind == new.kind == "length" and old.value[0] is new.value[0]:
        return (
            f"{path} changed length {old.value[1]} -> {new.value[1]}",
            "Each length compiles apart: pass sequences of one length (or stack them "
            "into one array).",
        )
    return (
        f"{path} changed {_kind_in_words(old)} -> {_kind_in_words(new)}",
        "Each tree structure compiles apart: pass arguments of one structure.",
    )


def _static_in_words(path: str, old: Any, new: Any, kind: str) -> tuple[str, str]:
    fix = (
        "A static field is compiled into the program, so each new value compiles "
        "again: keep it fixed, or make a value that changes an array (a px.param or "
        "px.state field, or an argument)."
        if kind == "static field"
        else "Each new value of a static argument compiles again: pass it as an array "
        "argument, or keep its values few."
    )
    old_text, new_text = _value_text(old), _value_text(new)
    # Not a repr that names only the object (`<function <lambda> at 0x7f...>`).
    telling = old_text != new_text and " at 0x" not in new_text
    if telling and len(old_text) + len(new_text) <= 2 * _REPR_LIMIT:
        return f"{path} changed {old_text} -> {new_text} (a {kind})", fix
    new_type = new.type if isinstance(new, _Opaque) else type(new)
    return (
        f"{path} changed (a {kind}): a new {new_type.__name__} that is not equal (==) "
        "to the earlier one",
        "It is compiled into the program and compared by ==, so an object made anew "
        "each time (an optax transformation, a function) compiles again: make it once, "
        "outside the loop, and reuse it.",
    )


def _value_text(value: Any) -> str:
    return value.text if isinstance(value, _Opaque) else _short_repr(value)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


def _kind_in_words(leaf: _Leaf) -> str:
    if leaf.kind == "array":
        shape, dtype, _ = leaf.value
        return f"an array of shape {shape} and dtype {dtype}"
    if leaf.kind == "module":
        return f"a {_class_name(leaf.value)} module"
    if leaf.kind in ("length", "keys"):
        return f"a {leaf.value[0].__name__}"
    if leaf.kind == "none":
        return "None"
    if leaf.kind == "tree":
        return f"the tree {_value_text(leaf.value)}"
    return f"{_value_text(leaf.value)} (a {leaf.kind})"


def _class_name(classes: tuple[type, ...]) -> str:
    """`Linear`, or `Stacked[Block]` for a stack of blocks."""
    outer, *inner = classes
    return outer.__name__ + "".join(f"[{c.__name__}]" for c in inner)


def _ordinal(n: int) -> str:
    suffix = (
        "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    )
    return f"{n}{suffix}"


_INTERNAL = tuple(
    os.path.dirname(getattr(m, "__file__", None) or "") + os.sep
    for m in (jax, sys.modules[__name__.rpartition(".")[0]])
)


def _caller_level() -> int:
    """The `stacklevel` of the first frame outside JAX and purepax: the call that traced."""
    frame: types.FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    return level
