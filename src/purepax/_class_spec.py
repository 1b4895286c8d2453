"""`ClassSpec`: what purepax knows about the fields of a module class, by role.

Every other piece asks this one place which fields of a class are parameters, state,
submodules or static, and which hold arrays or modules in a given instance (its
children in the tree): construction, the tree checks, the views of `px.pure`, the
helpers of `_functional.py`, the summary and the comparison of trees. The spec is built
once per class, at its first construction (so that annotations may name classes defined
later), and building it registers the class's pytree functions (`_flatten.py`) and its
annotation checker (`_typecheck.py`).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import typing
from collections.abc import Callable, Mapping
from typing import Any

from ._fields import ROLE_KEY, SHARDING_KEY, Role, role_of_annotation
from ._flatten import LAYOUT, register_pytree
from ._module_marker import ModuleMarker
from ._typecheck import class_scoped_names, field_checker


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """What purepax knows about one field of a module class."""

    name: str
    role: Role  # PARAM, STATE, CHILD, STATIC or UNDECIDED
    array_role: Role  # PARAM or STATE: the role of the arrays the field holds directly
    field: dataclasses.Field[Any]


class ClassSpec:
    """The fields of a module class, by role, and its pytree functions. Built on first use."""

    def __init__(self, cls: type[ModuleMarker]) -> None:
        hints = _resolve_annotations(cls)
        # `Role.PARAM` for a `Module`, `Role.STATE` for a `StateModule` (a class attribute
        # of each, so that this file need not import `_module.py`).
        default_role: Role = getattr(cls, "_purepax_array_role")
        self.fields: dict[str, FieldSpec] = {}
        annotations: dict[str, Any] = {}
        for f in dataclasses.fields(typing.cast(Any, cls)):
            specified = f.metadata.get(ROLE_KEY)
            hint = hints.get(f.name, Any)
            if specified is not None:
                role = specified
            else:
                role = role_of_annotation(hint, ModuleMarker, default_role)
            array_role = (
                specified if specified in (Role.PARAM, Role.STATE) else default_role
            )
            self.fields[f.name] = FieldSpec(f.name, role, array_role, f)
            if f.name in hints:
                annotations[f.name] = hints[f.name]
        self.data = tuple(n for n, s in self.fields.items() if s.role in _DATA_ROLES)
        self.meta = tuple(n for n, s in self.fields.items() if s.role is Role.STATIC)
        self.undecided = tuple(
            n for n, s in self.fields.items() if s.role is Role.UNDECIDED
        )
        self.sharded = tuple(
            n for n, s in self.fields.items() if s.field.metadata.get(SHARDING_KEY)
        )
        self.check_annotations = field_checker(
            cls.__qualname__,
            annotations,
            cls.__module__,
            class_scoped_names(cls, hints),
        )
        register_pytree(cls, self.data, self.meta, self.undecided)

    def dynamic_names(self, module: ModuleMarker) -> tuple[str, ...]:
        """The fields of `module` that hold arrays or modules (its children in the tree)."""
        if not self.undecided:
            return self.data
        layout = module.__dict__[LAYOUT]
        return self.data + tuple(n for n, d in zip(self.undecided, layout) if d)


_DATA_ROLES = (Role.PARAM, Role.STATE, Role.CHILD)


def _resolve_annotations(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:
        pass
    # A forward reference that does not resolve: keep the annotations that do; the other
    # fields take their role from their value and are not type-checked.
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        namespace = {**(vars(module) if module else {}), **vars(klass)}
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            try:
                hints[name] = (
                    eval(annotation, namespace)
                    if isinstance(annotation, str)
                    else annotation
                )
            except Exception:
                hints.pop(name, None)
    return hints


_SPEC_LOCK = threading.Lock()


def spec_of(cls: type[ModuleMarker]) -> ClassSpec:
    """The `ClassSpec` of a module class (built, and the class registered, on first use).

    Built lazily, at the first construction, so that annotations may name classes
    defined after this one.
    """
    spec = cls.__dict__.get("_purepax_spec")
    if spec is None:
        with (
            _SPEC_LOCK
        ):  # two threads building the first instance register the class once
            spec = cls.__dict__.get("_purepax_spec")
            if spec is None:
                spec = ClassSpec(cls)
                type.__setattr__(cls, "_purepax_spec", spec)
    return spec


def field_sharding(module: ModuleMarker, name: str) -> tuple[Any, ...] | None:
    """How field `name` of `module` is sharded (None: replicated).

    A class may choose per instance by defining `__field_shardings__(self)`, a mapping
    from field names to axes (the layers of `purepax.nn` take a `sharding=` argument that
    way); other fields take the `sharding=` of their field specifier.
    """
    chosen: Callable[[ModuleMarker], Mapping[str, tuple[Any, ...] | None]] | None = (
        getattr(type(module), "__field_shardings__", None)
    )
    if chosen is not None:
        by_name = chosen(module)
        if name in by_name:
            return by_name[name]
    sharding: tuple[Any, ...] | None = (
        spec_of(type(module)).fields[name].field.metadata.get(SHARDING_KEY)
    )
    return sharding
