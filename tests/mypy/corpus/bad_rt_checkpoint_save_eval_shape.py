"""Resumable training: the abstract target from jax.eval_shape (for px.load) is saved in
place of the trained model, over the last good checkpoint. Only the runtime sees this."""

# runtime: CheckpointError
import os
import tempfile

import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn


def make_model():
    return nn.Linear(4, 2, key=jax.random.key(0))


with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "last.ckpt")
    px.save(path, make_model())

    target = jax.eval_shape(make_model)  # shapes only: nothing is initialised twice
    model = px.load(path, like=target)
    model = px.replace(model, bias=model.bias + 1.0)  # a step of training
    px.save(path, target)
