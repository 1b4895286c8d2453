"""Runtime type checks with beartype + jaxtyping, shapes included.

Checks run where values are made, never on JAX's rebuilds: a module's fields when it
is constructed (one call, so dimension names bind across all fields: `weight: "i o"`
and `bias: "o"` must agree), and the arguments of checked transforms at trace time.
`PUREPAX_TYPECHECK=0` in the environment turns them off.

Class-scoped dimension names: in a module class, a dimension name (not variadic) equal
to an `int` parameter of the class's `__init__` (for a dataclass-generated `__init__`,
an `int` field) is that argument's value for the instance; other names keep jaxtyping's
scope of one call. The field check binds each such name to the value of the field of
that name (`Linear.in_features` for `weight: "in_features out_features"`), so a field
of another size is refused. An `__init__` parameter that is not stored in a field of
its name cannot be read back from the instance: its name is left unbound (per call) at
run time, though the mypy plugin still binds it where it sees the constructor's call.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import inspect
import os
import types
import typing
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from beartype import BeartypeConf, beartype
from jaxtyping import (
    AbstractArray,
    Array,
    Bool,
    Integer,
    Num,
    Real,
    Shaped,
    TypeCheckError,
    jaxtyped,
)

from ._containers import ARRAY_TYPES as _ARRAYS
from ._errors import FieldError, TransformTypeError
from ._module_marker import ModuleMarker

# PEP 484's numeric tower: an `int` is accepted where `float` is annotated (and both where
# `complex` is), as mypy and pyright accept it.
_typechecker = beartype(conf=BeartypeConf(is_pep484_tower=True))


def typecheck_enabled() -> bool:
    """Whether runtime type checks are on (`PUREPAX_TYPECHECK` is not 0/false/no/off)."""
    flag = os.environ.get("PUREPAX_TYPECHECK", "1").strip().lower()
    return flag not in ("0", "false", "no", "off")


def _relax(tp: Any) -> Any:
    """`tp` with list/dict types widened to Sequence/Mapping: a module freezes its containers."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    sequence: Any = collections.abc.Sequence
    mapping: Any = collections.abc.Mapping
    if tp is list:
        return collections.abc.Sequence
    if tp is dict:
        return collections.abc.Mapping
    if origin is list:
        return sequence[_relax(args[0])] if args else sequence
    if origin is dict:
        return mapping[_relax(args[0]), _relax(args[1])] if args else mapping
    if origin is typing.Union:
        return typing.Union[tuple(_relax(a) for a in args)]
    if origin is tuple and args:
        tuple_type: Any = tuple
        return tuple_type[tuple(_relax(a) for a in args)]
    return tp


def _checkable(tp: Any) -> bool:
    """Whether beartype can check `tp` (an unresolved forward reference cannot be)."""
    return not isinstance(tp, (str, typing.ForwardRef))


FieldChecker = Callable[[object, dict[str, Any], "str | None"], None]


def _no_check(module: object, values: dict[str, Any], written: str | None) -> None:
    return None


def field_checker(
    qualname: str,
    annotations: dict[str, Any],
    module: str = "",
    sizes: Sequence[str] = (),
) -> FieldChecker:
    """A function that checks a module's field values against `annotations` in one call.

    It takes the module, the values of all its fields, and the name of the field just
    written (None at construction), for the message. `sizes` are the class-scoped
    dimension names (`class_scoped_names`): each is bound to the value of the int field
    of that name before the fields are checked.
    """
    names = [n for n, tp in annotations.items() if _checkable(tp) and tp is not Any]
    if not names:
        return _no_check
    # One synthetic parameter per class-scoped name, first, so that the name is bound
    # to the int field's value before any array field is checked (a mismatch is then
    # reported at the array field): a zero-cost array of that length, or None where the
    # field holds no int, which leaves the name per-call.
    synthetic = _synthetic_names(sizes, names)
    namespace: dict[str, Any] = {}
    # A real signature (one keyword-only parameter per field) is what beartype checks.
    exec(f"def check(*, {', '.join([*synthetic.values(), *names])}): pass", namespace)
    check = namespace["check"]
    check.__name__ = "__init__"
    check.__qualname__ = f"{qualname}.__init__"
    check.__module__ = module
    check.__annotations__ = {
        **{p: typing.Optional[Shaped[np.ndarray, n]] for n, p in synthetic.items()},
        **{n: _relax(annotations[n]) for n in names},
    }
    # The sizes are part of a check's result: in the fingerprint too (an int field
    # annotated `int` is there already).
    keyed = names + [n for n in synthetic if n not in names]
    try:
        checked = jaxtyped(typechecker=_typechecker)(check)
    except Exception as error:
        # An annotation beartype cannot check: say so once, and build modules unchecked
        # rather than refuse a class that is otherwise fine.
        warnings.warn(
            f"purepax cannot type-check the fields of {qualname} ({error}); its values are "
            "not checked at construction.",
            stacklevel=2,
        )
        return _no_check

    # What passed, by fingerprint: the result of a check depends only on the fields' types,
    # array shapes and dtypes and scalar values, so a module built like an earlier one
    # (every layer of a model, every step of an eager loop) is not checked again. Not for
    # annotations whose validators may read array values.
    passed: dict[tuple[Any, ...], None] | None = {}
    if any(_has_validators(annotations[n]) for n in names):
        passed = None

    def run(module: object, values: dict[str, Any], written: str | None) -> None:
        key: tuple[Any, ...] | None = None
        if passed is not None:
            try:
                key = tuple([_fingerprint(values[n]) for n in keyed])
                if key in passed:
                    return
            except TypeError:  # an unhashable value: check it
                key = None
        try:
            checked(
                **{p: _size_array(values[n]) for n, p in synthetic.items()},
                **{n: values[n] for n in names},
            )
            if key is not None:
                if len(passed) >= _FINGERPRINTS:  # type: ignore[arg-type]
                    passed.clear()  # type: ignore[union-attr]
                passed[key] = None  # type: ignore[index]
        except Exception as error:
            if written is None:
                what, fix = (
                    "a field value does not match its annotation",
                    "Fix the value given at construction",
                )
            else:
                what = f"the value set to {written} does not match its annotation"
                fix = (
                    "Fix the value, or the annotation; to change fields whose shapes depend on each "
                    "other (weight and bias), replace them at once with px.replace"
                )
            sizes = ", ".join(
                f"{n}={values[n]}"
                for n in synthetic
                if _size_array(values[n]) is not None
            )
            if sizes:
                sizes = f"\nDimensions named by the class's int fields: {sizes}."
            raise FieldError(
                f"{type(module).__name__}: {what}.\n{_first_lines(error)}{sizes}\n{fix} (set "
                "PUREPAX_TYPECHECK=0 to turn runtime type checks off)."
            ) from error

    return run


def class_scoped_names(cls: type, hints: dict[str, Any]) -> tuple[str, ...]:
    """The class-scoped dimension names of module class `cls` (a dataclass) that the
    check of its fields binds.

    Those named in the annotations of its fields (`hints`, resolved) that are `int`
    parameters of its `__init__` (of a generated one: `int` fields it takes) and fields
    of `cls`, so that the instance holds their values.
    """
    fields = dataclasses.fields(typing.cast(Any, cls))
    used = {
        d for f in fields if f.name in hints for d in _dimension_names(hints[f.name])
    }
    if not used:
        return ()
    if getattr(cls, "_purepax_custom_init", False):
        ints = _int_parameters(typing.cast(Any, cls).__init__)
    else:
        ints = {f.name for f in fields if f.init and hints.get(f.name) is int}
    return tuple(f.name for f in fields if f.name in used and f.name in ints)


def _int_parameters(init: Callable[..., Any]) -> set[str]:
    """The parameters of `init` annotated `int` (resolved, or as the string "int")."""
    try:
        hints = typing.get_type_hints(init)
    except Exception:
        hints = {}
    raw = getattr(init, "__annotations__", {})
    try:
        parameters = inspect.signature(init).parameters.values()
    except (TypeError, ValueError):
        return set()
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return {
        p.name
        for p in parameters
        if p.kind not in variadic
        and (
            hints.get(p.name) is int
            or (p.name not in hints and raw.get(p.name) == "int")
        )
    }


def _dimension_names(tp: Any) -> Iterator[str]:
    """The names of the non-variadic, checked dimensions in the jaxtyping arrays of `tp`."""
    if isinstance(tp, type) and issubclass(tp, AbstractArray):
        for dim in tp.dim_str.split():
            name = dim.lstrip("#?")
            if "=" in name or name.startswith(("*", "_", "...")):
                continue  # labelled fixed size, variadic or unchecked
            if name.isidentifier():
                yield name
        return
    for arg in typing.get_args(tp):
        if not isinstance(arg, (str, int)):
            yield from _dimension_names(arg)


def _synthetic_names(sizes: Sequence[str], fields: Sequence[str]) -> dict[str, str]:
    """A parameter name for each size, unlike every field's: `n` -> `n__size`."""
    taken = set(fields)
    synthetic: dict[str, str] = {}
    for name in sizes:
        parameter = f"{name}__size"
        while parameter in taken:
            parameter += "_"
        taken.add(parameter)
        synthetic[name] = parameter
    return synthetic


def _size_array(value: Any) -> np.ndarray[Any, Any] | None:
    """An array of length `value` (an int field's), or None where it is not a size."""
    if type(value) is not int or value < 0:
        return None
    return _zero_cost(value)


@functools.lru_cache(maxsize=256)
def _zero_cost(size: int) -> np.ndarray[Any, Any]:
    # A broadcast view: `size` entries that share one byte.
    return np.broadcast_to(np.empty((), np.int8), (size,))


_FINGERPRINTS = (
    256  # remembered passing fingerprints per class (then forgotten at once)
)
_SCALARS = frozenset({bool, int, float, complex, str, bytes, type(None)})


def _fingerprint(value: Any) -> Any:
    """What a field check depends on: type, and shape and dtype (arrays) or value (scalars)."""
    kind = type(value)
    if kind in _SCALARS:
        return kind, value
    if isinstance(value, _ARRAYS):
        return kind, value.shape, value.dtype  # type: ignore[attr-defined]
    if isinstance(value, (tuple, list)):
        return kind, tuple([_fingerprint(x) for x in value])
    if isinstance(value, collections.abc.Mapping):
        return kind, tuple([(k, _fingerprint(x)) for k, x in value.items()])
    if isinstance(value, ModuleMarker):
        return kind  # its own fields were checked when it was built
    return (
        kind,
        value,
    )  # functions, enums, ...: by identity or value (TypeError if unhashable)


def _has_validators(tp: Any) -> bool:
    """Whether `tp` holds `Annotated` metadata (beartype validators may read values)."""
    if typing.get_origin(tp) is typing.Annotated:
        return True
    return any(
        _has_validators(a) for a in typing.get_args(tp) if not isinstance(a, (str, int))
    )


def _first_lines(error: BaseException, limit: int = 8) -> str:
    return "\n".join(str(error).splitlines()[:limit])


# --- functions given to checked transforms ------------------------------------------------


_function_checkers: weakref.WeakKeyDictionary[
    types.FunctionType, Callable[..., Any] | None
] = weakref.WeakKeyDictionary()


def function_checker(fn: Callable[..., Any]) -> Callable[..., Any] | None:
    """`fn` checked against its annotations (arguments and return, one shape memo), or None.

    None when `fn` is not a plain function, is a wrapper (`functools.wraps` copies the
    wrapped function's annotations, which need not describe the wrapper: `px.grad(loss)`
    returns a module where `loss` returns a scalar), or has nothing to check. Built once per
    function object, on the first trace. A traced scalar satisfies `int`, `float`,
    `bool` or `complex` when its dtype is of that kind, so `def body(i: int, carry)`
    works for `fori_loop`. The copy shares `fn`'s code, globals and closure, so it runs
    exactly what `fn` runs.
    """
    if not isinstance(fn, types.FunctionType) or hasattr(fn, "__wrapped__"):
        return None
    if fn not in _function_checkers:
        _function_checkers[fn] = _build_function_checker(fn)
    return _function_checkers[fn]


def _build_function_checker(fn: types.FunctionType) -> Callable[..., Any] | None:
    hints = _function_hints(fn)
    hints = {
        n: _scalars_from_arrays(tp)
        for n, tp in hints.items()
        if _checkable(tp) and tp is not Any
    }
    if not hints:
        return None
    copy = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    copy.__module__ = fn.__module__
    copy.__annotations__ = hints
    try:
        checked: Callable[..., Any] = jaxtyped(typechecker=_typechecker)(copy)
    except Exception as error:
        # An annotation beartype cannot check: say so once, and trace unchecked rather
        # than refuse a function that is otherwise fine.
        warnings.warn(
            f"purepax cannot type-check the calls of {fn.__qualname__} ({error}); they are not "
            "checked when traced.",
            stacklevel=2,
        )
        return None
    return checked


def _function_hints(fn: types.FunctionType) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        pass
    # A string annotation naming something local to the enclosing function: look in the
    # closure too, and leave out what still does not resolve.
    namespace = dict(fn.__globals__)
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            namespace[name] = cell.cell_contents
        except ValueError:
            pass
    hints: dict[str, Any] = {}
    for name, annotation in getattr(fn, "__annotations__", {}).items():
        try:
            hints[name] = (
                eval(annotation, namespace)
                if isinstance(annotation, str)
                else annotation
            )
        except Exception:
            pass
    return hints


def _scalars_from_arrays(tp: Any) -> Any:
    """`tp` where `int`/`float`/`bool`/`complex` also accept a 0-d array of that dtype kind
    (or of a kind the numeric tower accepts: an integer scalar for `float`)."""
    scalar = _SCALAR_ARRAYS.get(tp) if isinstance(tp, type) else None
    if scalar is not None:
        return typing.Union[tp, scalar]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.Union[tuple(_scalars_from_arrays(a) for a in args)]
    if origin in (tuple, list, collections.abc.Sequence) and args:
        generic: Any = origin
        widened = tuple(a if a is Ellipsis else _scalars_from_arrays(a) for a in args)
        return generic[widened if origin is tuple else widened[0]]
    return tp


# A traced scalar of a kind the numeric tower accepts: a weak-typed int scalar (what a
# Python int becomes under `jax.jit`) satisfies `float`, as the int itself does.
_SCALAR_ARRAYS: dict[type, Any] = {
    bool: Bool[Array, ""],
    int: typing.Union[Integer[Array, ""], Bool[Array, ""]],
    float: typing.Union[Real[Array, ""], Bool[Array, ""]],
    complex: typing.Union[Num[Array, ""], Bool[Array, ""]],
}


def check_call(
    transform: str,
    fn: Callable[..., Any],
    checker: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Call `checker(*args, **kwargs)`; a mismatch raises a TypeError naming `fn` and the fix."""
    try:
        return checker(*args, **kwargs)
    except TransformTypeError:
        raise  # a checked function called inside this one: already explained
    except TypeCheckError as error:
        name = getattr(fn, "__qualname__", repr(fn))
        raise TransformTypeError(
            f"{transform}: a call of `{name}` does not match its annotations (checked when it is "
            f"traced).\n{error}\nPass values of the annotated types and shapes, or fix the "
            "annotations (PUREPAX_TYPECHECK=0 turns runtime type checks off)."
        ) from None
