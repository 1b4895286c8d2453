"""The transforms keep the wrapped function's signature for mypy (whole program, strict)."""

from __future__ import annotations

import textwrap

from _checkers import check_mypy_snippet, revealed_type

PROGRAM = textwrap.dedent(
    """
    import jax
    import jax.numpy as jnp
    import purepax as px


    class Scale(px.Module):
        factor: jax.Array

        @px.jit
        def __call__(self, x: jax.Array) -> jax.Array:
            return self.factor * x


    def loss(model: Scale, x: jax.Array) -> jax.Array:
        return jnp.sum(model(x))


    def loss_aux(model: Scale, x: jax.Array) -> tuple[jax.Array, str]:
        return jnp.sum(model(x)), "aux"


    @px.jit(static_argnames="n")
    def repeat(x: jax.Array, n: int) -> jax.Array:
        return x * n


    model = Scale(jnp.ones(()))
    reveal_type(model(jnp.ones(2)))
    reveal_type(px.grad(loss)(model, jnp.ones(2)))
    reveal_type(px.grad(loss_aux, has_aux=True)(model, jnp.ones(2)))
    reveal_type(px.value_and_grad(loss)(model, jnp.ones(2)))
    reveal_type(px.vmap(loss, in_axes=(None, 0)))
    reveal_type(px.remat(loss))
    reveal_type(px.scan(lambda c, x: (c, x), model, jnp.ones(3)))
    repeat(jnp.ones(2), n="two")
    """
)


def test_signatures_survive_the_transforms(tmp_path):
    findings = check_mypy_snippet(PROGRAM, tmp_path, "--strict")
    output = "\n".join(
        f"{f.line}: {f.severity}: {f.message}  [{f.code}]" for f in findings
    )
    revealed = [
        t.replace("jax._src.basearray.Array", "Array")
        for f in findings
        if (t := revealed_type(f)) is not None
    ]
    assert revealed == [
        "Array",
        "program.Scale",
        "tuple[program.Scale, str]",
        "tuple[Array, program.Scale]",
        "def (model: program.Scale, x: Array) -> Array",
        "def (model: program.Scale, x: Array) -> Array",
        "tuple[program.Scale, Any]",  # the lambda's output type is not inferred
    ], output
    errors = [f.message for f in findings if f.severity == "error"]
    assert (
        len(errors) == 1 and 'incompatible type "str"; expected "int"' in errors[0]
    ), output
