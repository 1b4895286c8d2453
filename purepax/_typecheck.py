"""Runtime type checks with beartype + jaxtyping, shapes included.

Checks run where values are made, never on JAX's rebuilds: a module's fields when it
is constructed (one call, so dimension names bind across all fields: `weight: "i o"`
and `bias: "o"` must agree), and the arguments of checked transforms at trace time.
`PUREPAX_TYPECHECK=0` in the environment turns them off.
"""

from __future__ import annotations

import collections.abc
import os
import typing
import warnings
from collections.abc import Callable
from typing import Any

from beartype import beartype
from jaxtyping import jaxtyped

from ._errors import FieldError


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


def field_checker(qualname: str, annotations: dict[str, Any]) -> Callable[[object, dict[str, Any]], None]:
    """A function that checks a module's field values against `annotations` in one call."""
    names = [n for n, tp in annotations.items() if _checkable(tp) and tp is not Any]
    if not names:
        return lambda module, values: None
    namespace: dict[str, Any] = {}
    # A real signature (one keyword-only parameter per field) is what beartype checks.
    exec(f"def check(*, {', '.join(names)}): pass", namespace)
    check = namespace["check"]
    check.__name__ = "__init__"
    check.__qualname__ = f"{qualname}.__init__"
    check.__annotations__ = {n: _relax(annotations[n]) for n in names}
    try:
        checked = jaxtyped(typechecker=beartype)(check)
    except Exception as error:
        # An annotation beartype cannot check: say so once, and build modules unchecked
        # rather than refuse a class that is otherwise fine.
        warnings.warn(
            f"purepax cannot type-check the fields of {qualname} ({error}); its values are "
            "not checked at construction.",
            stacklevel=2,
        )
        return lambda module, values: None

    def run(module: object, values: dict[str, Any]) -> None:
        try:
            checked(**{n: values[n] for n in names})
        except Exception as error:
            raise FieldError(
                f"{type(module).__name__}: a field value does not match its annotation.\n"
                f"{_first_lines(error)}\nFix the value given at construction, or the annotation "
                "(set PUREPAX_TYPECHECK=0 to turn runtime type checks off)."
            ) from error

    return run


def _first_lines(error: BaseException, limit: int = 8) -> str:
    return "\n".join(str(error).splitlines()[:limit])
