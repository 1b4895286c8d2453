"""The closure rule: a function given to a checked transform takes its modules as arguments.

A module that a transformed function reaches any other way (a closure cell, a global
it loads, a default argument, a `functools.partial` argument, the `self` of a bound
method, or the module itself given as the function) is not an input of the traced
program: `jax.jit` and the control-flow primitives bake its arrays into the compiled
program as constants, which go stale as soon as the model is updated, and a change
to it inside the transform is lost. So `px.*` refuse such functions with
`ClosureCaptureError`, naming the function, the variable and the fix.

The check reads the function's bytecode (`dis`) for the globals it *loads* (attribute
names such as `x.model` are not globals), follows the user functions it reaches
through closure cells and globals (helpers), and skips library code. It runs when the
function is wrapped and, if some name was not bound yet then, once more when the
function is first traced; a function that passed is remembered (weakly), so calls
never pay for it.
"""

from __future__ import annotations

import dis
import functools
import inspect
import sysconfig
import types
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import jax

from ._errors import ClosureCaptureError
from ._module import Module

# Installed code (the standard library, site-packages) and these packages, wherever they
# are installed from, are not user code: they take their modules as arguments, and
# walking them would only cost time.
_LIBRARIES = frozenset({"jax", "jaxlib", "numpy", "purepax", "equinox", "flax", "optax"})
_LIBRARY_DIRS = tuple(
    {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
)
_NEVER_MODULES = (type, types.ModuleType, types.FunctionType, jax.Array, str, bytes, int, float, complex)
_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS"})

_verified: weakref.WeakSet[Any] = weakref.WeakSet()  # functions known to capture no module


def refuse_captures(fn: object, transform: str, *, tracing: bool) -> None:
    """Raise `ClosureCaptureError` if `fn` reaches a module other than through its arguments.

    Called when `fn` is wrapped (`tracing=False`: fail early) and when it is traced
    (`tracing=True`). A function that passed at a trace is remembered, so later traces
    cost one set lookup; one that passed only at wrap time is checked again at its first
    trace, since a closure cell or global may hold a module by then.
    """
    try:
        if fn in _verified:
            return
    except TypeError:  # unhashable callable: check it every time it is wrapped or traced
        pass
    complete = _Walk(transform, fn).check(fn)
    if complete and tracing:
        try:
            _verified.add(fn)
        except TypeError:
            pass


def _name(fn: object) -> str:
    if isinstance(fn, functools.partial):
        return f"functools.partial({_name(fn.func)}, ...)"
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return f"`{name}`" if name else repr(fn)


def _where(fn: object) -> str:
    code = getattr(fn, "__code__", None)
    if code is None:
        return ""
    return f" ({code.co_filename}:{code.co_firstlineno})"


def _modules_in(value: Any) -> Iterator[tuple[str, Module]]:
    """(path inside `value`, module) for each top-level module in `value`."""
    if isinstance(value, Module):
        yield "", value
        return
    if value is None or isinstance(value, _NEVER_MODULES):
        return
    try:
        leaves = jax.tree_util.tree_flatten_with_path(value, is_leaf=_is_module)[0]
    except Exception:  # an object JAX cannot flatten holds no module it could see either
        return
    for path, leaf in leaves:
        if isinstance(leaf, Module):
            yield jax.tree_util.keystr(path), leaf


def _is_module(x: object) -> bool:
    return isinstance(x, Module)


def _parameter_name(fn: Callable[..., Any], index: int) -> str:
    """The name of `fn`'s positional parameter `index`, as functools.partial fills it."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        names = []
    return names[index] if index < len(names) else f"argument {index}"


def _is_library(fn: types.FunctionType) -> bool:
    root = (getattr(fn, "__module__", None) or "").partition(".")[0]
    return root in _LIBRARIES or fn.__code__.co_filename.startswith(_LIBRARY_DIRS)


def _loaded_globals(code: types.CodeType) -> Iterator[str]:
    """The global names `code` (or a code object nested in it) loads, in order."""
    for instruction in dis.get_instructions(code):
        if instruction.opname in _LOADS:
            yield instruction.argval
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _loaded_globals(const)


_WHY = (
    "a captured module is not an input of the transformed program: its arrays would be "
    "baked in as constants and go stale when the module is updated, and changes to it "
    "would be lost"
)


class _Walk:
    """One check of a function and of the user functions it reaches."""

    def __init__(self, transform: str, top: object) -> None:
        self.transform = transform
        self.top = top
        self.seen: set[int] = set()
        self.complete = True  # False when a closure cell or global was not bound yet

    def check(self, fn: object) -> bool:
        self.visit(fn)
        return self.complete

    def fail(self, fn: object, how: str, variable: str, path: str, module: Module) -> None:
        top = _name(self.top)
        via = "" if _name(fn) == top else f", reached from {top},"
        at = f" at {variable}{path}" if path else ""
        target = fn
        while isinstance(target, functools.partial):
            target = target.func
        raise ClosureCaptureError(
            f"{self.transform}: the function {_name(fn)}{_where(target)}{via} captures a "
            f"{type(module).__name__} module {how}{at}. Functions given to purepax transforms "
            f"must take their modules as arguments: {_WHY}. Pass `{variable}` to {_name(target)} "
            "as an argument instead, and return it if it changes."
        )

    def visit(self, fn: object) -> None:
        if id(fn) in self.seen:
            return
        self.seen.add(id(fn))
        if isinstance(fn, Module):
            cls = type(fn).__name__
            raise ClosureCaptureError(
                f"{self.transform} was given a {cls} module as the function to transform, so "
                f"the module is captured instead of passed: {_WHY}. Transform a function that "
                f"takes it as an argument instead, e.g. `{self.transform}(lambda model, x: "
                f"model(x))(model, x)` or `{self.transform}({cls}.__call__)(model, x)`."
            )
        if isinstance(fn, functools.partial):
            for i, arg in enumerate(fn.args):
                for path, module in _modules_in(arg):
                    how = f"through functools.partial's positional argument {i}"
                    self.fail(fn, how, _parameter_name(fn.func, i), path, module)
            for key, arg in fn.keywords.items():
                for path, module in _modules_in(arg):
                    how = f"through functools.partial's keyword argument `{key}`"
                    self.fail(fn, how, key, path, module)
            self.visit(fn.func)
            return
        if inspect.ismethod(fn):
            owner = fn.__self__
            if isinstance(owner, Module):
                name = f"{type(owner).__name__}.{fn.__func__.__name__}"
                raise ClosureCaptureError(
                    f"{self.transform} was given `{name}`, a method bound to a "
                    f"{type(owner).__name__} module, so it captures that module as `self`: "
                    f"{_WHY}. Transform the unbound method and pass the module as its first "
                    f"argument: `{self.transform}({name})(model, ...)` (or decorate the method "
                    f"with @{self.transform} in the class body)."
                )
            self.visit(fn.__func__)
            return
        wrapped = getattr(fn, "__wrapped__", None)
        if wrapped is not None and callable(wrapped):
            self.visit(wrapped)
        if isinstance(fn, types.FunctionType) and not _is_library(fn):
            self.visit_function(fn)

    def visit_function(self, fn: types.FunctionType) -> None:
        code = fn.__code__
        defaults = fn.__defaults__ or ()
        with_defaults = code.co_varnames[code.co_argcount - len(defaults) : code.co_argcount]
        for name, default in [*zip(with_defaults, defaults), *(fn.__kwdefaults__ or {}).items()]:
            for path, module in _modules_in(default):
                self.fail(fn, f"as the default value of its parameter `{name}`", name, path, module)
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:  # not assigned yet: look again when the function is traced
                self.complete = False
                continue
            self.visit_value(fn, f"through the variable `{name}` of an enclosing scope", name, value)
        builtins = fn.__globals__.get("__builtins__")
        for name in dict.fromkeys(_loaded_globals(code)):
            if name in fn.__globals__:
                self.visit_value(fn, f"through the global variable `{name}`", name, fn.__globals__[name])
            elif not (name in builtins if isinstance(builtins, dict) else hasattr(builtins, name)):
                self.complete = False  # not defined yet: look again when the function is traced

    def visit_value(self, fn: types.FunctionType, how: str, variable: str, value: Any) -> None:
        if inspect.ismethod(value) and isinstance(value.__self__, Module):
            self.fail(fn, how + " (a method bound to it)", variable, "", value.__self__)
        for path, module in _modules_in(value):
            self.fail(fn, how, variable, path, module)
        if callable(value) and not isinstance(value, type):
            self.visit(value)
