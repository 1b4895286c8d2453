"""Where `purepax-shape` reads its specs: annotations as written, and mypy's cache.

mypy reads jaxtyping's `Float[Array, "b d"]` as `Annotated[Array, ...]` and drops the
string; the plugin reads it back from the annotation as the parser left it
(`FuncDef.unanalyzed_type`, `AssignmentStmt.unanalyzed_type`), where the string is an
`UnboundType` (`"d"`, which parses as a type) or a `RawExpressionType` (`"b d"`). A name is
taken as jaxtyping's only when the file's symbol table says it comes from `jaxtyping`.

A file loaded from mypy's cache has lost those annotations, so the strings of its
functions, methods and module fields are stored into mypy's cache with it, in the
metadata of each class (`TypeInfo.metadata["purepax-shapes"]`) and, for module-level
functions, of the hidden class that holds the file's other facts (`_facts.STORE`).

Class-scoped names: in a module class (a `px.Module` subclass), a dimension name equal
to an `int` parameter of the class's `__init__` (for a dataclass-generated `__init__`,
an `int` field) is that argument's value for the instance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mypy.nodes import (
    ArgKind,
    AssignmentStmt,
    ClassDef,
    Decorator,
    Expression,
    FuncDef,
    ImportFrom,
    MypyFile,
    NameExpr,
    SymbolNode,
    TypeInfo,
)
from mypy.types import (
    CallableType,
    Instance,
    RawExpressionType,
    Type,
    UnboundType,
    UnionType,
    get_proper_type,
)

from ._facts import _store_info
from ._names import is_module_class
from ._schema import STORE
from ._shape_dims import Spec, parse
from ._walk import walk

KEY = "purepax-shapes"
VERSION = 1  # of the stored strings' layout

Modules = Callable[[], dict[str, MypyFile]]


@dataclass(frozen=True)
class Param:
    name: str | None
    kind: ArgKind
    spec: Spec | None
    default: Expression | None = None


@dataclass(frozen=True)
class Signature:
    """What a function's annotations say of the shapes it takes and returns."""

    name: str  # as a message shows it: `f`, `Linear.__call__`
    params: tuple[Param, ...]  # every parameter, `self` included
    ret: Spec | None
    owner: TypeInfo | None  # the module class of a method (for class-scoped names)

    @property
    def any(self) -> bool:
        return self.ret is not None or any(p.spec is not None for p in self.params)


def _jaxtyping(name: str, module: MypyFile | None) -> bool:
    """`name` as written (`Float`, `jt.Float`) is a jaxtyping array annotation in `module`.

    jaxtyping's wrappers are `typing.Annotated` to a type checker, so a name imported from
    jaxtyping is recognised by the file's imports; a module alias by its symbol."""
    if module is None:
        return False
    first, _, rest = name.partition(".")
    if not rest:
        for imp in module.imports:
            if isinstance(imp, ImportFrom) and imp.id.partition(".")[0] == "jaxtyping":
                for original, alias in imp.names:
                    if (alias or original) == first:
                        return original not in _NOT_ARRAYS
        return False
    symbol = module.names.get(first)
    node: SymbolNode | None = symbol.node if symbol is not None else None
    if not isinstance(node, MypyFile):
        return False
    parts = f"{node.fullname}.{rest}".split(".")
    return parts[0] == "jaxtyping" and parts[-1] not in _NOT_ARRAYS


_NOT_ARRAYS = frozenset({"PyTree", "jaxtyped"})


def dims_text(typ: Type | None, module: MypyFile | None) -> str | None:
    """The dimension string of an annotation as written, if it is jaxtyping's
    (`Float[Array, "b d"]`, also `... | None`)."""
    if isinstance(typ, UnionType):
        found = [dims_text(item, module) for item in typ.items]
        known = [text for text in found if text is not None]
        others = [
            item
            for item, text in zip(typ.items, found)
            if text is None and not _none(item)
        ]
        return known[0] if len(known) == 1 and not others else None
    if isinstance(typ, UnboundType) and typ.name in ("Optional", "typing.Optional"):
        return dims_text(typ.args[0], module) if len(typ.args) == 1 else None
    if not isinstance(typ, UnboundType) or len(typ.args) != 2:
        return None
    if not _jaxtyping(typ.name, module):
        return None
    text = typ.args[1]
    if isinstance(text, RawExpressionType) and isinstance(text.literal_value, str):
        return text.literal_value
    if isinstance(text, UnboundType) and text.original_str_expr is not None:
        return text.original_str_expr
    return None


def _none(typ: Type) -> bool:
    return (
        isinstance(typ, UnboundType)
        and typ.name == "None"
        or (type(typ).__name__ == "NoneType")
    )


def module_of(fullname: str, modules: dict[str, MypyFile]) -> MypyFile | None:
    """The loaded module that defines `fullname` (the longest prefix that is one)."""
    name = fullname
    while "." in name:
        name = name.rpartition(".")[0]
        found = modules.get(name)
        if found is not None:
            return found
    return None


class Sources:
    """The specs of functions and classes, read once per run."""

    def __init__(self, modules: Modules) -> None:
        self.modules = modules
        self._signatures: dict[FuncDef, Signature | None] = {}
        self._fields: dict[TypeInfo, dict[str, Spec]] = {}
        self._ints: dict[TypeInfo, tuple[Param, ...] | None] = {}

    def signature(self, func: FuncDef) -> Signature | None:
        if func in self._signatures:
            return self._signatures[func]
        found = self._signature(func)
        self._signatures[func] = found
        return found

    def _signature(self, func: FuncDef) -> Signature | None:
        texts = self._texts(func)
        if texts is None:
            return None
        args, ret = texts
        owner = func.info if _is_method(func) and is_module_class(func.info) else None
        shown = f"{func.info.name}.{func.name}" if _is_method(func) else func.name
        defaults = _defaults(func)
        params = tuple(
            Param(name, kind, parse(text) if text is not None else None, default)
            for name, kind, text, default in zip(
                func.arg_names, func.arg_kinds, args, defaults
            )
        )
        signature = Signature(
            shown, params, parse(ret) if ret is not None else None, owner
        )
        return signature if signature.any else None

    def _texts(self, func: FuncDef) -> tuple[list[str | None], str | None] | None:
        if not func.body.body:
            return self._stored(
                func
            )  # loaded from mypy's cache: its annotations are gone
        written = func.unanalyzed_type
        if isinstance(written, CallableType):
            module = module_of(func.fullname, self.modules()) if func.fullname else None
            args = [dims_text(t, module) for t in written.arg_types]
            if len(args) != len(func.arg_names):
                return None
            return args, dims_text(written.ret_type, module)
        return None  # unannotated

    def _stored(self, func: FuncDef) -> tuple[list[str | None], str | None] | None:
        if _is_method(func):
            stored = func.info.metadata.get(KEY, {})
            entry = (
                stored.get("methods", {}).get(func.name)
                if stored.get("version") == VERSION
                else None
            )
        else:
            module = self.modules().get(func.fullname.rpartition(".")[0])
            symbol = module.names.get(STORE) if module is not None else None
            info = symbol.node if symbol is not None else None
            stored = info.metadata.get(KEY, {}) if isinstance(info, TypeInfo) else {}
            entry = (
                stored.get("functions", {}).get(func.name)
                if stored.get("version") == VERSION
                else None
            )
        if not isinstance(entry, dict):
            return None
        args = entry.get("args")
        if not isinstance(args, list) or len(args) != len(func.arg_names):
            return None
        ret = entry.get("ret")
        return [a if isinstance(a, str) else None for a in args], ret if isinstance(
            ret, str
        ) else None

    def fields(self, info: TypeInfo) -> dict[str, Spec]:
        """The specs of a class's annotated fields (its bases' too)."""
        known = self._fields.get(info)
        if known is not None:
            return known
        found: dict[str, Spec] = {}
        for klass in reversed(info.mro):
            for name, text in _field_texts(klass, self.modules()).items():
                spec = parse(text)
                if spec is not None:
                    found[name] = spec
                else:
                    found.pop(name, None)
        self._fields[info] = found
        return found

    def int_params(self, info: TypeInfo) -> tuple[Param, ...] | None:
        """The `int` parameters of a module class's `__init__` (its class-scoped names),
        with the rest of its parameters (spec None) for mapping a call's arguments; None
        when `__init__` is not known."""
        if info in self._ints:
            return self._ints[info]
        found = _int_params(info)
        self._ints[info] = found
        return found


def _int_params(info: TypeInfo) -> tuple[Param, ...] | None:
    method = info.get_method("__init__")
    func = method.func if isinstance(method, Decorator) else method
    if not isinstance(func, FuncDef) or not isinstance(func.type, CallableType):
        return None
    typ = func.type
    params: list[Param] = []
    defaults = _defaults(func)
    if len(defaults) != len(typ.arg_names):
        defaults = [None] * len(typ.arg_names)
    for index, (name, kind, arg_type, default) in enumerate(
        zip(typ.arg_names, typ.arg_kinds, typ.arg_types, defaults)
    ):
        proper = get_proper_type(arg_type)
        is_int = isinstance(proper, Instance) and proper.type.fullname == "builtins.int"
        params.append(
            Param(name, kind, _INT if is_int and index > 0 else None, default)
        )
    return tuple(params)


_INT = Spec("int", ())  # marks an int parameter in `Sources.int_params`


def is_int_param(param: Param) -> bool:
    return param.spec is _INT


def _field_texts(klass: TypeInfo, modules: dict[str, MypyFile]) -> dict[str, str]:
    body = klass.defn.defs.body
    if not body:
        stored = klass.metadata.get(KEY, {})
        fields = stored.get("fields", {}) if stored.get("version") == VERSION else {}
        return (
            {k: v for k, v in fields.items() if isinstance(v, str)}
            if isinstance(fields, dict)
            else {}
        )
    module = modules.get(klass.module_name)
    found: dict[str, str] = {}
    for statement in body:
        if (
            isinstance(statement, AssignmentStmt)
            and statement.unanalyzed_type is not None
        ):
            text = dims_text(statement.unanalyzed_type, module)
            for lvalue in statement.lvalues:
                if isinstance(lvalue, NameExpr) and text is not None:
                    found[lvalue.name] = text
    return found


def _defaults(func: FuncDef) -> list[Expression | None]:
    """Each parameter's default value as written (None for all of a function loaded from
    mypy's cache, which keeps no arguments)."""
    if not func.body.body:
        return [None] * len(func.arg_names)
    return [arg.initializer for arg in func.arguments]


def _is_method(func: FuncDef) -> bool:
    return type(func.info).__name__ != "FakeInfo"


# the trees whose strings are written, by module (a new tree of a module is written again);
# emptied for each run (`forget_stored`)
_STORED: dict[str, MypyFile] = {}


def forget_stored() -> None:
    _STORED.clear()


def store(tree: MypyFile, modules: dict[str, MypyFile]) -> None:
    """Write the dimension strings of `tree`'s functions, methods and class fields into
    it, for mypy's cache (a file loaded from there has lost its annotations)."""
    if tree.is_cache_skeleton or _STORED.get(tree.fullname) is tree:
        return  # mypy asks twice (its cache write, the file's end): once is enough
    _STORED[tree.fullname] = tree
    functions: dict[str, object] = {}
    for node in walk(tree, nested=False):
        if isinstance(node, ClassDef):
            methods: dict[str, object] = {}
            for name, symbol in node.info.names.items():
                func = (
                    symbol.node.func
                    if isinstance(symbol.node, Decorator)
                    else symbol.node
                )
                if isinstance(func, FuncDef) and func.info is node.info:
                    entry = _entry(func, tree)
                    if entry is not None:
                        methods[name] = entry
            fields = _field_texts(node.info, modules)
            if methods or fields:
                node.info.metadata[KEY] = {
                    "version": VERSION,
                    "methods": methods,
                    "fields": fields,
                }
        elif isinstance(node, (FuncDef, Decorator)):
            func = node.func if isinstance(node, Decorator) else node
            if tree.names.get(func.name) is not None and not _is_method(func):
                entry = _entry(func, tree)
                if entry is not None:
                    functions[func.name] = entry
    if functions:
        _store_info(tree, modules).metadata[KEY] = {
            "version": VERSION,
            "functions": functions,
        }


def _entry(func: FuncDef, tree: MypyFile) -> dict[str, object] | None:
    written = func.unanalyzed_type
    if not isinstance(written, CallableType):
        return None
    args = [dims_text(t, tree) for t in written.arg_types]
    ret = dims_text(written.ret_type, tree)
    if ret is None and all(a is None for a in args):
        return None
    return {"args": args, "ret": ret}
