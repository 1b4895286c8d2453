"""A Trainer class as Flax NNX and Equinox tutorials write one, with an EMA teacher.

The Trainer (a plain Python object) holds the student, its EMA teacher, the optimizer and
the hyperparameters. Its jitted step is made in `__init__` from a bound method,
`px.jit(self._train_step)`, and its evaluation from a lambda: both read only
hyperparameters from `self` (`self.decay`, `self.l2`, `self.scale`) and take the models
and the optimizer as arguments, returning what changes. `fit` stores what the step
returns, so `evaluate` sees the trained weights.

Then the notebook's setup cell is run again with a wider model: a new Trainer builds a
new optimizer for it, while the old optimizer refuses the wider model with
`px.ModelMismatchError` (naming the first parameter whose shape differs).
"""

import jax
import jax.numpy as jnp
import optax  # type: ignore[import-untyped]  # optax 0.2.8 ships no py.typed
from jaxtyping import Array, Float, PRNGKeyArray

import purepax as px
from purepax import nn
from purepax.optim import Optimizer


class MLP(px.Module):
    hidden: nn.Linear
    out: nn.Linear

    def __init__(self, width: int, *, key: PRNGKeyArray) -> None:
        k1, k2 = jax.random.split(key)
        self.hidden = nn.Linear(2, width, key=k1)
        self.out = nn.Linear(width, 1, key=k2)

    def __call__(self, x: Float[Array, "b 2"]) -> Float[Array, "b 1"]:
        return self.out(jnp.tanh(self.hidden(x)))


def ema(teacher: MLP, student: MLP, decay: float) -> MLP:
    return jax.tree.map(lambda t, s: decay * t + (1 - decay) * s, teacher, student)


class Trainer:
    def __init__(self, model: MLP, *, lr: float = 0.05, decay: float = 0.9, l2: float = 1e-4) -> None:
        self.student = model
        self.teacher = jax.tree.map(jnp.copy, model)
        self.optimizer = Optimizer(optax.adam(lr), model)
        self.decay = decay
        self.l2 = l2
        self.scale = 1.0
        self.history: list[float] = []
        self._step = px.jit(self._train_step)
        self._mse = px.jit(lambda m, x, y: self.scale * jnp.mean((m(x) - y) ** 2))

    def _loss(self, model: MLP, x: jax.Array, y: jax.Array) -> jax.Array:
        penalty = sum(jnp.sum(w**2) for w in (model.hidden.weight, model.out.weight))
        return jnp.mean((model(x) - y) ** 2) + self.l2 * penalty

    def _train_step(
        self, student: MLP, teacher: MLP, optimizer: Optimizer, x: jax.Array, y: jax.Array
    ) -> tuple[MLP, MLP, Optimizer, jax.Array]:
        loss, grads = px.value_and_grad(self._loss)(student, x, y)
        student, optimizer = optimizer.apply_gradients(student, grads)
        return student, ema(teacher, student, self.decay), optimizer, loss

    def fit(self, x: jax.Array, y: jax.Array, steps: int) -> None:
        for _ in range(steps):
            self.student, self.teacher, self.optimizer, loss = self._step(
                self.student, self.teacher, self.optimizer, x, y
            )
            self.history.append(float(loss))

    def evaluate(self, x: jax.Array, y: jax.Array) -> tuple[float, float]:
        return float(self._mse(self.student, x, y)), float(self._mse(self.teacher, x, y))


def make_data(key: PRNGKeyArray) -> tuple[jax.Array, jax.Array]:
    x = jax.random.uniform(key, (64, 2), minval=-1.0, maxval=1.0)
    return x, jnp.sin(2 * x[:, :1]) * x[:, 1:]


def main() -> None:
    x, y = make_data(jax.random.key(0))

    # Cell 1: a narrow model.
    trainer = Trainer(MLP(8, key=jax.random.key(1)))
    before_student, before_teacher = trainer.evaluate(x, y)
    assert before_student == before_teacher  # the teacher starts as a copy
    trainer.fit(x, y, 150)
    student, teacher = trainer.evaluate(x, y)
    assert trainer.history[-1] < 0.2 * trainer.history[0], (trainer.history[0], trainer.history[-1])
    assert student < 0.2 * before_student, (before_student, student)  # evaluate sees the trained student
    assert teacher < 0.5 * before_teacher, (before_teacher, teacher)  # and the teacher that followed it
    assert not jnp.array_equal(trainer.teacher.hidden.weight, trainer.student.hidden.weight)
    old_optimizer = trainer.optimizer

    # Cell 1 again, wider: the new Trainer builds the optimizer for the new model.
    trainer = Trainer(MLP(16, key=jax.random.key(2)))
    trainer.fit(x, y, 150)
    assert trainer.history[-1] < 0.2 * trainer.history[0], (trainer.history[0], trainer.history[-1])
    assert trainer.optimizer.state[0].mu.hidden.weight.shape == (2, 16)

    # The optimizer of the narrow model refuses the wide one when the step is traced,
    # naming the parameter.
    try:
        trainer._step(trainer.student, trainer.teacher, old_optimizer, x, y)
    except px.ModelMismatchError as error:
        assert "hidden.weight" in str(error) and "Optimizer(tx, model)" in str(error), error
        assert isinstance(error, px.PurepaxError)
    else:
        raise AssertionError("an optimizer stepped a model it was not built for")


if __name__ == "__main__":
    main()
