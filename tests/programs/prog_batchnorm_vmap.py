"""A stateful BatchNorm under jax.vmap with axis_name (per-example code, batch statistics
by lax.pmean), updated through px.pure; eval mode uses the running statistics."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class BatchNorm(px.Module):
    scale: Float[Array, " c"]
    bias: Float[Array, " c"]
    mean: Float[Array, " c"] = px.state()
    var: Float[Array, " c"] = px.state()
    momentum: float = px.static(default=0.9)

    def __call__(self, x: Float[Array, " c"]) -> Float[Array, " c"]:
        if self.training:
            mean = jax.lax.pmean(x, "batch")
            var = jax.lax.pmean((x - mean) ** 2, "batch")
            m = self.momentum
            self.mean = m * self.mean + (1 - m) * mean
            self.var = m * self.var + (1 - m) * var
        else:
            mean, var = self.mean, self.var
        return (x - mean) / jnp.sqrt(var + 1e-5) * self.scale + self.bias


def make(c: int) -> BatchNorm:
    return BatchNorm(jnp.ones(c), jnp.zeros(c), jnp.zeros(c), jnp.ones(c))


@px.jit
def train_forward(bn: BatchNorm, xs: jax.Array) -> tuple[BatchNorm, jax.Array]:
    def one(bn: BatchNorm, x: jax.Array) -> tuple[BatchNorm, jax.Array]:
        return px.purecall(bn, x)

    bns, ys = jax.vmap(one, in_axes=(None, 0), out_axes=(None, 0), axis_name="batch")(bn, xs)
    return bns, ys


def main() -> None:
    xs = 3.0 + 2.0 * jax.random.normal(jax.random.PRNGKey(0), (256, 4))
    bn = make(4)
    for _ in range(60):
        bn, ys = train_forward(bn, xs)
    assert jnp.allclose(ys.mean(0), 0.0, atol=1e-4) and jnp.allclose(ys.std(0), 1.0, atol=1e-2)
    assert jnp.allclose(bn.mean, xs.mean(0), atol=1e-2), (bn.mean, xs.mean(0))
    assert jnp.allclose(bn.var, xs.var(0), rtol=2e-2)
    assert px.parameters(bn).mean is None

    test = px.eval_mode(bn)
    y_eval = jax.vmap(test)(xs[:5])  # read-only in eval mode: a plain vmap
    ref = (xs[:5] - bn.mean) / jnp.sqrt(bn.var + 1e-5)
    assert jnp.allclose(y_eval, ref, atol=1e-5)


if __name__ == "__main__":
    main()
