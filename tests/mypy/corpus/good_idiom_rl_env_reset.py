"""An RL rollout: the environment state is a module carried through jax.lax.scan with the
policy; finished episodes are reset with jax.tree.map, the policy only read."""

# runtime: ok
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

import purepax as px
from corpus_defs import Linear


class EnvState(px.StateModule):
    pos: Float[Array, " n"]
    t: Int[Array, " n"]

    def step(self, action):
        self.pos = self.pos + action
        self.t = self.t + 1
        done = self.t >= 3
        return -jnp.abs(self.pos), done


class Policy(px.Module):
    head: Linear

    def __init__(self, *, key):
        self.head = Linear(1, 1, key=key)

    def __call__(self, obs):
        return jnp.tanh(self.head(obs[:, None]))[:, 0]


def reset(n) -> EnvState:
    return EnvState(jnp.zeros(n), jnp.zeros(n, jnp.int32))


def rollout(policy: Policy, env: EnvState, steps: int):
    def body(carry, _):
        policy, env = carry
        action = policy(env.pos)
        env, (reward, done) = px.purecall(env.step, action)
        fresh = reset(env.pos.shape[0])
        env = jax.tree.map(lambda new, old: jnp.where(done, new, old), fresh, env)
        return (policy, env), reward

    (policy, env), rewards = jax.lax.scan(body, (policy, env), None, length=steps)
    return env, rewards


policy = Policy(key=jax.random.PRNGKey(0))
env, rewards = jax.jit(rollout, static_argnums=2)(policy, reset(4), 5)
assert rewards.shape == (5, 4) and int(env.t.max()) <= 3
