"""Which methods and functions mutate (or may return) which of their parameters, and
how that is cached.

A method mutates `self` when it assigns to `self` (or a submodule) or calls a mutating
callable on it; a plain function mutates a parameter likewise. A mutation under a
condition is only possible (`_conditions.py`). Facts are computed from the function's
body, transitively, and memoized for the run.

mypy loads an unchanged file from its cache *without function bodies*, so the facts of
every file are written into mypy's own cache while the file is being processed (in
`report_config_data`, just before mypy serializes the file):
- a module class's methods: in its `TypeInfo.metadata`, as mypy's dataclasses plugin does;
- module-level functions, which have no such slot: in the metadata of a hidden,
  plugin-generated class `__purepax_facts__` added to the file's symbol table.
Both are part of the file's serialized interface, so when a function's facts change,
mypy sees a new interface hash and checks the files that use it again. The stored facts
carry `VERSION`, the schema of `Fact`, which the plugin also reports to mypy as its
configuration data of every file: a cache written by a plugin with another schema is
stale, and facts of another version are never read (a function's facts are then unknown).
Every field of `Fact` is encoded (`encode` walks the dataclass's fields), so a new
field travels through the cache without more code here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

from mypy.nodes import (
    GDEF,
    AssignmentStmt,
    Block,
    ClassDef,
    Decorator,
    Expression,
    FakeInfo,
    FuncDef,
    FuncItem,
    Import,
    ImportAll,
    ImportFrom,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    ReturnStmt,
    SymbolTable,
    SymbolTableNode,
    TypeInfo,
    Var,
)
from mypy.types import Instance

from ._conditions import Guards
from ._effects import Fact, effects
from ._keys import consumed_params
from ._names import decorators_of, is_module_class, is_transparent, wraps_only_purely
from ._schema import KEY, STORE, VERSION
from ._scopes import assigned_vars, param_vars
from ._types import Types
from ._walk import scope_nodes, walk


class Facts:
    """The facts of every function the plugin has looked at in this run."""

    def __init__(self, modules: Callable[[], dict[str, MypyFile]]) -> None:
        self._modules = modules
        self._memo: dict[FuncItem, Fact] = {}
        self._busy: set[FuncItem] = set()
        self._classes: dict[str, list[TypeInfo]] | None = (
            None  # base class -> module subclasses
        )
        self._program: set[str] | None = None  # the modules of the file being finished
        # The file being finished; its imports are followed only when a subclass lookup
        # needs them (most files never ask, and following them costs a walk per file).
        self._file: MypyFile | None = None
        self._resolving: set[str] = set()
        # Per module: its tree, the project modules it imports and its module classes,
        # read once per build (a module's symbol table is complete before any file that
        # imports it is checked); a new tree of the module (the daemon) is read again.
        self._outline: dict[str, tuple[MypyFile, set[str], list[TypeInfo]]] = {}
        # Per module: its tree, the project modules it imports and the names it imports
        # that were not loaded when last asked (`_links_of`).
        self._links: dict[str, tuple[MypyFile, list[str], set[str]]] = {}
        # Trees whose facts are written (mypy asks twice: at its cache write and at the
        # file's end, in either order): the second time has nothing to add.
        self._stored: dict[str, MypyFile] = {}

    def method(self, info: TypeInfo, name: str) -> tuple[FuncItem | None, Fact]:
        """What calling `name` on a value of declared type `info` does.

        The value may be of any subclass: a mutation is certain only if no override of
        `name` known to the program (in a subclass of `info`) makes it merely possible.
        """
        func, fact = self._own_method(info, name)
        fact = self._resolve(fact)
        if func is None or not any(fact.mutates.values()):
            return func, fact
        certain = dict(fact.mutates)
        for sub in self._subclasses(info):
            if sub.names.get(name) is None:
                continue
            _, other = self._own_method(sub, name)
            other = self._resolve(other)
            for index, sure in certain.items():
                if sure and not other.mutates.get(index, False):
                    certain[index] = False
        if certain == fact.mutates:
            return func, fact
        return func, replace(fact, mutates=certain, via={})

    def _resolve(self, fact: Fact) -> Fact:
        """`fact` with each mutation made certain only by calls through a declared class
        checked again: it stays certain if one of those calls still certainly mutates,
        given the overrides known now."""
        if not fact.via:
            return fact
        mutates = dict(fact.mutates)
        for index, keys in fact.via.items():
            if mutates.get(index) and not any(self._still_mutates(key) for key in keys):
                mutates[index] = False
        if mutates == fact.mutates:
            return fact
        return replace(fact, mutates=mutates)

    def _still_mutates(self, key: str) -> bool:
        """The method `key` ("module.Class.method") still certainly mutates its receiver."""
        if key in self._resolving:
            return True  # recursion: judged by the outer call
        info = _class_named(key.rpartition(".")[0], self._modules())
        if info is None:
            return True  # not found (a library's class): keep what was computed
        self._resolving.add(key)
        try:
            _, fact = self.method(info, key.rpartition(".")[2])
        finally:
            self._resolving.discard(key)
        return fact.mutates.get(0, False)

    def _own_method(self, info: TypeInfo, name: str) -> tuple[FuncItem | None, Fact]:
        for klass in info.mro:
            symbol = klass.names.get(name)
            if symbol is None:
                continue
            if isinstance(symbol.node, (FuncDef, Decorator)):
                return self._fact(symbol.node, klass)
            return None, Fact()
        return None, Fact()

    def new_file(self, tree: MypyFile | None = None) -> None:
        """`tree` is being finished: the program is that file and what it imports."""
        self._classes = None
        self._program = None
        self._file = tree

    def _subclasses(self, info: TypeInfo) -> list[TypeInfo]:
        """The module classes of the program (the file being checked and the project files
        it imports, directly or not) that derive from `info`."""
        if self._classes is None:
            self._classes = {}
            modules = self._modules()
            if self._file is not None and self._program is None:
                self._program = self._imported(self._file, modules)
            for name in self._program if self._program is not None else modules:
                module = modules.get(name)
                if module is None or not _project_file(module):
                    continue
                for known in self._outline_of(module)[2]:
                    for base in known.mro[1:]:
                        self._classes.setdefault(base.fullname, []).append(known)
        return self._classes.get(info.fullname, [])

    def function(self, node: FuncDef | Decorator) -> tuple[FuncItem | None, Fact]:
        func = node.func if isinstance(node, Decorator) else node
        if _is_method(func):
            if func.is_static:  # `Class.helper(obj)`: a plain function kept in a class
                found, fact = self._fact(node, func.info)
                return found, self._resolve(fact)
            return func, Fact()  # `Class.method(obj)`: not followed
        found, fact = self._fact(node, None)
        return found, self._resolve(fact)

    def _outline_of(
        self, module: MypyFile
    ) -> tuple[MypyFile, set[str], list[TypeInfo]]:
        """`module`'s imports (names of modules) and its module classes (checked or from
        the cache), remembered for the build."""
        known = self._outline.get(module.fullname)
        if known is not None and known[0] is module:
            return known
        names = {
            imp.id for imp in module.imports if isinstance(imp, (ImportFrom, ImportAll))
        }
        names |= {
            name
            for imp in module.imports
            if isinstance(imp, Import)
            for name, _ in imp.ids
        }
        classes: list[TypeInfo] = []
        for symbol in module.names.values():
            node = symbol.node
            if isinstance(node, MypyFile):
                names.add(node.fullname)
            elif isinstance(node, TypeInfo):
                names.add(node.module_name)
                if node.module_name == module.fullname and is_module_class(node):
                    classes.append(node)
            elif isinstance(node, (FuncDef, Decorator, Var)) and node.fullname:
                names.add(node.fullname.rpartition(".")[0])
        known = self._outline[module.fullname] = (module, names, classes)
        return known

    def _imported(self, tree: MypyFile, modules: dict[str, MypyFile]) -> set[str]:
        """`tree`'s module and the project modules it imports, directly or not (read from
        the symbol tables, which files loaded from mypy's cache keep too)."""
        found = {tree.fullname}
        todo = [tree]
        while todo:
            module = todo.pop()
            for name in self._links_of(module, modules):
                if name not in found:
                    found.add(name)
                    todo.append(modules[name])
        return found

    def _links_of(self, module: MypyFile, modules: dict[str, MypyFile]) -> list[str]:
        """The project modules that `module` imports. Most names it imports are of
        libraries: those are sorted out once per build; a name not loaded yet is looked
        at again next time."""
        known = self._links.get(module.fullname)
        if known is None or known[0] is not module:
            known = (module, [], set(self._outline_of(module)[1]))
            self._links[module.fullname] = known
        _, project, pending = known
        for name in list(pending):
            other = modules.get(name)
            if other is not None:
                pending.discard(name)
                if _project_file(other):
                    project.append(name)
        return [name for name in project if name in modules]

    def _fact(
        self, node: FuncDef | Decorator, owner: TypeInfo | None
    ) -> tuple[FuncItem, Fact]:
        func = node.func if isinstance(node, Decorator) else node
        decorators = decorators_of(node)
        if any(not is_transparent(d) for d in decorators):
            # a pure or transformed function works on copies, and another decorator may
            # do anything: what it does to its arguments and returns is unknown; only the
            # keys it consumes are still consumed through px.pure or a transform
            unknown = Fact(returns=set(range(len(func.arg_names))))
            if not func.body.body:
                unknown.consumes = self._load(func, owner).consumes
            elif wraps_only_purely(decorators) and func not in self._busy:
                self._busy.add(func)
                try:
                    unknown.consumes = consumed_params(func, self)
                finally:
                    self._busy.discard(func)
            return func, unknown
        known = self._memo.get(func)
        if known is not None:
            return func, known
        if (
            not func.body.body
        ):  # loaded from mypy's cache: no body, read the stored facts
            fact = self._load(func, owner)
        elif func in self._busy:
            # recursion: the outer call collects the other mutations and returns
            return func, Fact(returns=set(range(len(func.arg_names))))
        else:
            self._busy.add(func)
            try:
                fact = _compute(func, self)
            finally:
                self._busy.discard(func)
        self._memo[func] = fact
        return func, fact

    def _load(self, func: FuncDef, owner: TypeInfo | None) -> Fact:
        if owner is not None:
            metadata = owner.metadata.get(KEY, {})
        else:
            module = self._modules().get(func.fullname.rpartition(".")[0])
            symbol = module.names.get(STORE) if module is not None else None
            info = symbol.node if symbol is not None else None
            metadata = info.metadata.get(KEY, {}) if isinstance(info, TypeInfo) else {}
        if metadata and metadata.get("version") != VERSION:
            return Fact(
                returns=set(range(len(func.arg_names)))
            )  # another schema: unknown
        return decode(metadata.get("functions", {}).get(func.name))

    def store(self, tree: MypyFile) -> None:
        """Write the facts of `tree`'s module classes and module-level functions into it."""
        self.new_file(tree)
        if self._stored.get(tree.fullname) is tree:
            return
        self._stored[tree.fullname] = tree
        functions: dict[str, object] = {}
        for node in walk(tree, nested=False):
            if isinstance(node, ClassDef) and is_module_class(node.info):
                methods: dict[str, object] = {}
                for name, symbol in node.info.names.items():
                    if isinstance(symbol.node, (FuncDef, Decorator)):
                        _, fact = self._fact(symbol.node, node.info)
                        if fact:
                            methods[name] = encode(fact)
                node.info.metadata[KEY] = {"version": VERSION, "functions": methods}
            elif isinstance(node, (FuncDef, Decorator)):
                func = node.func if isinstance(node, Decorator) else node
                if tree.names.get(func.name) is not None and not _is_method(func):
                    _, fact = self.function(node)
                    if fact:
                        functions[func.name] = encode(fact)
        if functions:
            _store_info(tree, self._modules()).metadata[KEY] = {
                "version": VERSION,
                "functions": functions,
            }


def _class_named(fullname: str, modules: dict[str, MypyFile]) -> TypeInfo | None:
    """The class `fullname` ("package.module.Class") among the loaded modules."""
    module, _, name = fullname.rpartition(".")
    tree = modules.get(module)
    symbol = tree.names.get(name) if tree is not None else None
    return (
        symbol.node
        if symbol is not None and isinstance(symbol.node, TypeInfo)
        else None
    )


def _compute(func: FuncItem, facts: Facts) -> Fact:
    if not func.arguments:
        return Fact()  # every fact is about a parameter
    types = Types()
    if isinstance(func, FuncDef):
        types.note_method(func)
    params = {var: i for i, var in enumerate(param_vars(func))}
    nodes = list(scope_nodes(func))
    rebound = assigned_vars(func.body)
    roots = {var for var in params if var not in rebound}
    found = effects(nodes, lambda r: r.node in roots, types, facts, structural=True)
    guards = Guards(nodes) if found.found or found.calls else None
    fact = Fact(returns={params[var] for var in returned_params(nodes, set(params))})
    direct: set[int] = (
        set()
    )  # parameters certainly mutated without a call through a class
    for m in found.found:
        if isinstance(m.root.node, Var):
            index = params[m.root.node]
            certain = m.certain and guards is not None and not guards.guarded(m.context)
            fact.mutates[index] = fact.mutates.get(index, False) or certain
            if certain and m.via:
                fact.via.setdefault(index, set()).add(m.via)
            elif certain:
                direct.add(index)
    for index in direct:
        fact.via.pop(index, None)
    for root, method, call in found.calls:
        if (
            isinstance(root.node, Var)
            and guards is not None
            and not guards.guarded(call)
        ):
            fact.calls.setdefault(params[root.node], set()).add(method)
    fact.consumes = consumed_params(func, facts)
    return fact


def returned_params(nodes: list[Node], params: set[Var]) -> set[Var]:
    """The parameters that a function (its own `nodes`) may return, or return a copy of.

    A parameter named bare in a return value (`return self`, `return px.replace(self)`,
    `return f(self)`), directly or through a local assigned from such an expression,
    may be returned; one only read through its attributes (`return self.w * x`) is not.
    """
    if not any(isinstance(n, ReturnStmt) and n.expr is not None for n in nodes):
        return set()
    origin: dict[Var, set[Var]] = {var: {var} for var in params}
    assignments = [
        (_bare_names(n.rvalue), _targets(n.lvalues))
        for n in nodes
        if isinstance(n, AssignmentStmt)
    ]
    for _ in range(3):  # locals assigned from locals, a few levels deep
        for names, targets in assignments:
            sources = _sources(names, origin)
            if sources:
                for target in targets:
                    origin.setdefault(target, set()).update(sources)
    found: set[Var] = set()
    for ret in nodes:
        if isinstance(ret, ReturnStmt) and ret.expr is not None:
            found |= _sources(_bare_names(ret.expr), origin)
    return found & params


def _targets(lvalues: list[Expression]) -> list[Var]:
    return [
        target.node
        for lvalue in lvalues
        for target in walk(lvalue)
        if isinstance(target, NameExpr) and isinstance(target.node, Var)
    ]


def _bare_names(expr: Expression) -> list[Var]:
    """The variables named bare in `expr` (not only as the object of an attribute)."""
    nodes = list(walk(expr))
    attributes = {id(n.expr) for n in nodes if isinstance(n, MemberExpr)}
    return [
        node.node
        for node in nodes
        if isinstance(node, NameExpr)
        and id(node) not in attributes
        and isinstance(node.node, Var)
    ]


def _sources(names: list[Var], origin: dict[Var, set[Var]]) -> set[Var]:
    sources: set[Var] = set()
    for var in names:
        found = origin.get(var)
        if found:
            sources |= found
    return sources


def _project_file(tree: MypyFile) -> bool:
    """A file of the project or of purepax (not a library's or a stub)."""
    if tree.fullname.partition(".")[0] == "purepax":
        return True
    return not tree.is_stub and not any(
        d in tree.path for d in ("site-packages", "dist-packages", "typeshed")
    )


def _is_method(func: FuncItem) -> bool:
    return not isinstance(
        func.info, FakeInfo
    )  # FakeInfo: the `info` of a plain function


def encode(fact: Fact) -> dict[str, object]:
    """`fact` as JSON for mypy's cache: every field of `Fact`, sets as sorted lists and
    parameter indices as strings (JSON's keys)."""
    found: dict[str, object] = {}
    for item in fields(Fact):
        value = getattr(fact, item.name)
        if isinstance(value, dict):
            found[item.name] = {
                str(k): sorted(v) if isinstance(v, set) else v for k, v in value.items()
            }
        else:
            found[item.name] = sorted(value)
    return found


def decode(stored: object) -> Fact:
    """The `Fact` that `encode` wrote (an empty one for nothing stored)."""
    fact = Fact()
    if not isinstance(stored, dict):
        return fact
    for item in fields(Fact):
        value = stored.get(item.name)
        empty = getattr(fact, item.name)
        if isinstance(empty, dict) and isinstance(value, dict):
            setattr(
                fact,
                item.name,
                {
                    int(k): set(v) if isinstance(v, list) else v
                    for k, v in value.items()
                },
            )
        elif isinstance(empty, set) and isinstance(value, list):
            setattr(fact, item.name, set(value))
    return fact


def _store_info(tree: MypyFile, modules: dict[str, MypyFile]) -> TypeInfo:
    """The hidden class of `tree` whose metadata holds its functions' facts."""
    symbol = tree.names.get(STORE)
    if symbol is not None and isinstance(symbol.node, TypeInfo):
        return symbol.node
    obj = modules["builtins"].names["object"].node
    assert isinstance(obj, TypeInfo)
    defn = ClassDef(STORE, Block([]))
    defn.fullname = f"{tree.fullname}.{STORE}"
    info = TypeInfo(SymbolTable(), defn, tree.fullname)
    defn.info = info
    info.bases = [Instance(obj, [])]
    info.mro = [info, obj]
    tree.names[STORE] = SymbolTableNode(
        GDEF, info, module_public=False, plugin_generated=True
    )
    return info
