"""Actor-critic on a one-step bandit: px.value_and_grad over the tuple (actor, critic)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

import purepax as px


class Actor(px.Module):
    logits: Float[Array, " a"]

    def __call__(self) -> jax.Array:
        return jax.nn.log_softmax(self.logits)


class Critic(px.Module):
    value: Float[Array, ""]


REWARDS = jnp.array([0.0, 1.0, 0.2])


def loss_fn(ac: tuple[Actor, Critic], actions: jax.Array) -> tuple[jax.Array, jax.Array]:
    actor, critic = ac
    r = REWARDS[actions]
    advantage = jax.lax.stop_gradient(r - critic.value)
    policy_loss = -jnp.mean(actor()[actions] * advantage)
    value_loss = jnp.mean((r - critic.value) ** 2)
    return policy_loss + value_loss, jnp.mean(r)


@px.jit
def step(actor: Actor, critic: Critic, key: jax.Array) -> tuple[Actor, Critic, jax.Array]:
    actions = jax.random.categorical(key, actor.logits, shape=(64,))
    (_, ret), (ga, gc) = px.value_and_grad(loss_fn, has_aux=True)((actor, critic), actions)
    actor = jax.tree.map(lambda p, g: p - 0.5 * g, actor, ga)
    critic = jax.tree.map(lambda p, g: p - 0.1 * g, critic, gc)
    return actor, critic, ret


def main() -> None:
    actor, critic = Actor(jnp.zeros(3)), Critic(jnp.array(0.0))
    grads = px.grad(lambda ac, a: loss_fn(ac, a)[0])((actor, critic), jnp.array([1, 1, 2]))
    assert isinstance(grads, tuple) and isinstance(grads[0], Actor) and isinstance(grads[1], Critic)
    assert grads[0].logits.shape == (3,) and float(grads[1].value) < 0

    keys = jax.random.split(jax.random.PRNGKey(0), 60)
    returns = []
    for k in keys:
        actor, critic, ret = step(actor, critic, k)
        returns.append(float(ret))
    assert int(jnp.argmax(actor.logits)) == 1, actor.logits
    assert sum(returns[-10:]) > sum(returns[:10])
    assert abs(float(critic.value) - returns[-1]) < 0.3


if __name__ == "__main__":
    main()
