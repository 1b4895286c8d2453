"""A model captured by a jitted function: px.jit refuses it (the arrays would be baked in as
constants and go stale); raw jax.jit is the escape hatch and does bake them in."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.weight


def main() -> None:
    model = Linear(jnp.eye(2))
    x = jnp.ones((1, 2))

    def predict(x: jax.Array) -> jax.Array:
        return model(x)  # type: ignore[purepax-closure]  # the bug under test

    try:
        px.jit(predict)(x)
    except px.ClosureCaptureError as e:
        msg = str(e)
        assert "model" in msg and "argument" in msg, msg
    else:
        raise AssertionError("px.jit must refuse a closure over a module")

    baked = jax.jit(predict)  # the documented escape hatch (the plugin reports predict once, above)
    assert jnp.allclose(baked(x), 1.0)

    # the fix: pass the model as an argument
    @px.jit
    def predict_fixed(model: Linear, x: jax.Array) -> jax.Array:
        return model(x)

    assert jnp.allclose(predict_fixed(model, x), 1.0)
    doubled = px.replace(model, weight=2 * model.weight)
    assert jnp.allclose(predict_fixed(doubled, x), 2.0)


if __name__ == "__main__":
    main()
