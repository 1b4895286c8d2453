"""`Module` and `StateModule`: declared as dataclasses, built once, immutable ever after.

One mechanism carries everything here: the metaclass's `__call__` runs a module's
construction. It marks the new object as *under construction* (so `__init__`, generated
or custom, may assign its fields), then finishes it: fills defaults, freezes
containers, checks each value against its field's role and annotation, refuses one
module object at two places (`_tree_check.py`), and finally makes it immutable. JAX
never goes through that path: it rebuilds modules with the pytree `unflatten` of
`_flatten.py`, which copies the leaves in and checks nothing, so a jitted step pays
nothing for the checks.

Whether an existing module may change is decided by the *guard* it carries
(`_guard.py`): none (immutable), a construction guard, or a `px.pure` view's frame
(`_pure.py`). This file asks the guard; it never decides purity itself.
"""

from __future__ import annotations

import abc
import copy
import dataclasses
import typing
from typing import Any, ClassVar, TypeVar

import jax
from typing_extensions import dataclass_transform

from ._class_spec import ClassSpec, FieldSpec, spec_of
from ._containers import ARRAY_TYPES, FrozenDict, freeze, freeze_static, holds_dynamic
from ._errors import FieldError, ImmutableModuleError
from ._fields import SHARDING_KEY, Role, param, state, static
from ._flatten import LAYOUT
from ._guard import GUARD, Construction, Guard
from ._immutable_messages import immutable_message
from ._module_marker import ModuleMarker, is_module
from ._repr import module_repr
from ._tree_check import check_not_shared, check_tree
from ._typecheck import typecheck_enabled

_M = TypeVar("_M", bound="Module")


# --- construction --------------------------------------------------------------------


def _coerce(cls: type, spec: FieldSpec, value: Any) -> tuple[Any, bool]:
    """`value` frozen for field `spec`, and whether it is dynamic (a child of the tree)."""
    where = f"{cls.__name__}.{spec.name}"
    if spec.role is Role.STATIC:
        return _static_value(where, "is static", value), False
    if spec.role is Role.UNDECIDED:
        frozen = freeze(value)
        if holds_dynamic(frozen) or isinstance(frozen, FrozenDict):
            # A dict cannot be static (it is not hashable), so it is a child even when it
            # holds no array or module yet (e.g. an empty dict of submodules).
            return frozen, True
        return _static_value(
            where, "holds no array or module, so it is static", value
        ), False
    frozen = freeze(value)
    # A state field may hold whole modules (an EMA or teacher copy): all of them is state.
    bad = _first_misplaced_item(frozen, modules_allowed=spec.role is not Role.PARAM)
    if bad is not None:
        if is_module(bad[0]):
            raise FieldError(
                f"{where} is a parameter field (arrays) but holds a {type(bad[0]).__name__} "
                "module. Annotate the field with the module's type and no specifier (a "
                "submodule, whose own fields say what is trained), or use px.state() to keep "
                "the whole submodule as state (e.g. an EMA copy)."
            )
        raise FieldError(
            f"{where} is a {spec.role.value} field but holds {bad[0]!r}, which is not an "
            "array or a module. Keep configuration in a static field (annotate it with a "
            "non-array type, or use px.static())."
        )
    return frozen, True


def _static_value(where: str, why: str, value: Any) -> Any:
    if holds_dynamic(value):
        raise FieldError(
            f"{where} {why} but was given {_describe(value)}. Arrays and modules cannot be "
            "static: annotate the field with an array or module type, or use px.param() / "
            "px.state()."
        )
    if isinstance(value, (dict, FrozenDict)):
        raise FieldError(
            f"{where} is static and was given a dict; static values must be hashable. Use a "
            "tuple of (key, value) pairs, or hold the dict in a field with arrays or modules."
        )
    frozen = freeze_static(value)
    try:
        hash(frozen)
    except TypeError:
        raise FieldError(
            f"{where} is static, so its value must be hashable (it is part of the tree "
            f"structure that jax.jit caches on), but {type(value).__name__} is not. Use a "
            "hashable value such as a tuple."
        ) from None
    return frozen


def _first_misplaced_item(value: Any, modules_allowed: bool) -> tuple[Any] | None:
    """The first item of `value` that is not an array, number or None (or module, if allowed)."""
    if value is None or isinstance(value, ARRAY_TYPES) or _is_number(value):
        return None
    if is_module(value):
        return None if modules_allowed else (value,)
    if isinstance(value, (tuple, list)):
        items: Any = value
    elif isinstance(value, (dict, FrozenDict)):
        items = value.values()
    else:
        leaves = jax.tree_util.tree_leaves(value, is_leaf=is_module)
        if leaves == [value]:
            return (value,)
        items = leaves
    for item in items:
        bad = _first_misplaced_item(item, modules_allowed)
        if bad is not None:
            return bad
    return None


def _is_number(x: object) -> bool:
    return isinstance(x, (bool, int, float, complex))


def _describe(value: Any) -> str:
    if isinstance(value, Module):
        return f"a {type(value).__name__} module"
    if isinstance(value, ARRAY_TYPES):
        return f"an array of shape {tuple(typing.cast(Any, value).shape)}"
    return f"a {type(value).__name__} holding arrays or modules"


def _finish_construction(module: Module) -> None:
    cls = type(module)
    spec = spec_of(cls)
    d = module.__dict__
    for name, fs in spec.fields.items():
        if name in d:
            continue
        f = fs.field
        if f.default is not dataclasses.MISSING:
            d[name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            d[name] = f.default_factory()
        else:
            raise FieldError(
                f"{cls.__name__}.__init__ did not set the field {name!r}. Assign "
                f"`self.{name} = ...` in __init__, or give the field a default."
            )
    layout = []
    for name, fs in spec.fields.items():
        d[name], dynamic = _coerce(cls, fs, d[name])
        if fs.role is Role.UNDECIDED:
            layout.append(dynamic)
    if spec.undecided:
        d[LAYOUT] = tuple(layout)
    check_tree(module, spec)
    if spec.sharded:
        _check_shardings(module, spec.sharded)
    if typecheck_enabled():
        spec.check_annotations(module, {n: d[n] for n in spec.fields}, None)


def _check_shardings(module: Module, names: tuple[str, ...]) -> None:
    """Refuse a field's `sharding=` that has more entries than one of its arrays has dimensions."""
    for name in names:
        axes = spec_of(type(module)).fields[name].field.metadata[SHARDING_KEY]
        for leaf in jax.tree_util.tree_leaves(module.__dict__[name], is_leaf=is_module):
            ndim = getattr(leaf, "ndim", None)
            if ndim is not None and not is_module(leaf) and len(axes) > ndim:
                raise FieldError(
                    f"{type(module).__name__}.{name} has sharding={axes!r}, {len(axes)} entries, but "
                    f"holds an array of shape {tuple(leaf.shape)} ({ndim} dimensions). Give one "
                    "mesh-axis name (or None) per array dimension, at most."
                )


# --- the classes -----------------------------------------------------------------------


class ModuleMeta(abc.ABCMeta):
    """Makes every module class a dataclass, and runs construction (see the file docstring)."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        **kwargs: Any,
    ) -> Any:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        # A class that defines no __init__ keeps its parent's custom one (as Equinox does);
        # otherwise dataclasses generates one from the fields.
        inherits_custom_init = "__init__" not in namespace and any(
            getattr(b, "_purepax_custom_init", False) for b in bases
        )
        custom_init = "__init__" in namespace or inherits_custom_init
        dataclasses.dataclass(eq=False, repr=False, init=not custom_init)(
            typing.cast(Any, cls)
        )
        type.__setattr__(cls, "_purepax_custom_init", custom_init)
        return cls

    if not typing.TYPE_CHECKING:

        def __call__(cls, *args, **kwargs):
            module = cls.__new__(cls)
            d = module.__dict__
            d[GUARD] = Construction()
            cls.__init__(module, *args, **kwargs)
            _finish_construction(module)
            del d[GUARD]
            return module


@dataclass_transform(field_specifiers=(dataclasses.field, param, state, static))
class Module(ModuleMarker, metaclass=ModuleMeta):
    """A typed, immutable JAX pytree whose array fields are parameters.

    Subclasses are dataclasses: declare fields with annotations (and `px.param`,
    `px.state`, `px.static` where the annotation does not say the role), then use
    the generated `__init__` or write one. Outside its construction a module is
    immutable; `px.pure` / `px.purecall` give a function mutable copies.

    ```python
    class Linear(px.Module):
        weight: Float[Array, "i o"]
        bias: Float[Array, "o"]

        def __call__(self, x):
            return x @ self.weight + self.bias

    layer = Linear(jnp.ones((2, 3)), jnp.zeros(3))
    ```
    """

    if typing.TYPE_CHECKING:
        training: bool
        # Type checkers see every module as callable (returning Any), as Flax NNX declares
        # it, so a list of layers that mixes modules and functions can be called. An
        # unannotated attribute, not a method: a subclass's `__call__`, plain or decorated
        # with `@px.jit`, overrides it with no override error in mypy or pyright; it is no
        # dataclass field; and the mypy plugin, which judges a call by the body of the
        # `__call__` method it finds, does not take it for a method that changes nothing.
        __call__ = typing.cast(Any, None)
    else:
        training: bool = static(default=True, init=False, repr=False)

    _purepax_custom_init: ClassVar[bool]
    # The role of the arrays a field holds where nothing else says: read by `ClassSpec`.
    _purepax_array_role: ClassVar[Role] = Role.PARAM

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "__orig_class__":
            # `Box[int](...)` records its alias on the new object; typing skips it when that
            # raises AttributeError, and a module keeps only its fields.
            raise AttributeError(name)
        guard: Guard | None = self.__dict__.get(GUARD)
        if guard is None:
            raise ImmutableModuleError(immutable_message(self, name))
        guard.check_write(self, name)
        spec = spec_of(type(self))
        fs = spec.fields.get(name)
        if fs is None:
            raise FieldError(_not_a_field(self, name))
        if isinstance(guard, Construction):
            # Construction may build a list step by step; it is frozen when __init__ ends.
            self.__dict__[name] = guard.accept_write(self, name, value)
            return
        frozen, dynamic = _coerce(type(self), fs, value)
        check_not_shared(self, name, frozen)
        if typecheck_enabled():
            values = {n: self.__dict__[n] for n in spec.fields}
            values[name] = frozen
            spec.check_annotations(self, values, f"{type(self).__name__}.{name}")
        _store(self, spec, name, guard.accept_write(self, name, frozen), dynamic)

    def __delattr__(self, name: str) -> None:
        guard: Guard | None = self.__dict__.get(GUARD)
        if guard is None:
            raise ImmutableModuleError(immutable_message(self, name, deleting=True))
        raise FieldError(
            f"Cannot delete {type(self).__name__}.{name}: the fields of a module are fixed by "
            "its class. Assign a new value instead (None where the field allows it)."
        )

    def __repr__(self) -> str:
        return module_repr(self)

    def __treescope_repr__(self, path: str | None, subtree_renderer: Any) -> Any:
        """How treescope renders a module (imported here: treescope is optional)."""
        from ._treescope import render

        return render(self, path, subtree_renderer)

    def __copy__(self) -> Module:
        return shallow_copy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Module:
        new = shallow_copy(self)
        for name in spec_of(type(self)).dynamic_names(self):
            new.__dict__[name] = copy.deepcopy(self.__dict__[name], memo)
        return new


class StateModule(Module):
    """A module whose array fields are *state* (not trained) unless marked `px.param()`.

    ```python
    class Counter(px.StateModule):
        count: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))

        def __call__(self, x):
            self.count = self.count + 1
            return x
    ```
    """

    _purepax_array_role: ClassVar[Role] = Role.STATE


def shallow_copy(module: _M) -> _M:
    """An immutable copy of `module` sharing every field value (static ones included)."""
    new = object.__new__(type(module))
    d = new.__dict__
    d.update(module.__dict__)
    d.pop(GUARD, None)
    return new


def _not_a_field(module: Module, name: str) -> str:
    cls = type(module).__name__
    known = ", ".join(spec_of(type(module)).fields) or "none"
    return (
        f"{cls} has no field {name!r} (its fields: {known}). The fields of a module are fixed "
        f"by its class: declare it in the class body, e.g. `{name}: jax.Array`, "
        f"`{name}: int = px.static(default=0)`."
    )


def _store(
    module: Module, spec: ClassSpec, name: str, value: Any, dynamic: bool
) -> None:
    d = module.__dict__
    if spec.fields[name].role is Role.UNDECIDED:
        layout = list(d[LAYOUT])
        layout[spec.undecided.index(name)] = dynamic
        d[LAYOUT] = tuple(layout)
    d[name] = value


def replace_fields(module: _M, values: dict[str, Any]) -> _M:
    """An immutable copy of `module` with `values` for some of its fields, checked as at construction."""
    cls = type(module)
    spec = spec_of(cls)
    unknown = [name for name in values if name not in spec.fields]
    if unknown:
        raise FieldError(_not_a_field(module, unknown[0]))
    new = shallow_copy(module)
    d = new.__dict__
    for name, value in values.items():
        _store(new, spec, name, *_coerce(cls, spec.fields[name], value))
    check_tree(new, spec)
    if spec.sharded:
        _check_shardings(new, spec.sharded)
    if typecheck_enabled():
        spec.check_annotations(new, {n: d[n] for n in spec.fields}, None)
    return new
