"""`purepax-closure`: a function given to a transform that captures a module.

Routes of capture: a free variable (a local of an enclosing function, or a global, or
a module held by such a variable that is not a module itself, like `self.model` of a
plain `Trainer`), a default argument, a `functools.partial` argument, a bound method of
a module, a bound method of a plain object that reads a module through `self`
(`jax.jit(self.evaluate)` in a `Trainer` whose `evaluate` reads `self.model`), a module
itself. Under `jax.jit`, the control-flow transforms and every `px.*` transform any use
is an error (the module's arrays become constants of the compiled program and go
stale); under raw `jax.vmap`/`grad`/`value_and_grad`/`checkpoint` only a captured
module that the function certainly mutates is.
"""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    GDEF,
    LDEF,
    CallExpr,
    Context,
    Expression,
    FuncItem,
    MemberExpr,
    NameExpr,
    RefExpr,
    Var,
)

from ._applications import Application
from ._effects import FactSource, mutations
from ._names import watches_transforms
from ._report import Reporter
from ._rules import FileContext
from ._scopes import local_vars, param_vars
from ._types import Types, holds_module, module_info
from ._walk import dotted, is_global_ref, root_name, walk

FIX = "pass it to the function as an explicit argument (and return it if it changes)"
CLOSURE = ErrorCode(
    "purepax-closure",
    "A function given to a JAX or purepax transform captures a module",
    "purepax",
)


def check(app: Application, types: Types, facts: FactSource, report: Reporter) -> None:
    function, transform = app.function, app.transform
    if function.module is not None:
        _check_bound(app, function.module, function.method, types, facts, report)
    func = function.func
    if function.owner is not None and func is not None:
        _check_plain_bound(app, function.owner, func, types, facts, report)
    name = _name(func) if func is not None else _callee_name(function.expr)
    for index, arg in function.bound:
        info = holds_module(types.of(arg))
        if info is None:
            continue
        params = param_vars(func) if func is not None else []
        if transform.strict or (
            func is not None
            and index < len(params)
            and _mutates(func, {params[index]}, types, facts)
        ):
            report.error(
                arg,
                CLOSURE,
                f'Function "{name}" given to {transform.name} captures module "{dotted(arg)}" '
                f"(a {info.name}) through functools.partial; {_why(transform.strict)} Instead, "
                f"{FIX}.",
            )
    if func is None:
        return
    for argument in func.arguments:
        default = argument.initializer
        info = holds_module(types.of(default)) if default is not None else None
        if default is None or info is None:
            continue
        if transform.strict or _mutates(func, {argument.variable}, types, facts):
            report.error(
                default,
                CLOSURE,
                f'Function "{name}" given to {transform.name} captures module "{dotted(default)}" '
                f'(a {info.name}) as the default value of its parameter "{argument.variable.name}"; '
                f"{_why(transform.strict)} Instead, {FIX}.",
            )
    used_as: dict[int, str] = {}
    captured = _free_modules(func, types, used_as)
    if not captured:
        return
    if transform.strict:
        seen: set[Var] = set()
        for ref, var, module in captured:
            if var in seen:
                continue
            seen.add(var)
            use = used_as.get(id(ref), var.name)
            if (
                holds_module(types.of(ref)) is None
            ):  # `self.model` of a captured plain `self`
                what = f'"{var.name}", which holds module "{use}" ({_a(module)})'
            else:
                used = f", used as {use}" if use != var.name else ""
                what = f'module "{var.name}" ({_a(module)}{used})'
            report.error(
                ref,
                CLOSURE,
                f'Function "{name}" given to {transform.name} captures {what} from {_where(ref)}; '
                f"{_why(True)} Instead, {FIX}.",
            )
        return
    vars_ = {var for _, var, _ in captured}
    nodes = list(walk(func.body))
    for m in mutations(nodes, lambda r: r.node in vars_, types, facts):
        if m.certain:
            # name the variable the user captured; the submodule it reaches comes after
            captured_name = dotted(m.root)
            part = f'its submodule "{m.target}", ' if m.target != captured_name else ""
            report.error(
                m.context,
                CLOSURE,
                f'Function "{name}" given to {transform.name} mutates captured module "{captured_name}" '
                f"({part}{_a(m.module or 'module')}: it {m.how}), which belongs to the enclosing trace. "
                f"Instead, {FIX}.",
            )


def _check_bound(
    app: Application,
    module: Expression,
    method: str | None,
    types: Types,
    facts: FactSource,
    report: Reporter,
) -> None:
    info = module_info(types.of(module))
    if info is None:
        return
    transform = app.transform
    what = (
        f'bound method "{dotted(module)}.{method}"'
        if method
        else f'module "{dotted(module)}"'
    )
    context: Context = (
        app.function.expr if app.function.expr is not None else app.context
    )
    if transform.strict:
        report.error(
            context,
            CLOSURE,
            f"{transform.name} is given the {what} (a {info.name}), which captures the module; "
            f"{_why(True)} Instead, pass a function that takes the module as an explicit argument "
            f"(e.g. `lambda m, x: m{'.' + method if method else ''}(x)`) and return it if it changes.",
        )
        return
    _, fact = facts.method(info, method or "__call__")
    if fact.mutates.get(0):
        report.error(
            context,
            CLOSURE,
            f"{transform.name} is given the {what} (a {info.name}), which mutates the module it "
            "captures, a module of the enclosing trace. Instead, pass a function that takes the "
            "module as an explicit argument, update it with px.purecall inside, and return it.",
        )


def _check_plain_bound(
    app: Application,
    owner: Expression,
    method: FuncItem,
    types: Types,
    facts: FactSource,
    report: Reporter,
) -> None:
    """`jax.jit(trainer.evaluate)`: the method's `self` is `trainer`, captured with every module it holds."""
    params = param_vars(method)
    if not params:
        return
    self_var = params[0]
    transform = app.transform
    bound = f'Bound method "{dotted(owner)}.{method.name}"'
    context: Context = (
        app.function.expr if app.function.expr is not None else app.context
    )
    if not transform.strict:
        nodes = list(walk(method.body))
        certain = [
            m
            for m in mutations(nodes, lambda r: r.node is self_var, types, facts)
            if m.certain
        ]
        if certain:
            m = certain[0]
            report.error(
                context,
                CLOSURE,
                f'{bound} given to {transform.name} mutates module "{_as_owner(m.target, self_var, owner)}" '
                f"({_a(m.module or 'module')}: it {m.how}) of the object it captures, which belongs to the "
                f"enclosing trace. Instead, {FIX}.",
            )
        return
    for node in walk(method.body):
        if not isinstance(node, MemberExpr) or is_global_ref(node):
            continue
        root = root_name(node)
        if not isinstance(root, NameExpr) or root.node is not self_var:
            continue
        info = holds_module(types.of(node))
        if info is not None:
            report.error(
                context,
                CLOSURE,
                f'{bound} given to {transform.name} captures "{dotted(owner)}", which holds module '
                f'"{_as_owner(dotted(node), self_var, owner)}" ({_a(info.name)}) that the method reads; '
                f"{_why(True)} Instead, {FIX}.",
            )
            return


def _as_owner(path: str, self_var: Var, owner: Expression) -> str:
    """`self.model` inside the method, as the caller reaches it: `trainer.model`."""
    if path != self_var.name and not path.startswith(self_var.name + "."):
        return path
    return dotted(owner) + path[len(self_var.name) :]


def _free_modules(
    func: FuncItem, types: Types, used_as: dict[int, str]
) -> list[tuple[RefExpr, Var, str]]:
    """(reference, variable, module class) of each module `func` reads from outside itself.

    The module may be the variable itself, or an attribute of a captured object that is
    not a module (`self.model` of a plain `Trainer`). `used_as` receives, for each
    reference, the attribute chain it starts (`self.counter`).
    """
    own = local_vars(func)
    found: list[tuple[RefExpr, Var, str]] = []
    for node in walk(func.body):
        if isinstance(node, MemberExpr) and not is_global_ref(node):
            root = root_name(node)
            if root is not None and id(root) not in used_as:
                used_as[id(root)] = dotted(node)
            held = _held_module(node, root, own, types)
            if held is not None:
                found.append(held)
            continue
        if isinstance(node, NameExpr):
            if node.kind not in (LDEF, GDEF):
                continue
        elif not (isinstance(node, MemberExpr) and is_global_ref(node)):
            continue
        var = node.node
        if not isinstance(var, Var) or var in own:
            continue
        info = holds_module(types.of(node))
        if info is not None:
            found.append((node, var, info.name))
    return found


def _held_module(
    member: MemberExpr, root: RefExpr | None, own: set[Var], types: Types
) -> tuple[RefExpr, Var, str] | None:
    """`self.model` read from a captured `self` that is not a module itself (a `Trainer`)."""
    if not isinstance(root, NameExpr) or root.kind not in (LDEF, GDEF):
        return None
    var = root.node
    if (
        not isinstance(var, Var)
        or var in own
        or holds_module(types.of(root)) is not None
    ):
        return None
    info = holds_module(types.of(member))
    return (root, var, info.name) if info is not None else None


def _mutates(func: FuncItem, params: set[Var], types: Types, facts: FactSource) -> bool:
    nodes = list(walk(func.body))
    return any(
        m.certain for m in mutations(nodes, lambda r: r.node in params, types, facts)
    )


def _a(noun: str) -> str:
    """`noun` with its indefinite article: "a Linear", "an Encoder"."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _callee_name(expr: Expression | None) -> str:
    """`f` for `functools.partial(f, ...)` (a function whose body the plugin cannot see)."""
    while isinstance(expr, CallExpr) and expr.args:
        expr = expr.args[0]
    return dotted(expr) if expr is not None else "<function>"


def _name(func: FuncItem) -> str:
    return "<lambda>" if func.name == "<lambda>" else func.name


def _where(ref: RefExpr) -> str:
    if isinstance(ref, NameExpr) and ref.kind == LDEF:
        return "an enclosing function"
    return "a global"


def _why(strict: bool) -> str:
    if strict:
        return "its arrays would be baked into the compiled program as constants and go stale."
    return "a captured module belongs to the enclosing trace."


class ClosureRule:
    code = CLOSURE

    def watches(self, fullname: str) -> bool:
        return watches_transforms(fullname)

    def check(self, file: FileContext) -> None:
        for app in file.applications:
            check(app, file.types, file.facts, file.report)
