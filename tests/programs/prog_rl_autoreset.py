"""A gymnax-style environment whose state is a module, stepped in px.scan through px.pure,
with the auto-reset `jax.tree.map(lambda a, b: jnp.where(done, a, b), fresh, env)`."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px


class Walk(px.StateModule):
    pos: Float[Array, ""]
    t: Int[Array, ""]
    episodes: Int[Array, ""]
    horizon: int = px.static(default=4)

    @staticmethod
    def fresh(episodes: jax.Array) -> "Walk":
        return Walk(jnp.array(0.0), jnp.array(0), episodes)


@px.pure
def step(env: Walk, action: jax.Array) -> tuple[Walk, tuple[jax.Array, jax.Array]]:
    env.pos = env.pos + action
    env.t = env.t + 1
    done = env.t >= env.horizon
    reward = -jnp.abs(env.pos)
    fresh = Walk.fresh(env.episodes + 1)
    env = jax.tree.map(lambda a, b: jnp.where(done, a, b), fresh, env)
    return env, (reward, done)


def rollout(env: Walk, actions: jax.Array) -> tuple[Walk, tuple[jax.Array, jax.Array]]:
    return px.scan(step, env, actions)


def main() -> None:
    env = Walk.fresh(jnp.array(0))
    actions = jnp.ones(10)
    env2, (rewards, dones) = rollout(env, actions)
    assert int(env.t) == 0  # the caller's env is unchanged
    assert dones.tolist() == [False, False, False, True] * 2 + [False, False]
    assert int(env2.episodes) == 2 and int(env2.t) == 2 and float(env2.pos) == 2.0
    assert jnp.allclose(rewards, -jnp.array([1, 2, 3, 4, 1, 2, 3, 4, 1, 2.0]))

    env3, out = jax.jit(rollout)(env, actions)
    assert jnp.array_equal(out[0], rewards) and int(env3.episodes) == 2

    # batched environments: vmap over a batch of states
    envs = jax.vmap(Walk.fresh)(jnp.arange(3))
    envs2, (r, d) = jax.vmap(rollout)(envs, jnp.ones((3, 5)))
    assert envs2.episodes.tolist() == [1, 2, 3] and r.shape == (3, 5)


if __name__ == "__main__":
    main()
