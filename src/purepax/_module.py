"""`Module` and `StateModule`: declared as dataclasses, built once, immutable ever after.

One mechanism carries everything here: the metaclass's `__call__` runs a module's
construction. It marks the new object as *under construction* (so `__init__`, generated
or custom, may assign its fields), then finishes it: fills defaults, freezes
containers, checks each value against its field's role and annotation, refuses one
module object at two places, and finally makes it immutable. JAX never goes through
that path: it rebuilds modules with the pytree `unflatten` registered here, which
copies the leaves in and checks nothing, so a jitted step pays nothing for the checks.

Whether an existing module may change is decided by the *guard* it carries: none
(immutable), a construction guard, or a `px.pure` view's frame (`_pure.py`). This file
asks the guard; it never decides purity itself.
"""

from __future__ import annotations

import abc
import dataclasses
import sys
import threading
import typing
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol, TypeVar

import jax
from typing_extensions import dataclass_transform

from . import _containers
from ._containers import ARRAY_TYPES, FrozenDict, MixedTuple, freeze, freeze_static, holds_dynamic
from ._errors import FieldError, ImmutableModuleError
from ._fields import ROLE_KEY, SHARDING_KEY, Role, param, role_of_annotation, state, static
from ._trace import Tracer, current_trace, outside_transformations
from ._typecheck import field_checker, typecheck_enabled

_M = TypeVar("_M", bound="Module")
GUARD = "_purepax_guard"  # instance key: who may write this module now (absent: nobody)
LAYOUT = "_purepax_layout"  # instance key: which value-decided fields hold arrays/modules


class Guard(Protocol):
    """Who may write a module now: a construction, or a `px.pure` view's frame."""

    def check_write(self, module: Module, name: str) -> None:
        """Raise `ImmutableModuleError` if `module.name` may not be set now."""

    def accept_write(self, module: Module, name: str, value: Any) -> Any:
        """Accept or refuse `module.name = value` (checked and frozen); return what to store."""


class _Construction:
    """The guard of a module while its `__init__` runs: writable under its own trace."""

    __slots__ = ("trace",)

    def __init__(self) -> None:
        self.trace = current_trace()

    def check_write(self, module: Module, name: str) -> None:
        pass  # any field may be set while __init__ runs; what is stored is checked below

    def accept_write(self, module: Module, name: str, value: Any) -> Any:
        # A tracer of a transformation that __init__ itself started (a scan body assigning
        # to self) would outlive its trace. Only a tracer needs the (costlier) trace
        # lookup; containers are checked when construction ends.
        if isinstance(value, Tracer) and current_trace() != self.trace:
            raise ImmutableModuleError(
                f"Cannot set {type(module).__name__}.{name} from inside a JAX transformation "
                "started by its own __init__: the module under construction belongs to the "
                "outer trace. Compute the value with the transformation and assign its result "
                "in __init__ itself."
            )
        return value


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """What purepax knows about one field of a module class."""

    name: str
    role: Role  # PARAM, STATE, CHILD, STATIC or UNDECIDED
    array_role: Role  # PARAM or STATE: the role of the arrays the field holds directly
    field: dataclasses.Field[Any]


class ClassSpec:
    """The fields of a module class, by role, and its pytree functions. Built on first use."""

    def __init__(self, cls: type[Module]) -> None:
        hints = _resolve_annotations(cls)
        default_role = Role.STATE if issubclass(cls, StateModule) else Role.PARAM
        self.fields: dict[str, FieldSpec] = {}
        annotations: dict[str, Any] = {}
        for f in dataclasses.fields(typing.cast(Any, cls)):
            specified = f.metadata.get(ROLE_KEY)
            hint = hints.get(f.name, Any)
            if specified is not None:
                role = specified
            else:
                role = role_of_annotation(hint, Module, default_role)
            array_role = specified if specified in (Role.PARAM, Role.STATE) else default_role
            self.fields[f.name] = FieldSpec(f.name, role, array_role, f)
            if f.name in hints:
                annotations[f.name] = hints[f.name]
        self.data = tuple(n for n, s in self.fields.items() if s.role in _DATA_ROLES)
        self.meta = tuple(n for n, s in self.fields.items() if s.role is Role.STATIC)
        self.undecided = tuple(n for n, s in self.fields.items() if s.role is Role.UNDECIDED)
        self.sharded = tuple(n for n, s in self.fields.items() if s.field.metadata.get(SHARDING_KEY))
        self.check_annotations = field_checker(cls.__qualname__, annotations, cls.__module__)
        _register_pytree(cls, self)

    def dynamic_names(self, module: Module) -> tuple[str, ...]:
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
                    eval(annotation, namespace) if isinstance(annotation, str) else annotation
                )
            except Exception:
                hints.pop(name, None)
    return hints


_SPEC_LOCK = threading.Lock()


def spec_of(cls: type[Module]) -> ClassSpec:
    """The `ClassSpec` of a module class (built, and the class registered, on first use).

    Built lazily, at the first construction, so that annotations may name classes
    defined after this one.
    """
    spec = cls.__dict__.get("_purepax_spec")
    if spec is None:
        with _SPEC_LOCK:  # two threads building the first instance register the class once
            spec = cls.__dict__.get("_purepax_spec")
            if spec is None:
                spec = ClassSpec(cls)
                type.__setattr__(cls, "_purepax_spec", spec)
    return spec


# --- the pytree: JAX's rebuild path, which runs no __init__ and checks nothing ----------


def _register_pytree(cls: type[Module], spec: ClassSpec) -> None:
    data, meta, undecided = spec.data, spec.meta, spec.undecided
    new = object.__new__
    keys = tuple(jax.tree_util.GetAttrKey(n) for n in data)

    if not undecided:
        flatten, unflatten = _generated_pytree_functions(cls, data, meta)

        def flatten_with_keys(m: Module) -> tuple[list[Any], tuple[Any, ...]]:
            d = m.__dict__
            return [(k, d[n]) for k, n in zip(keys, data)], tuple([d[n] for n in meta])

    else:

        def flatten_with_keys(m: Module) -> tuple[list[Any], tuple[Any, ...]]:
            d = m.__dict__
            layout = d[LAYOUT]
            names = data + tuple(n for n, dyn in zip(undecided, layout) if dyn)
            statics = tuple([d[n] for n, dyn in zip(undecided, layout) if not dyn])
            children = [(jax.tree_util.GetAttrKey(n), d[n]) for n in names]
            return children, (tuple([d[n] for n in meta]), layout, statics)

        def flatten(m: Module) -> tuple[list[Any], tuple[Any, ...]]:
            children, aux = flatten_with_keys(m)
            return [c for _, c in children], aux

        def unflatten(aux: tuple[Any, ...], children: Any) -> Module:
            metas, layout, statics = aux
            m = new(cls)
            d = m.__dict__
            d.update(zip(meta, metas))
            d[LAYOUT] = layout
            dynamic = data + tuple(n for n, dyn in zip(undecided, layout) if dyn)
            d.update(zip(dynamic, children))
            d.update(zip((n for n, dyn in zip(undecided, layout) if not dyn), statics))
            return m

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)


def _generated_pytree_functions(
    cls: type[Module], data: tuple[str, ...], meta: tuple[str, ...]
) -> tuple[Callable[[Module], Any], Callable[[Any, Any], Module]]:
    """`flatten` and `unflatten` for a class whose fields' roles are fixed, as straight-line code.

    They run on every call of a jitted function (flatten the arguments, unflatten the
    results); generated code without loops costs about half of the generic version, which
    keeps a module as cheap as a plain pytree (benchmarks/pytree_step.py).
    """

    def items(names: tuple[str, ...]) -> str:
        return "".join(f"d[{n!r}], " for n in names)

    source = (
        "def flatten(m):\n"
        "    d = m.__dict__\n"
        f"    return ({items(data)}), ({items(meta)})\n"
        "def unflatten(aux, children):\n"
        "    m = new(cls)\n"
        "    d = m.__dict__\n"
        + (f"    {items(data)}= children\n" if data else "")
        + (f"    {items(meta)}= aux\n" if meta else "")
        + "    return m\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    exec(source, namespace)
    return namespace["flatten"], namespace["unflatten"]


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
        return _static_value(where, "holds no array or module, so it is static", value), False
    frozen = freeze(value)
    # A state field may hold whole modules (an EMA or teacher copy): all of them is state.
    bad = _first_misplaced_item(frozen, modules_allowed=spec.role is not Role.PARAM)
    if bad is not None:
        if _is_module(bad[0]):
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
    if _is_module(value):
        return None if modules_allowed else (value,)
    if isinstance(value, (tuple, list)):
        items: Any = value
    elif isinstance(value, (dict, FrozenDict)):
        items = value.values()
    else:
        leaves = jax.tree_util.tree_leaves(value, is_leaf=_is_module)
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


def _is_module(x: object) -> bool:
    return isinstance(x, Module)


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
    _check_tree(module, spec)
    if spec.sharded:
        _check_shardings(module, spec.sharded)
    if typecheck_enabled():
        spec.check_annotations(module, {n: d[n] for n in spec.fields}, None)


def _check_tree(module: Module, spec: ClassSpec) -> None:
    """Refuse one module object at two places of `module`'s tree, and a tracer that leaked
    out of a transformation that has finished; one walk over the tree."""
    seen = {id(module)}
    d = module.__dict__
    for name in spec.dynamic_names(module):
        try:
            holds = _walk(d[name], seen)
        except _Shared:
            _refuse_shared_submodules(module)  # finds the two places, for the message
            raise
        if holds and outside_transformations():
            raise FieldError(
                f"{type(module).__name__}.{name} was given a tracer, but no JAX transformation "
                "is running: the tracer leaked out of one that has finished, and the module "
                "would outlive its trace. Build the module inside the transformed function and "
                "return it, or return the value from there."
            )


def _check_shardings(module: Module, names: tuple[str, ...]) -> None:
    """Refuse a field's `sharding=` that has more entries than one of its arrays has dimensions."""
    for name in names:
        axes = spec_of(type(module)).fields[name].field.metadata[SHARDING_KEY]
        for leaf in jax.tree_util.tree_leaves(module.__dict__[name], is_leaf=_is_module):
            ndim = getattr(leaf, "ndim", None)
            if ndim is not None and not _is_module(leaf) and len(axes) > ndim:
                raise FieldError(
                    f"{type(module).__name__}.{name} has sharding={axes!r}, {len(axes)} entries, but "
                    f"holds an array of shape {tuple(leaf.shape)} ({ndim} dimensions). Give one "
                    "mesh-axis name (or None) per array dimension, at most."
                )


class _Shared(Exception):
    """A module object met twice in one tree (the message is built by a slower walk)."""


def _walk(value: Any, seen: set[int]) -> bool:
    """Record the modules in `value` into `seen` (raising `_Shared` on one met twice), and
    say whether `value` holds a tracer."""
    if isinstance(value, ARRAY_TYPES):
        return isinstance(value, Tracer)
    if value is None:
        return False
    kind = type(value)
    items: Any
    if isinstance(value, Module):
        if id(value) in seen:
            raise _Shared
        seen.add(id(value))
        d = value.__dict__
        items = [d[n] for n in spec_of(kind).dynamic_names(value)]
    elif kind is tuple or kind is list or kind is MixedTuple:
        items = value
    elif kind is FrozenDict or kind is dict:
        items = value.values()
    else:  # a static item, or another pytree (a namedtuple, a custom node)
        items = jax.tree_util.tree_leaves(value, is_leaf=_is_module)
        if len(items) == 1 and items[0] is value:
            return False
    holds = False
    for item in items:
        holds = _walk(item, seen) or holds  # visit every item: a module may repeat later
    return holds


def _refuse_shared_submodules(module: Module) -> None:
    seen: dict[int, str] = {}

    def visit(m: Module, path: str) -> None:
        if id(m) in seen:
            what = "itself" if m is module else f"{type(m).__name__} object"
            raise FieldError(
                f"One {what} is at two places of a {type(module).__name__}: {seen[id(m)]} "
                f"and {path}. A module must appear once in a tree; to share it, pass it "
                "explicitly to the code that needs it (or build two modules)."
            )
        seen[id(m)] = path
        for name in spec_of(type(m)).dynamic_names(m):
            for keypath, leaf in jax.tree_util.tree_flatten_with_path(
                m.__dict__[name], is_leaf=_is_module
            )[0]:
                if isinstance(leaf, Module):
                    visit(leaf, f"{path}.{name}{jax.tree_util.keystr(keypath)}")

    visit(module, "self")


def check_not_shared(module: Module, name: str, value: Any) -> None:
    """Refuse `module.name = value` where `value` would put a module at a second place."""
    inside = [m for m in jax.tree_util.tree_leaves(value, is_leaf=_is_module) if _is_module(m)]
    if not inside:
        return
    elsewhere: set[int] = set()
    for other in spec_of(type(module)).dynamic_names(module):
        if other != name:
            elsewhere.update(id(m) for m in iter_modules(module.__dict__[other]))
    for m in (x for top in inside for x in iter_modules(top)):
        if m is module or id(m) in elsewhere:
            raise FieldError(
                f"Setting {type(module).__name__}.{name} would put one {type(m).__name__} "
                "object at two places of the tree. Build a separate module, or pass the shared "
                "one explicitly to the code that needs it."
            )


def iter_modules(value: Any) -> Iterator[Module]:
    """Every module in `value`, submodules included, parents first."""
    for leaf in jax.tree_util.tree_leaves(value, is_leaf=_is_module):
        if isinstance(leaf, Module):
            yield leaf
            for name in spec_of(type(leaf)).dynamic_names(leaf):
                yield from iter_modules(leaf.__dict__[name])


# --- the classes -----------------------------------------------------------------------


class ModuleMeta(abc.ABCMeta):
    """Makes every module class a dataclass, and runs construction (see the file docstring)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Any:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        # A class that defines no __init__ keeps its parent's custom one (as Equinox does);
        # otherwise dataclasses generates one from the fields.
        inherits_custom_init = "__init__" not in namespace and any(
            getattr(b, "_purepax_custom_init", False) for b in bases
        )
        custom_init = "__init__" in namespace or inherits_custom_init
        dataclasses.dataclass(eq=False, repr=False, init=not custom_init)(typing.cast(Any, cls))
        type.__setattr__(cls, "_purepax_custom_init", custom_init)
        return cls

    if not typing.TYPE_CHECKING:

        def __call__(cls, *args, **kwargs):
            module = cls.__new__(cls)
            d = module.__dict__
            d[GUARD] = _Construction()
            cls.__init__(module, *args, **kwargs)
            _finish_construction(module)
            del d[GUARD]
            return module


@dataclass_transform(field_specifiers=(dataclasses.field, param, state, static))
class Module(metaclass=ModuleMeta):
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
        if isinstance(guard, _Construction):
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
        from ._repr import module_repr

        return module_repr(self)

    def __copy__(self) -> Module:
        return shallow_copy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Module:
        import copy

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


_containers.module_types = (typing.cast(type, Module),)


def shallow_copy(module: _M) -> _M:
    """An immutable copy of `module` sharing every field value (static ones included)."""
    new = object.__new__(type(module))
    d = new.__dict__
    d.update(module.__dict__)
    d.pop(GUARD, None)
    return new


def immutable_message(module: Module, name: str, *, deleting: bool = False) -> str:
    """Why `module.name` cannot be set (or deleted) here, and the fix."""
    if not outside_transformations():
        return transform_message(module, name)
    what = "delete" if deleting else "set"
    cls = type(module).__name__
    parent = _under_construction()
    if parent is not None and parent is not module:
        owner = type(parent).__name__
        return (
            f"Cannot {what} {cls}.{name}: this {cls} is a finished module (its construction "
            f"ended when {cls}(...) returned), and {owner}.__init__ may set only the fields of "
            f"the {owner} it builds. Build the {cls} with the values it needs, or assign an "
            f"updated copy: `self.<field> = px.replace(<the {cls}>, {name}=...)`, or, to run a "
            f"method that changes it, `self.<field>, _ = px.purecall(<the {cls}>.method, ...)`."
        )
    caller = _outermost_call()
    if caller is not None and caller is not module:
        outer = type(caller).__name__
        return (
            f"Cannot {what} {cls}.{name}: calling the {outer} changes its {cls} (e.g. a layer "
            f"in training mode updates its state), and the {outer} is immutable outside "
            f"px.pure. Call it on a copy and keep the copy: `{outer.lower()}, out = "
            f"px.purecall({outer.lower()}, ...)`, or, for a read-only call (evaluation), "
            f"`px.eval_mode({outer.lower()})(...)`."
        )
    return (
        f"Cannot {what} {cls}.{name}: the {cls} module is immutable outside px.pure. "
        f"Change a copy instead: `{cls.lower()}, out = px.purecall({cls.lower()}, ...)`, or "
        "wrap the function that changes it with px.pure and return the module."
    )


def _outermost_call() -> Module | None:
    """The outermost module whose method is running in this thread (the one the user
    called), if any. Read from the call stack, only to explain an error."""
    found = None
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self") if frame.f_code.co_varnames[:1] == ("self",) else None
        if isinstance(candidate, Module) and frame.f_code.co_name == "__call__":
            found = candidate
        frame = frame.f_back  # type: ignore[assignment]
    return found


def _under_construction() -> Module | None:
    """The module whose `__init__` (or `__post_init__`) is running in this thread, if any.

    Read from the call stack, only to explain an error: construction itself pays nothing.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("__init__", "__post_init__"):
            candidate = frame.f_locals.get("self")
            if isinstance(candidate, Module) and isinstance(candidate.__dict__.get(GUARD), _Construction):
                return candidate
        frame = frame.f_back  # type: ignore[assignment]
    return None


def transform_message(module: Module, name: str) -> str:
    """Why `module.name` cannot be set inside a JAX transformation, and the fix."""
    cls = type(module).__name__
    return (
        f"Cannot set {cls}.{name} inside a JAX transformation (jax.jit, jax.lax.scan, jax.vmap, "
        f"jax.grad, jax.lax.cond, ...): there this {cls} is immutable, whether it was captured "
        "from outside (the change would be lost or leak tracers) or handed in by JAX (a copy). "
        "Pass the module to the transformed function as an explicit argument, update it there "
        f"with `{cls.lower()}, out = px.purecall({cls.lower()}, ...)`, and return it."
    )


def _not_a_field(module: Module, name: str) -> str:
    cls = type(module).__name__
    known = ", ".join(spec_of(type(module)).fields) or "none"
    return (
        f"{cls} has no field {name!r} (its fields: {known}). The fields of a module are fixed "
        f"by its class: declare it in the class body, e.g. `{name}: jax.Array`, "
        f"`{name}: int = px.static(default=0)`."
    )


def _store(module: Module, spec: ClassSpec, name: str, value: Any, dynamic: bool) -> None:
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
    _check_tree(new, spec)
    if spec.sharded:
        _check_shardings(new, spec.sharded)
    if typecheck_enabled():
        spec.check_annotations(new, {n: d[n] for n in spec.fields}, None)
    return new


def set_guard(module: Module, guard: Guard | None) -> None:
    """Give `module` a guard (make it writable under that guard), or remove it."""
    if guard is None:
        module.__dict__.pop(GUARD, None)
    else:
        module.__dict__[GUARD] = guard


def map_submodules(fn: Callable[[Module], Module], value: Any) -> Any:
    """`value` with every module in it (not inside those modules) replaced by `fn(module)`."""
    if isinstance(value, Module):
        return fn(value)
    if isinstance(value, ARRAY_TYPES) or value is None:
        return value
    return jax.tree_util.tree_map(
        lambda x: fn(x) if isinstance(x, Module) else x, value, is_leaf=_is_module
    )
