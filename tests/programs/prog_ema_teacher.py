"""A student trained by px.grad and an EMA teacher copy kept as px.state(), updated in a jitted step."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Linear(px.Module):
    weight: Float[Array, "i o"]
    bias: Float[Array, " o"]

    def __init__(self, i: int, o: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (i, o)) / i**0.5
        self.bias = jnp.zeros((o,))

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.weight + self.bias


class Trainer(px.StateModule):
    student: Linear
    teacher: Linear = px.state()
    step: Int[Array, ""] = px.state(default_factory=lambda: jnp.array(0))
    decay: float = px.static(default=0.9)

    def update_teacher(self) -> None:
        d = self.decay
        self.teacher = jax.tree.map(lambda t, s: d * t + (1 - d) * s, self.teacher, self.student)
        self.step = self.step + 1


def loss_fn(t: Trainer, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((t.student(x) - y) ** 2)


@px.jit
def train_step(t: Trainer, x: jax.Array, y: jax.Array) -> tuple[Trainer, jax.Array]:
    loss, g = px.value_and_grad(loss_fn)(t, x, y)
    new_params = jax.tree.map(lambda p, d: p - 0.1 * d, px.parameters(t), g)
    t = px.update_parameters(t, new_params)
    t, _ = px.purecall(t.update_teacher)
    return t, loss


def main() -> None:
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    student = Linear(3, 2, key=k1)
    t = Trainer(student, jax.tree.map(jnp.copy, student))
    assert px.parameters(t).teacher.weight is None
    assert px.parameters(t).student.weight is not None
    x = jax.random.normal(k2, (32, 3))
    y = x @ jax.random.normal(k3, (3, 2))
    teacher0 = t.teacher.weight
    grads = px.grad(loss_fn)(t, x, y)
    assert grads.teacher.weight is None and grads.student.weight is not None
    for _ in range(50):
        t, loss = train_step(t, x, y)
    assert int(t.step) == 50
    assert not jnp.allclose(t.teacher.weight, teacher0)
    assert float(loss_fn(t, x, y)) < 0.1 * float(jnp.mean(y**2))
    # the teacher lags the student
    dist = float(jnp.abs(t.teacher.weight - t.student.weight).max())
    assert 0 < dist < 1.0, dist


if __name__ == "__main__":
    main()
