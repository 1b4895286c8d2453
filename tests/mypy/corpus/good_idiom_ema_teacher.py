"""EMA teacher: a `px.state()` copy of the student, updated with jax.tree.map in a jitted
step and by a method called through px.purecall; the teacher is read, never captured."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


class MLP(px.Module):
    l1: Linear
    l2: Linear

    def __init__(self, *, key):
        k1, k2 = jax.random.split(key)
        self.l1 = Linear(2, 4, key=k1)
        self.l2 = Linear(4, 2, key=k2)

    def __call__(self, x):
        return self.l2(jnp.tanh(self.l1(x)))


class SelfDistill(px.Module):
    student: MLP
    teacher: MLP = px.state()
    decay: float = px.static(default=0.9)

    def __init__(self, *, key):
        self.student = MLP(key=key)
        self.teacher = MLP(key=key)  # type: ignore[purepax-key-reuse]  # starts as the student

    def __call__(self, x):
        return self.student(x)

    def update_teacher(self):
        self.teacher = jax.tree.map(lambda t, s: self.decay * t + (1 - self.decay) * s, self.teacher, self.student)


def ema(teacher: MLP, student: MLP, decay=0.99) -> MLP:
    return jax.tree.map(lambda t, s: decay * t + (1 - decay) * s, teacher, student)


def distill_loss(student: MLP, teacher: MLP, x):
    target = jax.lax.stop_gradient(teacher(x))
    return jnp.mean((student(x) - target) ** 2)


@jax.jit
def step(student: MLP, teacher: MLP, x):
    grads = px.grad(distill_loss)(student, teacher, x)
    student = px.update_parameters(
        student, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(student), grads)
    )
    teacher = ema(teacher, student)
    return student, teacher


@px.jit
def step_in_module(model: SelfDistill, x):
    loss, grads = px.value_and_grad(lambda m, x: jnp.mean((m(x) - m.teacher(x)) ** 2))(model, x)
    model = px.update_parameters(model, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(model), grads))
    model, _ = px.purecall(model.update_teacher)
    return model, loss


key = jax.random.PRNGKey(0)
student, teacher = MLP(key=key), MLP(key=jax.random.PRNGKey(1))
x = jnp.ones((8, 2))
for _ in range(3):
    student, teacher = step(student, teacher, x)
model = SelfDistill(key=jax.random.PRNGKey(2))
for _ in range(2):
    model, loss = step_in_module(model, x)
assert model.teacher.l1.weight.shape == (2, 4)
