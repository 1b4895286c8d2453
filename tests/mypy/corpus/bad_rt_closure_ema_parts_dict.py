"""An EMA teacher kept beside the student in a dict; the distillation loss, differentiated
with px.grad, takes the student but reads the teacher from the captured dict."""

# runtime: ClosureCaptureError
import jax
import jax.numpy as jnp

import purepax as px
from purepax import nn

key_s, key_t = jax.random.split(jax.random.key(0))
parts = {"student": nn.Linear(3, 2, key=key_s), "teacher": nn.Linear(3, 2, key=key_t)}


def distill(student, x):
    return jnp.mean((student(x) - jax.lax.stop_gradient(parts["teacher"](x))) ** 2)  # E: purepax-closure


grads = px.grad(distill)(parts["student"], jnp.ones((4, 3)))
