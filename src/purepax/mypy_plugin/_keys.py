"""`purepax-key-reuse`: a PRNG key consumed twice, which draws the same random numbers twice.

A *key* is a variable given a value by `jax.random.key`, `PRNGKey`, `split`, `fold_in` or
`clone`, a parameter annotated as one (`PRNGKeyArray`, jaxtyping's `Key[...]`), or any
variable that a `jax.random` sampler is
given (JAX takes nothing else there). `k1, k2 = split(key)` and `keys[0]`, `keys[1]` are
distinct keys. A plain attribute (`self.key`, a field, not a property) is followed too,
but only across code that cannot give it a new value: any call other than JAX's, NumPy's,
an array's method or a harmless builtin, and any assignment to an attribute, forget it.

A key is *consumed* by a `jax.random` sampler or `split`, and, when it is certainly a key,
as the `key=` argument of any call, or as the argument of a parameter that the callee
consumes (its facts, `_facts.py`: across functions and files) or annotates as a key.
`fold_in`, `key_data`, containers, attributes, returns and prints do not consume it.

The check walks each function's statements (and the file's top level) in order, with
what each key variable holds: consumed certainly (on every path here) or maybe (on some
path, after an `if`), with the line of that use. Reported:
- a second consuming use of a key consumed certainly, or maybe when the second use is
  not itself under a later condition (so `if a: use(key)` then `if not a: use(key)` stays
  silent, and so do the two exclusive branches of an `if`/`else`);
- a consuming use in the body of a `for`/`while` loop or a comprehension, unconditional
  there, of a key bound outside the loop and not rebound in it (the loop must be able
  to run its body again: a body that always ends in `break`/`return`/`raise` does not);
- the same in a function given to `lax.scan`/`fori_loop`/`while_loop` (and `px.`'s),
  for a key it captures.
Whatever the walk does not know (an unknown statement, a variable declared `global` or
`nonlocal`, a loop's rebinding) makes it forget the key: silence, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    AssertStmt,
    AssignmentExpr,
    AssignmentStmt,
    Block,
    BreakStmt,
    CallExpr,
    ConditionalExpr,
    ContinueStmt,
    Decorator,
    DelStmt,
    DictionaryComprehension,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    GlobalDecl,
    IfStmt,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    NonlocalDecl,
    OperatorAssignmentStmt,
    OpExpr,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    StarExpr,
    Statement,
    TryStmt,
    TupleExpr,
    TypeInfo,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Overloaded,
    UnboundType,
    get_proper_type,
)

from ._effects import Fact, FactSource
from ._report import Reporter
from ._rules import FileContext
from ._scopes import local_vars
from ._types import Types, module_info
from ._walk import INERT as _INERT
from ._walk import dotted, scope_nodes, walk

KEY_REUSE = ErrorCode("purepax-key-reuse", "A PRNG key is consumed twice", "purepax")

# jax.random functions that consume the key they are given (its first argument or `key=`).
CONSUMERS = frozenset(
    {
        "split", "ball", "bernoulli", "beta", "binomial", "bits", "categorical", "cauchy", "chisquare",
        "choice", "dirichlet", "double_sided_maxwell", "exponential", "f", "gamma", "generalized_normal",
        "geometric", "gumbel", "laplace", "loggamma", "logistic", "lognormal", "maxwell", "multinomial",
        "multivariate_normal", "normal", "orthogonal", "pareto", "permutation", "poisson", "rademacher",
        "randint", "rayleigh", "t", "triangular", "truncated_normal", "uniform", "wald", "weibull_min",
    }
)  # fmt: skip
# jax.random functions that make a key (a variable given one is a key).
MAKERS = frozenset({"key", "PRNGKey", "split", "fold_in", "clone", "wrap_key_data"})
# jax.random functions that read a key without consuming it.
READERS = frozenset(
    {"fold_in", "key_data", "key_impl", "clone", "wrap_key_data", "key", "PRNGKey"}
)
# Annotations that make a parameter a key.
_KEY_ANNOTATIONS = frozenset({"PRNGKeyArray", "Key", "KeyArray"})
_LOOPS = frozenset({"scan", "fori_loop", "while_loop"})
# Calls that cannot give an attribute of the caller's objects a new value.
_ARRAY_PACKAGES = frozenset({"jax", "jaxlib", "numpy"})
_HARMLESS = frozenset(
    f"builtins.{name}"
    for name in (
        "print",
        "len",
        "float",
        "int",
        "bool",
        "str",
        "repr",
        "abs",
        "min",
        "max",
        "range",
        "isinstance",
    )
)
# Calls whose `key=` argument only stores the key (a dict, a partial application).
_STORING = frozenset({"builtins.dict", "functools.partial"})
# Packages whose functions are not followed for the keys they consume (their facts would
# be computed from their bodies: JAX's own, at a cost, for nothing).
_LIBRARIES = frozenset(
    {
        "builtins",
        "typing",
        "typing_extensions",
        "functools",
        "collections",
        "math",
        "jax",
        "jaxlib",
        "numpy",
        "optax",
        "equinox",
        "flax",
        "jaxtyping",
        "beartype",
    }
)

# a key variable, an element `keys[i]` of a split, or a field `self.key` of a module or
# object (a plain attribute, not a property)
Tracked = Var | tuple[Var, int] | tuple[Var, str]


def _random_name(expr: Expression) -> str | None:
    """`normal` for `jax.random.normal` (`jr.normal`, `random.normal`), else None."""
    if not isinstance(expr, RefExpr) or not expr.fullname:
        return None
    parts = expr.fullname.split(".")
    if len(parts) >= 3 and parts[0] == "jax" and "random" in parts[1:-1]:
        return parts[-1]
    return None


def key_annotated(func: FuncItem) -> set[int]:
    """The parameters of `func` annotated as keys: `PRNGKeyArray`, jaxtyping's `Key[...]`
    (read from the annotations as written, since to a type checker both are `jax.Array`,
    and only when that is what they are)."""
    written = func.unanalyzed_type if isinstance(func, FuncDef) else None
    typed = func.type if isinstance(func, FuncDef) else None
    if not isinstance(written, CallableType) or not isinstance(typed, CallableType):
        return set()
    found: set[int] = set()
    for index, (annotation, analyzed) in enumerate(
        zip(written.arg_types, typed.arg_types)
    ):
        if (
            not isinstance(annotation, UnboundType)
            or annotation.name.rpartition(".")[2] not in _KEY_ANNOTATIONS
        ):
            continue
        proper = get_proper_type(analyzed)
        if isinstance(proper, Instance) and proper.type.fullname.partition(".")[0] in (
            "jax",
            "jaxlib",
        ):
            found.add(index)
    return found


@dataclass
class _Use:
    line: int  # of the first consuming use
    how: str  # what consumed it, e.g. "jax.random.normal"
    certain: bool  # on every path that reaches here
    depth: int  # a maybe-use reports only at uses at this depth of conditions or less
    split: bool = False


@dataclass
class _State:
    used: dict[Tracked, _Use] = field(default_factory=dict)
    keys: set[Tracked] = field(default_factory=set)  # known to hold a key
    rebound: set[Var] = field(default_factory=set)  # rebound on some path (may)
    originals: set[Var] = field(
        default_factory=set
    )  # parameters consumed before any rebinding (must)

    def copy(self) -> _State:
        return _State(
            dict(self.used), set(self.keys), set(self.rebound), set(self.originals)
        )


def _merge(states: list[_State | None], depth: int) -> _State | None:
    live = [s for s in states if s is not None]
    if not live:
        return None
    merged = _State()
    for tracked in {t for s in live for t in s.used}:
        uses = [s.used.get(tracked) for s in live]
        first = next(u for u in uses if u is not None)
        if all(u is not None and u.certain for u in uses):
            merged.used[tracked] = replace(first)
        else:
            depths = [u.depth for u in uses if u is not None and not u.certain] + [
                depth
            ]
            merged.used[tracked] = replace(first, certain=False, depth=min(depths))
    # a key on one path is the same value on the others (a rebinding forgets it there)
    merged.keys = set.union(*(s.keys for s in live))
    merged.rebound = set.union(*(s.rebound for s in live))
    merged.originals = set.intersection(*(s.originals for s in live))
    return merged


@dataclass
class _Loop:
    depth: int  # the depth of the loop's body
    bound: set[Var]  # variables bound anywhere in the body
    where: str  # "loop on line 7", "function given to jax.lax.scan"
    body: Block | None = None  # the loop's body (None: a function given to a lax loop)
    # the body can give no attribute a new value (worked out when an attribute is used)
    still: bool | None = None


class _Walker:
    """The walk of one function's statements (or a file's top level)."""

    def __init__(
        self,
        types: Types,
        facts: FactSource,
        report: Reporter | None,
        unknown_names: set[str],
        params: list[Var],
    ) -> None:
        self.types = types
        self.facts = facts
        self.report = report  # None: only the facts of the function are wanted
        self.unknown_names = unknown_names  # declared global or nonlocal somewhere
        self.params = params
        self.loops: list[_Loop] = []
        self.exits: list[_State] = []  # the state at each return (and the end)

    # statements

    def block(
        self, body: list[Statement], state: _State | None, depth: int
    ) -> _State | None:
        for statement in body:
            if state is None:
                return None
            state = self.statement(statement, state, depth)
        return state

    def statement(self, s: Statement, state: _State, depth: int) -> _State | None:
        if isinstance(s, ExpressionStmt):
            self.expression(s.expr, state, depth)
            return state
        if isinstance(s, AssignmentStmt):
            self.expression(s.rvalue, state, depth)
            for lvalue in s.lvalues:
                self.bind(lvalue, s.rvalue, state)
            if any(
                isinstance(n, (MemberExpr, IndexExpr))
                for lvalue in s.lvalues
                for n in walk(lvalue)
            ):
                _forget_attributes(state)
            return state
        if isinstance(s, OperatorAssignmentStmt):
            self.expression(s.rvalue, state, depth)
            self.bind(s.lvalue, None, state)
            _forget_attributes(state)
            return state
        if isinstance(s, ReturnStmt):
            if s.expr is not None:
                self.expression(s.expr, state, depth)
            self.exits.append(state)
            return None
        if isinstance(s, RaiseStmt):
            for expr in (s.expr, s.from_expr):
                if expr is not None:
                    self.expression(expr, state, depth)
            return None
        if isinstance(s, (BreakStmt, ContinueStmt)):
            return None
        if isinstance(s, IfStmt):
            return self.if_(s, state, depth)
        if isinstance(s, (ForStmt, WhileStmt)):
            return self.loop(s, state, depth)
        if isinstance(s, WithStmt):
            for expr in s.expr:
                self.expression(expr, state, depth)
            for target in s.target:
                if target is not None:
                    self.bind(target, None, state)
            return self.block(s.body.body, state, depth)
        if isinstance(s, TryStmt):
            return self.try_(s, state, depth)
        if isinstance(s, Block):
            return self.block(s.body, state, depth)
        if isinstance(s, _INERT):
            return state
        if isinstance(s, (AssertStmt, DelStmt)):
            for child in (s.expr,):
                if child is not None:
                    self.expression(child, state, depth)
            if isinstance(s, DelStmt):
                self.bind(s.expr, None, state)
                _forget_attributes(state)
            return state
        # a statement this walk does not know (`match`, ...): forget everything, and take
        # every parameter as rebound there
        return _State(rebound=set(self.params))

    def if_(self, s: IfStmt, state: _State, depth: int) -> _State | None:
        # mypy keeps an `elif` as an `if` nested in the else branch: one condition each
        self.expression(s.expr[0], state, depth)
        outcomes: list[_State | None] = [
            self.block(body.body, state.copy(), depth + 1) for body in s.body[:1]
        ]
        else_state = state.copy()
        outcomes.append(
            self.block(s.else_body.body, else_state, depth + 1)
            if s.else_body
            else else_state
        )
        return _merge(outcomes, depth)

    def loop(self, s: ForStmt | WhileStmt, state: _State, depth: int) -> _State | None:
        self.expression(s.expr, state, depth)
        bound = _bound_in(s.body)
        if isinstance(s, ForStmt):
            bound |= _bound_in(s.index)
        repeats = not _always_leaves(s.body.body)
        entry = state.copy()
        if isinstance(s, ForStmt):
            self.bind(s.index, None, entry)
        if repeats:
            self.loops.append(_Loop(depth + 1, bound, f"loop on line {s.line}", s.body))
        try:
            after = self.block(s.body.body, entry, depth + 1)
        finally:
            if repeats:
                self.loops.pop()
        merged = _merge([state, after], depth) or state
        for var in bound | (_bound_in(s.index) if isinstance(s, ForStmt) else set()):
            self.forget(var, merged)
        if s.else_body is not None:
            return self.block(s.else_body.body, merged, depth)
        return merged

    def try_(self, s: TryStmt, state: _State, depth: int) -> _State | None:
        before = state.copy()
        body = self.block(s.body.body, state.copy(), depth + 1)
        if body is not None and s.else_body is not None:
            body = self.block(s.else_body.body, body, depth + 1)
        outcomes = [body]
        for name, handler in zip(s.vars, s.handlers):
            branch = before.copy()
            if name is not None:
                self.bind(name, None, branch)
            outcomes.append(self.block(handler.body, branch, depth + 1))
        merged = _merge(outcomes, depth)
        for var in _bound_in(s):
            if merged is not None:
                self.forget(var, merged)
        if s.finally_body is not None:
            if merged is None:
                self.block(s.finally_body.body, before.copy(), depth)
                return None
            return self.block(s.finally_body.body, merged, depth)
        return merged

    # bindings

    def forget(self, var: Var, state: _State) -> None:
        for tracked in [
            t for t in state.used if t == var or (isinstance(t, tuple) and t[0] is var)
        ]:
            del state.used[tracked]
        state.keys = {
            t
            for t in state.keys
            if not (t == var or (isinstance(t, tuple) and t[0] is var))
        }
        state.rebound.add(var)

    def bind(self, target: Expression, value: Expression | None, state: _State) -> None:
        if isinstance(target, NameExpr) and isinstance(target.node, Var):
            self.forget(target.node, state)
            if value is not None and self.makes_key(value):
                state.keys.add(target.node)
        elif isinstance(target, (TupleExpr, ListExpr)):
            split = (
                isinstance(value, CallExpr) and _random_name(value.callee) == "split"
            )
            for item in target.items:
                self.bind(item, None, state)
                if split and isinstance(item, NameExpr) and isinstance(item.node, Var):
                    state.keys.add(item.node)
        elif isinstance(target, StarExpr):
            self.bind(target.expr, None, state)

    def makes_key(self, value: Expression) -> bool:
        callee = value.callee if isinstance(value, CallExpr) else None
        return callee is not None and _random_name(callee) in MAKERS

    # expressions

    def expression(self, expr: Expression, state: _State, depth: int) -> None:
        """The consuming uses in `expr`, in the order they run (not into nested functions)."""
        nodes = list(walk(expr, nested=False))
        calls = [n for n in nodes if isinstance(n, CallExpr)]
        walrus = [n for n in nodes if isinstance(n, AssignmentExpr)]
        if not calls and not walrus:
            return
        # Most expressions hold no branch and no comprehension: skip the walks that find them.
        comprehensions = any(isinstance(n, _COMPREHENSIONS) for n in nodes)
        branches = comprehensions or any(
            isinstance(n, ConditionalExpr)
            or (isinstance(n, OpExpr) and n.op in ("and", "or"))
            for n in nodes
        )
        conditional = _conditional_parts(expr) if branches else set()
        looped = _comprehension_parts(expr) if comprehensions else {}
        calls.sort(
            key=lambda c: (
                c.end_line or c.line,
                c.end_column or c.column,
                -c.line,
                -c.column,
            )
        )
        for call in calls:
            for arg, how, proven in self.consumed(call, state):
                tracked = self.tracked(arg)
                if tracked is None or _var(tracked).name in self.unknown_names:
                    continue
                if proven:
                    state.keys.add(tracked)
                elif tracked not in state.keys and not _element_of_key(tracked, state):
                    continue
                here = depth + 1 if id(call) in conditional else depth
                loop = looped.get(id(call))
                splits = _random_name(call.callee) == "split"
                self.use(tracked, arg, how, state, here, depth, loop, splits)
            if _holds_attributes(state) and not self.keeps_attributes(call):
                _forget_attributes(state)  # the call may give an attribute a new key
        for node in walrus:
            self.bind(node.target, node.value, state)

    def use(
        self,
        tracked: Tracked,
        arg: Expression,
        how: str,
        state: _State,
        here: int,
        depth: int,
        comprehension: set[Var] | None,
        splits: bool = False,
    ) -> None:
        var = _var(tracked)
        earlier = state.used.get(tracked)
        if (
            earlier is None
            and isinstance(tracked, tuple)
            and isinstance(tracked[1], int)
        ):
            whole = state.used.get(var)  # `keys[0]` after `keys` itself was consumed
            earlier = whole if whole is not None and whole.split else None
        if earlier is not None and (earlier.certain or here <= earlier.depth):
            if earlier.split:
                self.error(
                    arg,
                    f'PRNG key "{_shown(tracked)}" is used by {how} after it was split on line {earlier.line}: '
                    "a key that has been split is spent, and its children repeat its numbers. Use one of "
                    f"the keys the split made instead (`{var.name}, subkey = jax.random.split({var.name})`, "
                    "then `subkey`).",
                )
            else:
                self.error(
                    arg,
                    f'PRNG key "{_shown(tracked)}" is consumed again by {how}, after its use on line {earlier.line} '
                    f"({earlier.how}): both draw the same random numbers. Split it first "
                    f"(`{var.name}, subkey = jax.random.split({var.name})`) and use the new subkey here.",
                )
        elif (
            self.loops
            and self.loops[-1].depth == here
            and var not in self.loops[-1].bound
            and (not _is_attribute(tracked) or self.still(self.loops[-1]))
        ):
            self.error(arg, _loop_message(tracked, how, self.loops[-1].where))
        elif (
            comprehension is not None
            and var not in comprehension
            and not _is_attribute(tracked)
        ):
            self.error(arg, _loop_message(tracked, how, "comprehension"))
        if (
            tracked is var
            and var in self.params
            and var not in state.rebound
            and here == depth
        ):
            state.originals.add(var)
        if tracked not in state.used:
            state.used[tracked] = _Use(
                arg.line, how, here == depth, depth, split=splits
            )

    def keeps_attributes(self, call: CallExpr) -> bool:
        """`call` cannot give an object's attribute a new value: a function of JAX or
        NumPy, a method of an array, or a harmless builtin (not `setattr`), given no
        function (a transform or a callback runs the user's code)."""
        callee = call.callee
        if _random_name(callee) is not None:
            return True
        if any(self.is_function(arg) for arg in call.args):  # a transform, a callback
            return False
        if isinstance(callee, RefExpr) and callee.fullname:
            top = callee.fullname.partition(".")[0]
            if top in _ARRAY_PACKAGES or callee.fullname in _HARMLESS:
                return True
        if isinstance(callee, MemberExpr):
            owner = get_proper_type(self.types.of(callee.expr))
            return (
                isinstance(owner, Instance)
                and owner.type.fullname.partition(".")[0] in _ARRAY_PACKAGES
            )
        return False

    def is_function(self, arg: Expression) -> bool:
        if isinstance(arg, LambdaExpr) or (
            isinstance(arg, RefExpr) and isinstance(arg.node, (FuncDef, Decorator))
        ):
            return True
        if not isinstance(arg, (MemberExpr, NameExpr, CallExpr)):
            return False
        typ = self.types.of(arg)
        proper = get_proper_type(typ) if typ is not None else None
        return proper is None or isinstance(
            proper, (CallableType, Overloaded, AnyType)
        )  # unknown: maybe one

    def still(self, loop: _Loop) -> bool:
        """The loop's body makes no call that may give an attribute a new value, and assigns none."""
        if loop.still is None:
            loop.still = loop.body is not None and self._still(loop.body)
        return loop.still

    def _still(self, body: Block) -> bool:
        for node in walk(body, nested=False):
            if isinstance(node, CallExpr) and not self.keeps_attributes(node):
                return False
            if isinstance(node, (AssignmentStmt, OperatorAssignmentStmt, DelStmt)):
                if isinstance(node, AssignmentStmt):
                    targets = node.lvalues
                else:
                    targets = [node.expr if isinstance(node, DelStmt) else node.lvalue]
                if any(
                    isinstance(n, (MemberExpr, IndexExpr))
                    for target in targets
                    for n in walk(target)
                ):
                    return False
        return True

    def may_be_key(self, arg: Expression, state: _State) -> bool:
        """`arg` is followed and may hold a key: known as one, consumed already, or a
        parameter (a key its callee consumes proves itself one)."""
        tracked = self.tracked(arg)
        if tracked is None:
            return False
        known = (
            tracked in state.keys
            or tracked in state.used
            or _element_of_key(tracked, state)
        )
        return known or _var(tracked) in self.params

    def tracked(self, arg: Expression) -> Tracked | None:
        """What the walk follows of `arg`: a variable, `keys[0]`, or `self.key` when `key`
        is a plain attribute (a declared or assigned field, not a property) of `self`'s class."""
        found = _tracked(arg)
        if (
            found is not None
            or not isinstance(arg, MemberExpr)
            or not isinstance(arg.expr, NameExpr)
        ):
            return found
        root = arg.expr.node
        owner = (
            get_proper_type(self.types.of(arg.expr)) if isinstance(root, Var) else None
        )
        if not isinstance(root, Var) or not isinstance(owner, Instance):
            return None
        symbol = owner.type.get(arg.name)
        if (
            symbol is None
            or not isinstance(symbol.node, Var)
            or symbol.node.is_property
        ):
            return None
        return (root, arg.name)

    def consumed(
        self, call: CallExpr, state: _State
    ) -> list[tuple[Expression, str, bool]]:
        """(argument, what consumes it, whether the call proves it is a key) of `call`."""
        name = _random_name(call.callee)
        written = dotted(call.callee)
        if name is not None:
            if name not in CONSUMERS:
                return []
            key = _argument(call, 0, "key")
            return [(key, f"{written}", True)] if key is not None else []
        if isinstance(call.callee, RefExpr) and call.callee.fullname in _STORING:
            return []
        found: dict[int, tuple[Expression, str, bool]] = {}
        for arg, kind, arg_name in zip(call.args, call.arg_kinds, call.arg_names):
            if kind == ARG_NAMED and arg_name == "key":
                found[id(arg)] = (arg, f"the key= argument of {written}", False)
        callee = (
            self.callee(call)
            if any(self.may_be_key(arg, state) for arg in call.args)
            else None
        )
        if callee is not None:
            func, offset, fact = callee
            for index in sorted(fact.consumes | key_annotated(func)):
                given = _argument(
                    call,
                    index - offset,
                    func.arg_names[index] if index < len(func.arg_names) else None,
                )
                if (
                    given is not None
                ):  # the callee consumes it, or types it as a key: it is one
                    found[id(given)] = (
                        given,
                        found[id(given)][1] if id(given) in found else written,
                        True,
                    )
        return list(found.values())

    def callee(self, call: CallExpr) -> tuple[FuncItem, int, Fact] | None:
        """The function a call runs, the number of its parameters filled before the
        arguments (`self`), and its facts."""
        callee = call.callee
        if (
            isinstance(callee, RefExpr)
            and callee.fullname.partition(".")[0] in _LIBRARIES
        ):
            return None  # their keys are given by keyword (`key=`), or not consumed
        if isinstance(callee, RefExpr) and isinstance(
            callee.node, (FuncDef, Decorator)
        ):
            func, fact = self.facts.function(callee.node)
            if func is None:
                return None
            return func, 0, fact
        if isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo):
            found = self._method(callee.node, "__init__")
            if found is None:
                return None
            func, offset, fact = found
            return (
                func,
                offset,
                replace(
                    fact,
                    consumes=fact.consumes | _generated_key_params(callee.node, func),
                ),
            )
        if isinstance(callee, MemberExpr):
            owner = get_proper_type(self.types.of(callee.expr))
            on_class = isinstance(callee.expr, RefExpr) and isinstance(
                callee.expr.node, TypeInfo
            )
            if isinstance(owner, Instance) and not on_class:
                return self._method(owner.type, callee.name)
            return None
        info = module_info(self.types.of(callee))
        return self._method(info, "__call__") if info is not None else None

    def _method(self, info: TypeInfo, name: str) -> tuple[FuncItem, int, Fact] | None:
        method = info.get_method(name)
        if method is None:
            return None
        node = method if isinstance(method, (FuncDef, Decorator)) else None
        if node is None or (
            isinstance(node, FuncDef) and (node.is_static or node.is_class)
        ):
            return None
        func, fact = self.facts.method(info, name)
        return (func, 1, fact) if func is not None else None

    def error(self, arg: Expression, message: str) -> None:
        if self.report is not None:
            self.report.error(arg, KEY_REUSE, message)


def _generated_key_params(info: TypeInfo, init: FuncItem) -> set[int]:
    """The parameters of a dataclass-generated `__init__` that set a field annotated as a
    key (`key: PRNGKeyArray`, read from the class body as written)."""
    symbol = info.get("__init__")
    if symbol is None or not symbol.plugin_generated:
        return set()
    names: set[str] = set()
    for klass in info.mro:
        for statement in klass.defn.defs.body:
            written = (
                statement.unanalyzed_type
                if isinstance(statement, AssignmentStmt)
                else None
            )
            if (
                isinstance(written, UnboundType)
                and written.name.rpartition(".")[2] in _KEY_ANNOTATIONS
            ):
                assert isinstance(statement, AssignmentStmt)
                names |= {
                    lvalue.name
                    for lvalue in statement.lvalues
                    if isinstance(lvalue, NameExpr)
                }
    return {i for i, name in enumerate(init.arg_names) if name in names}


def _loop_message(tracked: Tracked, how: str, where: str) -> str:
    var = _var(tracked)
    return (
        f'PRNG key "{_shown(tracked)}" is consumed by {how} in every iteration of the {where}, but it is '
        "bound outside the loop and not rebound in it: every iteration draws the same random numbers. "
        f"Split it in the loop (`{var.name}, subkey = jax.random.split({var.name})`) or derive one "
        f"key per step (`jax.random.fold_in({var.name}, step)`)."
    )


def _shown(tracked: Tracked) -> str:
    """`key`, or `keys[0]` for an element of a split."""
    if not isinstance(tracked, tuple):
        return tracked.name
    return (
        f"{tracked[0].name}.{tracked[1]}"
        if isinstance(tracked[1], str)
        else f"{tracked[0].name}[{tracked[1]}]"
    )


def _var(tracked: Tracked) -> Var:
    return tracked[0] if isinstance(tracked, tuple) else tracked


def _element_of_key(tracked: Tracked, state: _State) -> bool:
    return (
        isinstance(tracked, tuple)
        and isinstance(tracked[1], int)
        and tracked[0] in state.keys
    )


def _is_attribute(tracked: Tracked) -> bool:
    return isinstance(tracked, tuple) and isinstance(tracked[1], str)


def _holds_attributes(state: _State) -> bool:
    return any(_is_attribute(t) for t in state.used) or any(
        _is_attribute(t) for t in state.keys
    )


def _forget_attributes(state: _State) -> None:
    for tracked in [t for t in state.used if _is_attribute(t)]:
        del state.used[tracked]
    state.keys = {t for t in state.keys if not _is_attribute(t)}


def _tracked(arg: Expression) -> Tracked | None:
    if isinstance(arg, NameExpr) and isinstance(arg.node, Var):
        return arg.node
    if (
        isinstance(arg, IndexExpr)
        and isinstance(arg.base, NameExpr)
        and isinstance(arg.base.node, Var)
        and isinstance(arg.index, IntExpr)
    ):
        return (arg.base.node, arg.index.value)
    return None


def _argument(call: CallExpr, position: int, name: str | None) -> Expression | None:
    """The argument of `call` for the parameter at `position` (after those filled before) or
    named `name`; None when `*args`/`**kwargs` hide where it lands."""
    index = 0
    for arg, kind, arg_name in zip(call.args, call.arg_kinds, call.arg_names):
        if kind == ARG_POS:
            if index == position:
                return arg
            index += 1
        elif kind == ARG_NAMED:
            if name is not None and arg_name == name:
                return arg
        elif kind in (ARG_STAR, ARG_STAR2):
            return None
    return None


_COMPREHENSIONS = (GeneratorExpr, DictionaryComprehension)


def _conditional_parts(expr: Expression) -> set[int]:
    """ids of the nodes of `expr` that run only under a condition (`a if c else b`,
    the right of `and`/`or`, a comprehension's element and conditions)."""
    found: set[int] = set()
    for node in walk(expr, nested=False):
        parts: list[Node] = []
        if isinstance(node, ConditionalExpr):
            parts = [node.if_expr, node.else_expr]
        elif isinstance(node, OpExpr) and node.op in ("and", "or"):
            parts = [node.right]
        elif isinstance(node, GeneratorExpr):
            parts = [node.left_expr, *(c for conds in node.condlists for c in conds)]
        elif isinstance(node, DictionaryComprehension):
            parts = [
                *_present(node.key),
                node.value,
                *(c for conds in node.condlists for c in conds),
            ]
        for part in parts:
            found.update(id(n) for n in walk(part, nested=False))
    return found


def _comprehension_parts(expr: Expression) -> dict[int, set[Var]]:
    """id of each call run once per item of a comprehension (not under its conditions,
    not in a nested one) -> the variables that comprehension binds."""
    found: dict[int, set[Var]] = {}
    for node in walk(expr, nested=False):
        if isinstance(node, GeneratorExpr):
            elements: list[Node] = [node.left_expr]
            conds = [c for cs in node.condlists for c in cs]
        elif isinstance(node, DictionaryComprehension):
            elements = [*_present(node.key), node.value]
            conds = [c for cs in node.condlists for c in cs]
        else:
            continue
        if conds:
            continue
        bound = {var for index in node.indices for var in _bound_in(index)}
        inner = _conditional_parts_of(elements)
        for element in elements:
            for n in walk(element, nested=False):
                if isinstance(n, CallExpr) and id(n) not in inner:
                    found[id(n)] = bound
    return found


def _conditional_parts_of(nodes: list[Node]) -> set[int]:
    found: set[int] = set()
    for node in nodes:
        if isinstance(node, Expression):
            found |= _conditional_parts(node)
    return found


def _present(node: Expression | None) -> list[Node]:
    return [node] if node is not None else []


def _bound_in(node: Node) -> set[Var]:
    """Variables bound anywhere in `node` (assignments, loop targets, `with ... as`, ...)."""
    found: set[Var] = set()

    def add(target: Node | None) -> None:
        if target is None:
            return
        for n in walk(target):
            if isinstance(n, NameExpr) and isinstance(n.node, Var):
                found.add(n.node)

    if isinstance(node, Expression):
        add(node)
        return found
    for n in walk(node, nested=False):
        if isinstance(n, AssignmentStmt):
            for lvalue in n.lvalues:
                add(lvalue)
        elif isinstance(n, OperatorAssignmentStmt):
            add(n.lvalue)
        elif isinstance(n, AssignmentExpr):
            add(n.target)
        elif isinstance(n, ForStmt):
            add(n.index)
        elif isinstance(n, WithStmt):
            for target in n.target:
                add(target)
        elif isinstance(n, TryStmt):
            for var in n.vars:
                add(var)
        elif isinstance(n, DelStmt):
            add(n.expr)
    return found


def _always_leaves(body: list[Statement]) -> bool:
    """The block ends every run with `break`, `return` or `raise` (a loop body run once)."""
    return any(isinstance(s, (BreakStmt, ReturnStmt, RaiseStmt)) for s in body)


def _unknown_names(nodes: list[Node]) -> set[str]:
    return {
        name
        for n in nodes
        if isinstance(n, (GlobalDecl, NonlocalDecl))
        for name in n.names
    }


def _may_meet_keys(func: FuncItem, params: set[Var]) -> bool:
    """Whether the walk of `func` (no parameter annotated as a key) can meet a key at all.

    A key is known to the walk only from a `jax.random` call, or from a callee that
    consumes an argument; the walk asks a callee only about an argument it follows that
    may be a key, which, before any `jax.random` call, is a parameter (or an element or
    plain attribute of one). A function with neither can report nothing.
    """
    for node in scope_nodes(func):
        if not isinstance(node, CallExpr):
            continue
        if _random_name(node.callee) is not None:
            return True
        for arg in node.args:
            if isinstance(arg, (MemberExpr, IndexExpr)):
                arg = arg.expr if isinstance(arg, MemberExpr) else arg.base
            if isinstance(arg, NameExpr) and arg.node in params:
                return True
    return False


def consumed_params(func: FuncItem, facts: FactSource) -> set[int]:
    """The parameters of `func` that every call consumes as keys, and those annotated as keys."""
    params = [a.variable for a in func.arguments]
    annotated = key_annotated(func)
    nodes = list(scope_nodes(func))
    given = {id(arg) for n in nodes if isinstance(n, CallExpr) for arg in n.args}
    if not any(
        isinstance(n, NameExpr) and n.node in params and id(n) in given for n in nodes
    ):
        return annotated  # no parameter is handed to a call: none is consumed (a cheap first look)
    walker = _Walker(Types(), facts, None, _unknown_names(nodes), params)
    keys: set[Tracked] = {params[i] for i in annotated if i < len(params)}
    state = _State(keys=keys)
    end = walker.block(func.body.body, state, 0)
    exits = walker.exits + ([end] if end is not None else [])
    found = set.intersection(*(s.originals for s in exits)) if exits else set()
    single = [
        i for i, a in enumerate(func.arguments) if a.kind not in (ARG_STAR, ARG_STAR2)
    ]
    return {i for i in single if params[i] in found} | annotated


class KeyReuseRule:
    code = KEY_REUSE

    def watches(self, fullname: str) -> bool:
        parts = fullname.split(".")
        return (
            len(parts) >= 3
            and parts[0] == "jax"
            and "random" in parts[1:-1]
            and parts[-1] in CONSUMERS | MAKERS
        )

    def check(self, file: FileContext) -> None:
        unknown = _unknown_names(file.nodes)
        self._keys: set[Tracked] | None = None
        top = _Walker(file.types, file.facts, file.report, unknown, [])
        top.block(file.tree.defs, _State(), 0)
        for node in file.nodes:
            if isinstance(node, FuncItem) and node.body.body:
                params = [a.variable for a in node.arguments]
                keys: set[Tracked] = {
                    params[i] for i in key_annotated(node) if i < len(params)
                }
                if keys or _may_meet_keys(node, set(params)):
                    walker = _Walker(
                        file.types, file.facts, file.report, unknown, params
                    )
                    walker.block(node.body.body, _State(keys=keys), 0)
        for app in file.applications:
            func = app.function.func
            if (
                app.transform.last in _LOOPS
                and func is not None
                and not app.function.opaque
            ):
                self._loop_body(func, app.transform.name, file, unknown)

    def _loop_body(
        self, func: FuncItem, transform: str, file: FileContext, unknown: set[str]
    ) -> None:
        """The body given to `lax.scan`/`fori_loop`/`while_loop`: a loop over the keys it captures."""
        walker = _Walker(file.types, file.facts, file.report, unknown, [])
        walker.loops.append(
            _Loop(0, local_vars(func), f"function given to {transform}")
        )
        if self._keys is None:
            self._keys = _file_keys(file)
        walker.block(func.body.body, _State(keys=set(self._keys)), 0)


def _file_keys(file: FileContext) -> set[Tracked]:
    """Variables of the file given a key by some assignment, or annotated as keys."""
    found: set[Tracked] = set()
    for node in file.nodes:
        if isinstance(node, AssignmentStmt) and isinstance(node.rvalue, CallExpr):
            if _random_name(node.rvalue.callee) in MAKERS:
                for lvalue in node.lvalues:
                    for n in walk(lvalue):
                        if isinstance(n, NameExpr) and isinstance(n.node, Var):
                            found.add(n.node)
        elif isinstance(node, FuncItem):
            params = [a.variable for a in node.arguments]
            found |= {params[i] for i in key_annotated(node) if i < len(params)}
    return found
