"""The closure rule: a function given to a checked transform takes its modules as arguments.

A module that a transformed function reaches any other way (a closure cell, a global
it loads, a default argument, a `functools.partial` argument, the `self` of a bound
method, the module itself given as the function, or an attribute, field or item of any
of these: `self.model`, `cfg.models[1]`) is not an input of the traced program:
`jax.jit` and the control-flow primitives bake its arrays into the compiled program as
constants, which go stale as soon as the model is updated, and a change to it inside
the transform is lost. So `px.*` refuse such functions with `ClosureCaptureError`,
naming the function, the path and the fix.

The check reads the function's bytecode (`dis`). Each load of a captured variable (a
free variable, a global, a parameter bound by a default, by `functools.partial` or as
the `self` of a bound method) is followed through the attribute reads and constant
subscripts that come right after it (`self.state.model`, `parts["teacher"]`), reading
the values as Python would but without running user code (no property, no
`__getattr__`). Where the code uses a value otherwise (calls it, passes it on, loops
over it), the value's contents are searched, bounded (see `_MAX_DEPTH`). User functions
reached this way (helpers, methods) are checked in turn; library code is skipped. So a
lambda that reads only `self.lr` passes, even if `self` also holds a model.

The check runs when the function is wrapped (to fail early) and once more when it is
first traced (a cell, global or attribute may hold a module by then); a function that
passed at a trace is remembered (weakly), so calls never pay for it.
"""

from __future__ import annotations

import dataclasses
import dis
import functools
import inspect
import sysconfig
import types
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import jax
import numpy as np

from ._errors import ClosureCaptureError
from ._module import Module

# Installed code (the standard library, site-packages) and these packages, wherever they
# are installed from, are not user code: they take their modules as arguments, and
# walking them would only cost time.
_LIBRARIES = frozenset(
    {"jax", "jaxlib", "numpy", "purepax", "equinox", "flax", "optax"}
)
_LIBRARY_DIRS = tuple(
    {
        sysconfig.get_paths()[key]
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)

# The search of a value that the code uses whole (rather than through attributes and
# constant subscripts, which are followed to any length) stops 8 levels below it and after
# 1,000 objects. Real captures are shallow (`cfg.models[1]` is 2 levels, a model in a
# dict of a list of a config object 4), while a captured vocabulary, replay buffer or list
# of 100k examples must cost no more than a few milliseconds (measured: about 1 ms for
# 1,000 numbers, 5 ms for 1,000 small objects, on one CPU core).
_MAX_DEPTH = 8
_MAX_OBJECTS = 1_000

# Values never looked into: Python modules and classes are namespaces, not captured data
# (`import numpy as np` is a global); arrays, strings and numbers hold no module; a
# function is checked as a function (its own closure), not searched as an object.
_ATOMS: frozenset[type] = frozenset(
    {int, float, bool, complex, str, bytes, type(None)}
)  # common, by type
_LEAVES: tuple[type, ...] = (
    *_ATOMS,
    bytearray,
    memoryview,
    range,
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    np.ndarray,
    np.generic,
    jax.Array,  # last: an isinstance check against it is the slowest
)

# Bytecode, by instruction name (Python 3.10 to 3.14 spell some of them differently).
_GLOBAL_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS"})
_CELL_LOADS = frozenset({"LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_FROM_DICT_OR_DEREF"})
_LOCAL_LOADS = frozenset({"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_BORROW"})
_LOCAL_PAIR_LOADS = frozenset(
    {"LOAD_FAST_LOAD_FAST", "LOAD_FAST_BORROW_LOAD_FAST_BORROW"}
)
_ATTRIBUTE_LOADS = frozenset({"LOAD_ATTR", "LOAD_METHOD"})
_ATTRIBUTE_WRITES = frozenset({"STORE_ATTR", "DELETE_ATTR"})
_CONSTANT_LOADS = frozenset({"LOAD_CONST", "LOAD_SMALL_INT"})
_FILLER = frozenset({"EXTENDED_ARG", "CACHE", "NOP"})

_FUNCTIONS = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)
_MISSING: Any = (
    object()
)  # no such attribute or item, or only user code could produce it

_verified: weakref.WeakSet[Any] = (
    weakref.WeakSet()
)  # functions known to capture no module


def refuse_captures(fn: object, transform: str, *, tracing: bool) -> None:
    """Raise `ClosureCaptureError` if `fn` reaches a module other than through its arguments.

    Called when `fn` is wrapped (`tracing=False`: fail early) and when it is traced
    (`tracing=True`). A function that passed at a trace is remembered, so later traces
    cost one set lookup; one that passed only at wrap time is checked again at its first
    trace, since a closure cell, global or attribute may hold a module by then.
    """
    try:
        if fn in _verified:
            return
    except (
        TypeError
    ):  # unhashable callable: check it every time it is wrapped or traced
        pass
    complete = _Walk(transform, fn).check(fn)
    if complete and tracing:
        try:
            _verified.add(fn)
        except TypeError:
            pass


class _Root(NamedTuple):
    """A captured value, as a function's code names it."""

    value: Any
    how: str  # for the message: "through the variable `self` of an enclosing scope"
    variable: str  # the name the code uses for it


# A step of a path from a captured variable: ("attr", name) or ("item", key).
_Step = tuple[str, Any]


def _path(variable: str, steps: tuple[_Step, ...]) -> str:
    return variable + "".join(
        f".{key}" if kind == "attr" else f"[{key!r}]" for kind, key in steps
    )


def _name(fn: object) -> str:
    if isinstance(fn, functools.partial):
        return f"functools.partial({_name(fn.func)}, ...)"
    if isinstance(fn, _FUNCTIONS):
        name = fn.__qualname__
    else:  # a callable object: its class may compute any attribute (and `repr`)
        name = _attribute(fn, "__qualname__")
    return f"`{name}`" if isinstance(name, str) else f"a {type(fn).__name__} object"


def _where(fn: object) -> str:
    if not isinstance(fn, types.FunctionType):
        return ""
    return f" ({fn.__code__.co_filename}:{fn.__code__.co_firstlineno})"


def _is_library(fn: types.FunctionType) -> bool:
    root = (getattr(fn, "__module__", None) or "").partition(".")[0]
    return root in _LIBRARIES or fn.__code__.co_filename.startswith(_LIBRARY_DIRS)


def _parameter_name(fn: object, index: int) -> str:
    """The name of `fn`'s positional parameter `index`, as functools.partial fills it."""
    names = []
    if isinstance(fn, _FUNCTIONS):  # a callable object's signature could run its code
        try:
            names = [p.name for p in inspect.signature(fn).parameters.values()]
        except (TypeError, ValueError):
            pass
    return names[index] if index < len(names) else f"argument {index}"


def _parameters(target: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(positional, keyword-only) parameter names of a plain function or bound method, as a
    caller fills them; empty for any other callable."""
    bound = isinstance(target, types.MethodType)
    fn = target.__func__ if isinstance(target, types.MethodType) else target
    if not isinstance(fn, types.FunctionType):
        return (), ()
    code = fn.__code__
    positional = code.co_varnames[int(bound) : code.co_argcount]
    return positional, code.co_varnames[
        code.co_argcount : code.co_argcount + code.co_kwonlyargcount
    ]


def _attribute_names(code: types.CodeType) -> frozenset[str]:
    """Every name `code` (or a code object nested in it) reads as an attribute or a global."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _attribute_names(const)
    return frozenset(names)


def _class_attribute(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        namespace = vars(klass)
        if name in namespace:
            return namespace[name]
    return _MISSING


def _instance_dict(value: object) -> dict[str, Any] | None:
    # The `__dict__` slot of the instance, read through its C descriptor (a member of some
    # built-in types such as SimpleNamespace): a class that overrides `__dict__` with a
    # property is not asked.
    slot = _class_attribute(type(value), "__dict__")
    if isinstance(slot, (types.GetSetDescriptorType, types.MemberDescriptorType)):
        attributes = slot.__get__(value, type(value))
        return attributes if isinstance(attributes, dict) else None
    return None


def _attribute(value: object, name: str) -> Any:
    """`value.<name>` as Python finds it, read without running user code: `_MISSING` where
    there is no such attribute or only user code (a property, `__getattr__`, another
    descriptor) could produce it.

    A function of the class is returned as a method bound to `value`, so that its code is
    checked with `value` as its `self`.
    """
    cls = type(value)
    if isinstance(value, tuple):
        fields = getattr(cls, "_fields", None)
        if isinstance(fields, tuple) and name in fields:
            return tuple.__getitem__(
                value, fields.index(name)
            )  # a NamedTuple field (a descriptor)
    found = _class_attribute(cls, name)
    if isinstance(found, (types.MemberDescriptorType, types.GetSetDescriptorType)):
        try:  # `__slots__` and attributes of built-in types
            return found.__get__(value, cls)
        except Exception:  # an empty slot, a C getter that refuses this object
            return _MISSING
    descriptor = type(found)
    if found is not _MISSING and (
        hasattr(descriptor, "__set__") or hasattr(descriptor, "__delete__")
    ):
        return _MISSING  # a property: running it could do anything
    attributes = _instance_dict(value)
    if attributes is not None and name in attributes:
        return attributes[name]
    if isinstance(found, types.FunctionType):
        return types.MethodType(found, value)
    if isinstance(found, staticmethod):
        return found.__func__
    if isinstance(found, classmethod):
        return types.MethodType(found.__func__, cls)
    return _MISSING if hasattr(descriptor, "__get__") else found


def _item(container: object, key: object) -> Any:
    """`container[key]` for a dict, list or tuple (never a user `__getitem__`), else `_MISSING`."""
    try:
        if isinstance(container, dict):
            return dict.get(container, key, _MISSING)
        if isinstance(container, list) and type(key) is int:
            return list.__getitem__(container, key)
        if isinstance(container, tuple) and type(key) is int:
            return tuple.__getitem__(container, key)
    except (TypeError, IndexError):  # an unhashable key, an index out of range
        pass
    return _MISSING


def _children(value: object, names: frozenset[str]) -> Iterator[tuple[_Step, Any]]:
    """What `value` holds: the items of a dict, list or tuple, the fields of a NamedTuple or
    dataclass, and of any other object the attributes (instance `__dict__`, `__slots__`)
    whose names the code reads somewhere (`names`): an object the code never reads `.model`
    from is not refused for holding one there."""
    if isinstance(value, dict):
        yield from ((("item", key), item) for key, item in dict.items(value))
    elif isinstance(value, tuple) and isinstance(
        fields := getattr(type(value), "_fields", None), tuple
    ):
        yield from (
            (("attr", field), item)
            for field, item in zip(fields, tuple.__iter__(value))
        )
    elif isinstance(value, (list, tuple)):
        items = (
            list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value)
        )
        yield from ((("item", index), item) for index, item in enumerate(items))
    else:
        attributes = _instance_dict(value) or {}
        slotted = any("__slots__" in vars(klass) for klass in type(value).__mro__)
        wanted = (
            (f.name for f in dataclasses.fields(value))
            if dataclasses.is_dataclass(value)
            else names
        )
        for name in wanted:
            if name in attributes:
                yield ("attr", name), attributes[name]
            elif slotted and isinstance(
                slot := _class_attribute(type(value), name), types.MemberDescriptorType
            ):
                try:
                    item = slot.__get__(value, type(value))
                except AttributeError:  # an empty slot
                    continue
                yield ("attr", name), item


class _Walk:
    """One check of a function and of the user functions it reaches."""

    def __init__(self, transform: str, top: object) -> None:
        self.transform = transform
        self.top = top
        self.seen: set[tuple[int, ...]] = (
            set()
        )  # functions checked, with their bound values
        self.active: set[int] = (
            set()
        )  # functions being checked: a recursive method is not re-entered
        self.searched: set[tuple[int, int]] = set()  # (value, names) searched already
        self.names: dict[
            types.CodeType, frozenset[str]
        ] = {}  # kept alive: their ids key `searched`
        self.budget = _MAX_OBJECTS
        self.complete = True  # False when a closure cell or global was not bound yet

    def check(self, fn: object) -> bool:
        self.visit(fn, {})
        return self.complete

    def attribute_names(self, code: types.CodeType) -> frozenset[str]:
        if code not in self.names:
            self.names[code] = _attribute_names(code)
        return self.names[code]

    def fail(
        self,
        fn: object,
        root: _Root,
        steps: tuple[_Step, ...],
        module: Module,
        how: str = "",
    ) -> None:
        top = _name(self.top)
        via = "" if _name(fn) == top else f", reached from {top},"
        path = _path(root.variable, steps)
        at = f", at `{path}`" if steps else ""
        target = fn
        while isinstance(target, functools.partial):
            target = target.func
        raise ClosureCaptureError(
            f"{self.transform}: the function {_name(fn)}{_where(target)}{via} captures a "
            f"{type(module).__name__} module {root.how}{how}{at}. Functions given to purepax "
            f"transforms must take their modules as arguments: {_WHY}. Pass `{path}` to "
            f"{_name(target)} as an argument instead, and return it if it changes."
        )

    def refuse_module(
        self, fn: object, root: _Root, steps: tuple[_Step, ...], value: object
    ) -> None:
        if isinstance(value, Module):
            self.fail(fn, root, steps, value)
        if isinstance(value, types.MethodType) and isinstance(value.__self__, Module):
            self.fail(fn, root, steps, value.__self__, " (a method bound to it)")

    def visit(self, fn: object, roots: Mapping[str, _Root]) -> None:
        """Check a callable; `roots` are values bound to parameters of its code
        (`functools.partial` arguments)."""
        if isinstance(fn, Module):
            cls = type(fn).__name__
            raise ClosureCaptureError(
                f"{self.transform} was given a {cls} module as the function to transform, so "
                f"the module is captured instead of passed: {_WHY}. Transform a function that "
                f"takes it as an argument instead, e.g. `{self.transform}(lambda model, x: "
                f"model(x))(model, x)` or `{self.transform}({cls}.__call__)(model, x)`."
            )
        if isinstance(fn, functools.partial):
            self.visit_partial(fn)
        elif isinstance(fn, types.MethodType):
            self.visit_method(fn, roots)
        elif isinstance(fn, types.FunctionType):
            wrapped = _attribute(fn, "__wrapped__")
            if callable(wrapped):
                self.visit(wrapped, {})
            if not _is_library(fn):
                self.visit_function(fn, roots)
        elif not isinstance(fn, _LEAVES) and callable(fn):
            wrapped = _attribute(
                fn, "__wrapped__"
            )  # a jitted or otherwise wrapped function
            if callable(wrapped):
                self.visit(wrapped, {})
            call = _attribute(
                fn, "__call__"
            )  # an instance of a user class: its `__call__`
            if isinstance(call, types.MethodType):
                self.visit_method(call, {})

    def visit_partial(self, fn: functools.partial[Any]) -> None:
        """Check `fn.func` with the arguments `fn` binds as captured values of its parameters."""
        key = (id(fn),)
        if key in self.seen:
            return
        self.seen.add(key)
        target = fn.func
        positional, keyword_only = _parameters(target)
        function = target.__func__ if isinstance(target, types.MethodType) else target
        names = (
            self.attribute_names(function.__code__)
            if isinstance(function, types.FunctionType)
            else frozenset()
        )
        given = []
        for i, arg in enumerate(fn.args):
            name = positional[i] if i < len(positional) else _parameter_name(target, i)
            how = f"through functools.partial's positional argument {i}"
            given.append((_Root(arg, how, name), i < len(positional)))
        for keyword, arg in fn.keywords.items():
            how = f"through functools.partial's keyword argument `{keyword}`"
            given.append(
                (_Root(arg, how, keyword), keyword in positional + keyword_only)
            )
        roots: dict[str, _Root] = {}
        for root, is_parameter in given:
            self.refuse_module(fn, root, (), root.value)
            if is_parameter:
                roots[root.variable] = root
            else:  # gathered by *args or **kwargs, where the code cannot be followed to it
                self.reach(fn, root, (), root.value, names)
        self.visit(target, roots)

    def visit_method(
        self, method: types.MethodType, roots: Mapping[str, _Root]
    ) -> None:
        owner = method.__self__
        if isinstance(owner, Module):
            name = f"{type(owner).__name__}.{method.__func__.__name__}"
            raise ClosureCaptureError(
                f"{self.transform} was given `{name}`, a method bound to a "
                f"{type(owner).__name__} module, so it captures that module as `self`: "
                f"{_WHY}. Transform the unbound method and pass the module as its first "
                f"argument: `{self.transform}({name})(model, ...)` (or decorate the method "
                f"with @{self.transform} in the class body)."
            )
        fn = method.__func__
        if not isinstance(fn, types.FunctionType) or fn.__code__.co_argcount == 0:
            self.visit(fn, roots)
            return
        this = fn.__code__.co_varnames[0]
        what = (
            f"the class {owner.__name__}"
            if isinstance(owner, type)
            else f"the {type(owner).__name__} object"
        )
        how = f"through `{this}`, {what} that `{fn.__name__}` is bound to"
        self.visit(fn, {**roots, this: _Root(owner, how, this)})

    def visit_function(
        self, fn: types.FunctionType, roots: Mapping[str, _Root]
    ) -> None:
        # A method reached through different objects is checked for each (their attributes
        # differ), but not again inside itself: a method recursing through a linked
        # structure (`self.next.step(x)`) would otherwise be followed to its end.
        key = (id(fn), *(id(root.value) for root in roots.values()))
        if key in self.seen or id(fn) in self.active:
            return
        self.seen.add(key)
        self.active.add(id(fn))
        try:
            self.check_function(fn, roots)
        finally:
            self.active.discard(id(fn))

    def check_function(
        self, fn: types.FunctionType, roots: Mapping[str, _Root]
    ) -> None:
        code = fn.__code__
        captured = dict(roots)
        defaults = fn.__defaults__ or ()
        with_defaults = code.co_varnames[
            code.co_argcount - len(defaults) : code.co_argcount
        ]
        for name, default in [
            *zip(with_defaults, defaults),
            *(fn.__kwdefaults__ or {}).items(),
        ]:
            captured.setdefault(
                name,
                _Root(default, f"as the default value of its parameter `{name}`", name),
            )
        cells = []
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            try:
                value = cell.cell_contents
            except (
                ValueError
            ):  # not assigned yet: look again when the function is traced
                self.complete = False
                continue
            captured[name] = _Root(
                value, f"through the variable `{name}` of an enclosing scope", name
            )
            cells.append(name)
        for name, root in captured.items():
            self.refuse_module(fn, root, (), root.value)
        names = self.attribute_names(code)
        loaded: set[str] = set()
        self.scan(fn, code, captured, names, loaded, {})
        for name in (
            cells
        ):  # not loaded by an instruction known here (a newer Python?): search it
            if name not in loaded:
                self.reach(fn, captured[name], (), captured[name].value, names)

    def scan(
        self,
        fn: types.FunctionType,
        code: types.CodeType,
        captured: Mapping[str, _Root],
        names: frozenset[str],
        loaded: set[str],
        globals_: dict[str, _Root | None],
    ) -> None:
        """Follow each load of a captured variable or a global in `code` and in the code
        nested in it (lambdas, comprehensions, inner functions)."""
        cells = set(code.co_freevars) | set(code.co_cellvars)
        instructions = [
            i for i in dis.get_instructions(code) if i.opname not in _FILLER
        ]
        for index, instruction in enumerate(instructions):
            op, name = instruction.opname, instruction.argval
            if op in _GLOBAL_LOADS:
                root = self.global_root(fn, name, globals_)
                if root is not None:
                    self.follow(fn, root, instructions, index + 1, names)
            elif op in _LOCAL_PAIR_LOADS:
                first, second = name
                if (
                    first in captured and first not in cells
                ):  # used whole: the second load follows
                    loaded.add(first)
                    self.reach(fn, captured[first], (), captured[first].value, names)
                if second in captured and second not in cells:
                    loaded.add(second)
                    self.follow(fn, captured[second], instructions, index + 1, names)
            # A variable shared with inner functions is read with LOAD_DEREF; LOAD_FAST or
            # LOAD_CLOSURE of it (building a closure) hands on the cell, not the value.
            elif name in captured and (
                op in _CELL_LOADS if name in cells else op in _LOCAL_LOADS
            ):
                loaded.add(name)
                self.follow(fn, captured[name], instructions, index + 1, names)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                inner = {
                    name: root
                    for name, root in captured.items()
                    if name in const.co_freevars
                }
                self.scan(fn, const, inner, names, loaded, globals_)

    def global_root(
        self, fn: types.FunctionType, name: str, globals_: dict[str, _Root | None]
    ) -> _Root | None:
        if name not in globals_:
            root = None
            if name in fn.__globals__:
                root = _Root(
                    fn.__globals__[name], f"through the global variable `{name}`", name
                )
                self.refuse_module(fn, root, (), root.value)
            else:
                builtins = fn.__globals__.get("__builtins__")
                if not (
                    name in builtins
                    if isinstance(builtins, dict)
                    else hasattr(builtins, name)
                ):
                    self.complete = (
                        False  # not defined yet: look again when the function is traced
                    )
            globals_[name] = root
        return globals_[name]

    def follow(
        self,
        fn: types.FunctionType,
        root: _Root,
        instructions: list[dis.Instruction],
        index: int,
        names: frozenset[str],
    ) -> None:
        """Follow the attribute reads and constant subscripts right after a load of `root`
        (`self.state.model`, `cfg.models[1]`), then `reach` the value they end at."""
        value = root.value
        steps: tuple[_Step, ...] = ()
        while not isinstance(value, _LEAVES) and index < len(instructions):
            self.refuse_module(fn, root, steps, value)
            instruction = instructions[index]
            step: _Step
            if instruction.opname in _ATTRIBUTE_LOADS:
                step, value = (
                    ("attr", instruction.argval),
                    _attribute(value, instruction.argval),
                )
                index += 1
            elif instruction.opname in _ATTRIBUTE_WRITES:
                return  # `self.count = ...`: nothing is read
            elif instruction.opname in _CONSTANT_LOADS and _is_subscript(
                instructions, index + 1
            ):
                step, item = (
                    ("item", instruction.argval),
                    _item(value, instruction.argval),
                )
                if item is _MISSING:
                    break  # a key it does not hold (yet), or a user `__getitem__`: search it all
                value = item
                index += 2
            else:
                break
            if value is _MISSING:
                return
            steps = (*steps, step)
        self.reach(fn, root, steps, value, names)

    def reach(
        self,
        fn: object,
        root: _Root,
        steps: tuple[_Step, ...],
        value: Any,
        names: frozenset[str],
    ) -> None:
        """`fn` uses `value` (reached from `root` by `steps`) whole: refuse a module in it,
        and check it as a function if it is one (a helper, a method)."""
        self.refuse_module(fn, root, steps, value)
        if callable(value) and not isinstance(value, type):
            self.visit(value, {})
        self.budget = _MAX_OBJECTS
        self.search(fn, root, steps, value, names, 0)

    def search(
        self,
        fn: object,
        root: _Root,
        steps: tuple[_Step, ...],
        value: Any,
        names: frozenset[str],
        depth: int,
    ) -> None:
        if isinstance(value, _LEAVES) or depth == _MAX_DEPTH or self.budget == 0:
            return
        key = (id(value), id(names))
        if key in self.searched:
            return
        self.searched.add(key)
        for step, item in _children(value, names):
            self.budget -= 1
            if (
                type(item) not in _ATOMS
            ):  # a list of a million numbers: a set lookup each
                self.refuse_module(fn, root, (*steps, step), item)
                self.search(fn, root, (*steps, step), item, names, depth + 1)
            if self.budget == 0:
                return


def _is_subscript(instructions: list[dis.Instruction], index: int) -> bool:
    if index >= len(instructions):
        return False
    instruction = instructions[index]
    # BINARY_SUBSCR up to Python 3.13; BINARY_OP with argrepr "[]" from 3.14.
    return instruction.opname == "BINARY_SUBSCR" or (
        instruction.opname == "BINARY_OP" and instruction.argrepr == "[]"
    )


_WHY = (
    "a captured module is not an input of the transformed program: its arrays would be "
    "baked in as constants and go stale when the module is updated, and changes to it "
    "would be lost"
)
