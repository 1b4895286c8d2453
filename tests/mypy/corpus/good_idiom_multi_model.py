"""Actor and critic: gradients of a tuple and a dict of modules, a soft target-network
update with jax.tree.map (Polyak averaging), the target read inside the loss as an argument."""

# runtime: ok
import jax
import jax.numpy as jnp

import purepax as px
from corpus_defs import Linear


def critic_loss(models: tuple[Linear, Linear], target: Linear, obs, reward):
    actor, critic = models
    q = critic(obs + actor(obs))
    q_next = jax.lax.stop_gradient(target(obs))
    return jnp.mean((q - (reward + 0.9 * q_next)) ** 2)


def polyak(target: Linear, online: Linear, tau=0.01) -> Linear:
    return jax.tree.map(lambda t, o: (1 - tau) * t + tau * o, target, online)


@jax.jit
def update(actor: Linear, critic: Linear, target: Linear, obs, reward):
    g_actor, g_critic = px.grad(critic_loss)((actor, critic), target, obs, reward)
    critic = px.update_parameters(critic, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(critic), g_critic))
    actor = px.update_parameters(actor, jax.tree.map(lambda p, g: p - 0.1 * g, px.parameters(actor), g_actor))
    return actor, critic, polyak(target, critic)


def dict_loss(models, obs):
    return jnp.sum(models["enc"](obs)) + jnp.sum(models["dec"](obs))


keys = jax.random.split(jax.random.PRNGKey(0), 3)
actor, critic = Linear(2, 2, key=keys[0]), Linear(2, 2, key=keys[1])
target = critic
obs, reward = jnp.ones((4, 2)), jnp.ones((4, 2))
for _ in range(2):
    actor, critic, target = update(actor, critic, target, obs, reward)
grads = px.grad(dict_loss)({"enc": actor, "dec": critic}, obs)
assert set(grads) == {"enc", "dec"}
