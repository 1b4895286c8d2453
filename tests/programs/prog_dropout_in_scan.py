"""flax#4151: dropout called inside jax.lax.scan. Capturing the module must fail with the fix
in the message; passing it through the carry with px.purecall works and advances its key."""

import jax
import jax.numpy as jnp

import purepax as px


class Dropout(px.StateModule):
    key: jax.Array
    rate: float = px.static(default=0.5)

    def __call__(self, x: jax.Array) -> jax.Array:
        self.key, sub = jax.random.split(self.key)
        keep = jax.random.bernoulli(sub, 1.0 - self.rate, x.shape)
        return jnp.where(keep, x / (1.0 - self.rate), 0.0)


def wrong(drop: Dropout, xs: jax.Array) -> jax.Array:
    @px.pure
    def run(drop: Dropout) -> tuple[Dropout, jax.Array]:
        def body(c: None, x: jax.Array) -> tuple[None, jax.Array]:
            return c, drop(x)  # type: ignore[purepax-closure]  # the bug under test

        _, ys = jax.lax.scan(body, None, xs)
        return drop, ys

    return run(drop)[1]


def right(drop: Dropout, xs: jax.Array) -> tuple[Dropout, jax.Array]:
    def body(d: Dropout, x: jax.Array) -> tuple[Dropout, jax.Array]:
        return px.purecall(d, x)

    return jax.lax.scan(body, drop, xs)


def main() -> None:
    drop = Dropout(jax.random.PRNGKey(0))
    xs = jnp.ones((4, 16))
    try:
        wrong(drop, xs)
    except px.ImmutableModuleError as e:
        msg = str(e)
        assert "Dropout" in msg and "argument" in msg and "purecall" in msg, msg
    else:
        raise AssertionError("mutating a captured module inside scan must fail")

    new, ys = right(drop, xs)
    assert not jnp.array_equal(new.key, drop.key)
    masks = ys != 0
    assert not all(jnp.array_equal(masks[0], m) for m in masks[1:])  # a new mask per step
    new_jit, ys_jit = jax.jit(right)(drop, xs)
    assert jnp.array_equal(ys_jit, ys) and jnp.array_equal(new_jit.key, new.key)
    new_px, ys_px = px.scan(lambda d, x: px.purecall(d, x), drop, xs)
    assert jnp.array_equal(ys_px, ys)


if __name__ == "__main__":
    main()
