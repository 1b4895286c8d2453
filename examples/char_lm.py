"""Train a small GPT-style character language model with purepax, on text every machine has.

The text is Python's own standard library source, found through `sysconfig` (nothing is
downloaded); `--data PATH` trains on any text file instead. The model reads bytes (a
vocabulary of 256) and is built only from `purepax.nn` layers: an embedding, a stack of
pre-norm transformer blocks (causal multi-head attention and an MLP, dropout inside) held in
a `px.Stacked` so that one block is traced instead of `--layers`, and a linear head. It is
trained with `purepax.optim.Optimizer` (optax AdamW, warm-up then cosine decay, gradient
clipping) in one `px.jit` step that takes and returns the model and the optimizer.
`--rotary` gives the attention layers rotary positions (RoFormer) instead of a learned
position embedding. The sample is generated through the attention layers' key-value
caches (`nn.init_cache`) in one compiled loop, at `--temperature` among the `--top-k`
likeliest bytes (docs/generation.md).

What a training script should do, it does: a progress bar (step, loss from the first
step on, tokens/s, ETA); every `--save-every` steps an atomic checkpoint of model, optimizer
and step in `--out` (batch `i` is a pure function of `(seed, i)`, so the step is the data
position); one strict JSON line per logged step in `OUT/metrics.jsonl`; `--resume`
continues exactly where the checkpoint stopped (also after `kill -9`); at the end a
generated sample (also in `OUT/sample.txt`) and `OUT/loss.png`. `--eval-only` loads the
checkpoint and prints the held-out loss and a sample.

It never loses a run: a new run into a folder that holds one is refused (`--resume`
continues it, `--overwrite` starts afresh there). A command that cannot work (a bad
value, a missing or too short text, options that contradict the run's, a damaged
checkpoint) is refused in one line, exit status 2 for a usage error and 1 for a failure,
before anything is written; a loss that turns NaN or infinite stops training, and the
last checkpoint stays as it was.

    python examples/char_lm.py                       # about 3 minutes on 2 CPU cores
    python examples/char_lm.py --resume --steps 3000 # continue the same run further
    python examples/char_lm.py --eval-only
    python examples/char_lm.py --overwrite           # start afresh in runs/char_lm

Many devices, many processes (docs/sharding.md): `--mesh data=2,model=4` trains data- and
tensor-parallel over a mesh of all devices (the layers take `sharding=` choices; optimizer
state follows its parameters); `--devices 8` forces 8 CPU devices on one machine, and
`--processes 2` starts two local workers joined by `jax.distributed` (coordinator on
127.0.0.1, CPU collectives over gloo), each feeding its half of every batch:

    python examples/char_lm.py --mesh data=2,model=4 --devices 8 --processes 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

PROG = Path(__file__).name
# Model and optimizer settings: saved with the run (OUT/config.json), reused by --resume.
MODEL_OPTIONS = ("context", "dim", "heads", "layers", "dropout", "rotary")
RUN_OPTIONS = (*MODEL_OPTIONS, "batch", "seed", "lr", "warmup", "decay_steps", "data")
# What a run writes in --out: any of them there means that the folder holds a run.
RUN_FILES = ("checkpoint.px", "config.json", "metrics.jsonl", "loss.png", "sample.txt")


# --- the command line (read before JAX starts, so that a usage error comes at once) ---


def usage_error(message: str) -> NoReturn:
    """Options that cannot work: one line, and exit status 2 as argparse's own errors."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(2)


def fail(message: str) -> NoReturn:
    """A run that cannot go on (a damaged checkpoint, a diverged loss): one line, exit status 1."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(1)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: the usage is what --help is for."""

    def error(self, message: str) -> NoReturn:
        usage_error(f"{message} (--help lists the options)")


def whole_number(least: int, most: int | None = None) -> Callable[[str], int]:
    """An option's type: a whole number, at least `least` (and at most `most`)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number"
            ) from None
        if value < least or (most is not None and value > most):
            allowed = (
                f"of {least} or more" if most is None else f"from {least} to {most}"
            )
            raise argparse.ArgumentTypeError(
                f"{value} is out of range: give a whole number {allowed}"
            )
        return value

    return parse


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def positive_number(text: str) -> float:
    """An option's type: a finite number above 0."""
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range: give a number above 0"
        )
    return value


def temperature(text: str) -> float:
    """An option's type: a finite number of 0 or more (0: always the likeliest byte)."""
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range: give a number of 0 or more"
        )
    return value


def rate(text: str) -> float:
    """An option's type: a probability below 1 (a dropout rate of 1 would drop everything)."""
    value = _finite(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range: give a number from 0 up to (not including) 1"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog=PROG,
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--steps",
        type=whole_number(1),
        default=1200,
        metavar="N",
        help="train until this step (the total, also with --resume)",
    )
    p.add_argument(
        "--batch",
        type=whole_number(1),
        default=32,
        metavar="N",
        help="sequences in each step's batch",
    )
    p.add_argument(
        "--seed",
        type=whole_number(0, 2**31 - 1),
        default=0,
        metavar="N",
        help="seed of the initial model, the batches, dropout and the sample",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("runs/char_lm"),
        metavar="DIR",
        help=f"the run's folder, for {', '.join(RUN_FILES)}",
    )
    p.add_argument(
        "--save-every",
        type=whole_number(1),
        default=250,
        metavar="N",
        help="save a checkpoint every N steps (and at the end)",
    )
    p.add_argument(
        "--log-every",
        type=whole_number(1),
        default=25,
        metavar="N",
        help="a line of metrics.jsonl every N steps (and at the end)",
    )
    p.add_argument(
        "--eval-every",
        type=whole_number(1),
        default=250,
        metavar="N",
        help="held-out loss every N steps (and at the end)",
    )
    p.add_argument(
        "--sample-length",
        type=whole_number(0),
        default=300,
        metavar="N",
        help="bytes generated after the prompt at the end (also into sample.txt)",
    )
    p.add_argument(
        "--temperature",
        type=temperature,
        default=0.8,
        metavar="T",
        help="sampling temperature: below 1 sharpens, above 1 flattens, 0 takes the likeliest byte",
    )
    p.add_argument(
        "--top-k",
        type=whole_number(1, 256),
        default=None,
        metavar="K",
        help="sample only among the K likeliest bytes; None: among all 256",
    )
    p.add_argument(
        "--data",
        type=str,
        default=None,
        metavar="PATH",
        help="a text file to train on; None: Python's own standard library sources",
    )
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out from its checkpoint",
    )
    start.add_argument(
        "--overwrite",
        action="store_true",
        help="start a new run in --out, deleting the run there (its checkpoint and metrics)",
    )
    start.add_argument(
        "--eval-only",
        action="store_true",
        help="load the checkpoint in --out, print the held-out loss and a sample",
    )
    g = p.add_argument_group(
        "model and optimizer (a new run's; --resume and --eval-only take the run's own)"
    )
    g.add_argument(
        "--context",
        type=whole_number(1),
        default=64,
        metavar="N",
        help="bytes the model sees at once",
    )
    g.add_argument(
        "--dim",
        type=whole_number(1),
        default=128,
        metavar="N",
        help="width of the embeddings and blocks",
    )
    g.add_argument(
        "--heads",
        type=whole_number(1),
        default=4,
        metavar="N",
        help="attention heads (must divide --dim)",
    )
    g.add_argument(
        "--layers",
        type=whole_number(1),
        default=3,
        metavar="N",
        help="transformer blocks",
    )
    g.add_argument(
        "--dropout",
        type=rate,
        default=0.1,
        metavar="P",
        help="dropout rate inside the blocks",
    )
    g.add_argument(
        "--rotary",
        action="store_true",
        help="rotary positions (RoFormer) in the attention layers instead of a learned position embedding",
    )
    g.add_argument(
        "--lr",
        type=positive_number,
        default=2e-3,
        metavar="X",
        help="peak learning rate of AdamW",
    )
    g.add_argument(
        "--warmup",
        type=whole_number(0),
        default=100,
        metavar="N",
        help="steps of linear warm-up from 0 to --lr",
    )
    g.add_argument(
        "--decay-steps",
        type=whole_number(0),
        default=1200,
        metavar="N",
        help="length of the cosine decay to --lr/10 (independent of --steps)",
    )
    d = p.add_argument_group("many devices and processes (docs/sharding.md)")
    d.add_argument(
        "--mesh",
        type=str,
        default=None,
        metavar="AXES",
        help='axes of a mesh over all devices, e.g. "data=2,model=4" (data- and tensor-parallel); '
        "None: one device (data-parallel over all of them with --processes)",
    )
    d.add_argument(
        "--devices",
        type=whole_number(1),
        default=None,
        metavar="N",
        help="force N CPU devices (in all processes together); None: the devices JAX finds",
    )
    d.add_argument(
        "--processes",
        type=whole_number(1),
        default=1,
        metavar="N",
        help="start N local processes joined by jax.distributed",
    )
    d.add_argument(
        "--process-id", type=int, default=None, help=argparse.SUPPRESS
    )  # set for the workers
    d.add_argument("--coordinator", type=str, default=None, help=argparse.SUPPRESS)
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The options, each checked on its own (what needs the run's folder is checked later)."""
    args = build_parser().parse_args(argv)
    for option, value in (("--out", args.out), ("--data", args.data)):
        if str(value) in ("", "."):
            usage_error(f"{option} is empty; give a path.")
    if args.devices is not None and args.devices % args.processes:
        usage_error(
            f"--devices {args.devices} must be a multiple of --processes {args.processes} "
            "(each process gets as many devices)"
        )
    return args


def given_options(argv: list[str]) -> set[str]:
    """The run options (`RUN_OPTIONS`) that `argv` names, whatever their values."""
    parser = build_parser()
    parser.set_defaults(**dict.fromkeys(RUN_OPTIONS))
    named = parser.parse_args(argv)
    return {name for name in RUN_OPTIONS if getattr(named, name) is not None}


# --- the run's folder and text (checked before anything is written) -------------------


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")


def check_out(args: argparse.Namespace) -> None:
    """Refuse an --out that cannot take what the options ask: a new run over an old one, a
    run to continue that is not there, a folder that is a file or cannot be written."""
    out: Path = args.out
    existing = next(folder for folder in (out, *out.parents) if folder.exists())
    if not existing.is_dir():
        usage_error(f"--out {out}: {existing} is a file, not a folder; pass --out DIR.")
    if args.eval_only or args.resume:
        flag = "--eval-only" if args.eval_only else "--resume"
        if not (out / "checkpoint.px").exists():
            if (out / "config.json").exists():
                usage_error(
                    f"{flag}: the run in {out} has no checkpoint yet (it stopped before its first save); "
                    "start it afresh with --overwrite."
                )
            usage_error(
                f"{flag}: {out} holds no run; train one first (without {flag}), or pass --out DIR of a run."
            )
        if not (out / "config.json").exists():
            usage_error(
                f"{flag}: the run in {out} has lost its config.json (its settings); restore it, "
                "or start afresh with --overwrite."
            )
    else:
        found = [name for name in RUN_FILES if (out / name).exists()]
        if found and not args.overwrite:
            usage_error(
                f"{out} holds a run ({', '.join(found)}): pass --resume to continue it, --overwrite to "
                "start afresh there, or --out DIR for a new folder."
            )
    if not args.eval_only and not os.access(existing, os.W_OK | os.X_OK):
        usage_error(
            f"--out {out}: {existing} cannot be written to; pass --out DIR in a folder you can write to."
        )


def run_config(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    """The run's settings: from the options for a new run, else from OUT/config.json, which
    the options that the command line names must agree with."""
    if not (args.resume or args.eval_only):
        config = {name: getattr(args, name) for name in RUN_OPTIONS}
        dim, heads = config["dim"], config["heads"]
        if dim % heads:
            nearest = min(
                (h for h in range(1, dim + 1) if dim % h == 0),
                key=lambda h: abs(h - heads),
            )
            usage_error(
                f"--heads {heads} must divide --dim {dim} (each head gets dim/heads features); "
                f"e.g. --heads {nearest}."
            )
        if config["rotary"] and (dim // heads) % 2:
            usage_error(
                f"--rotary turns pairs of features, but --dim {dim} / --heads {heads} gives each head "
                f"{dim // heads}, an odd number; choose --dim and --heads for an even one."
            )
        if config["data"] is not None:
            config["data"] = str(Path(config["data"]).resolve())
        return config
    path = args.out / "config.json"
    try:
        saved: Any = json.loads(path.read_text(), parse_constant=_not_json)
    except (OSError, ValueError):
        saved = None
    if isinstance(saved, dict):
        saved.setdefault(
            "rotary", False
        )  # runs from before --rotary learned their positions
    if not isinstance(saved, dict) or not set(RUN_OPTIONS) <= set(saved):
        fail(
            f"{path} is damaged (not the JSON of a run's settings); restore it, or start afresh with --overwrite."
        )
    flag = "--eval-only" if args.eval_only else "--resume"
    for name in sorted(given_options(argv)):
        value = getattr(args, name)
        if (str(Path(value).resolve()) if name == "data" else value) != saved[name]:
            option = "--" + name.replace("_", "-")
            usage_error(
                f"{option} {value} differs from the run's {saved[name]!r} ({path}): {flag} keeps the "
                f"run's settings; drop {option}, or start a new run (--out DIR, or --overwrite)."
            )
    return saved


def stdlib_text(limit: int = 4_000_000) -> bytes:
    """Python's standard library sources (the top-level `.py` files, sorted), up to `limit` bytes."""
    root = Path(sysconfig.get_paths()["stdlib"])
    chunks, size = [], 0
    for path in sorted(root.glob("*.py")):
        chunk = path.read_bytes()
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    if not chunks:
        fail(
            f"no Python sources found under {root}; pass a text file with --data PATH."
        )
    return b"".join(chunks)[:limit]


def read_text(
    path: str, refuse: Callable[[str], NoReturn], source: str, fix: str
) -> bytes:
    """The bytes of the text file `path`; else `refuse` says why not, naming it `source`,
    and ends with `fix`."""
    try:
        text = Path(path).read_bytes()
    except FileNotFoundError:
        refuse(f"{source}: no such file; {fix}.")
    except IsADirectoryError:
        refuse(f"{source} is a folder, not a file; {fix}.")
    except OSError as error:
        refuse(f"{source} cannot be read ({error.strerror}); {fix}.")
    if b"\0" in text:
        refuse(f"{source} holds NUL bytes, so it is not text; {fix}.")
    return text


def run_text(args: argparse.Namespace, config: dict[str, Any]) -> bytes:
    """The run's text (--data, or the one a run was started with), long enough for its context."""
    path = config["data"]
    if path is None:
        text, source, refuse = stdlib_text(), "the standard library's text", usage_error
    elif args.data is not None:
        source, refuse = f"--data {path}", usage_error
        text = read_text(path, refuse, source, "pass a text file to train on")
    else:  # the run's, named in its config.json
        source, refuse = f"the run's data {path} (in {args.out / 'config.json'})", fail
        text = read_text(
            path, refuse, source, "put it back, or start afresh with --overwrite"
        )
    need = 10 * (
        config["context"] + 2
    )  # the held-out tenth holds a context and its next byte
    if len(text) < need:
        refuse(
            f"{source} is too short: {len(text)} bytes, but a context of {config['context']} needs {need} "
            "(a tenth is held out); pass a longer text or a smaller --context."
        )
    return text


def read_command(argv: list[str]) -> tuple[argparse.Namespace, dict[str, Any], bytes]:
    """The options, the run's settings and its text, each checked: a command that cannot
    work is refused in one line before anything is written."""
    args = parse_args(argv)
    if (
        args.process_id is None
    ):  # the workers of --processes rely on their launcher's check
        check_out(args)
    config = run_config(args, argv)
    return args, config, run_text(args, config)


def _before_jax_starts(argv: list[str]) -> None:
    """Check the command (a refusal comes at once, not after JAX's start-up), then pass
    `--devices N` (with `--processes P`: N/P per process) to XLA, which reads it when JAX starts."""
    args, _, _ = read_command(argv)
    if args.devices is not None:
        flag = (
            f"--xla_force_host_platform_device_count={args.devices // args.processes}"
        )
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flag}".strip()
        os.environ["JAX_PLATFORMS"] = "cpu"


if __name__ == "__main__":
    _before_jax_starts(sys.argv[1:])

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from jax.sharding import Mesh, NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P
from jaxtyping import Array, Float, Int, PRNGKeyArray  # noqa: E402

import purepax as px  # noqa: E402
from purepax import nn  # noqa: E402
from purepax.optim import Optimizer  # noqa: E402

VOCAB = 256  # bytes


# --- the model ------------------------------------------------------------------------


class Block(px.Module):
    """A pre-norm transformer block: `x + attention(norm(x))`, then `x + mlp(norm(x))`.

    With a mesh axis `axis`, it is tensor-parallel as in Megatron-LM: the attention heads
    and the MLP's hidden units are split over `axis`, so each device computes its share.
    """

    attention_norm: nn.LayerNorm
    attention: nn.MultiHeadAttention
    attention_dropout: nn.Dropout
    mlp_norm: nn.LayerNorm
    mlp_in: nn.Linear
    mlp_out: nn.Linear
    mlp_dropout: nn.Dropout

    def __init__(
        self,
        dim: int,
        heads: int,
        dropout: float,
        *,
        rotary: bool = False,
        axis: str | None = None,
        key: PRNGKeyArray,
    ):
        keys = jax.random.split(key, 5)
        self.attention_norm = nn.LayerNorm(dim)
        self.attention = nn.MultiHeadAttention(
            heads, dim, rotary=rotary, sharding=axis, key=keys[0]
        )
        self.attention_dropout = nn.Dropout(dropout, key=keys[1])
        self.mlp_norm = nn.LayerNorm(dim)
        self.mlp_in = nn.Linear(dim, 4 * dim, sharding=(None, axis), key=keys[2])
        self.mlp_out = nn.Linear(4 * dim, dim, sharding=(axis, None), key=keys[3])
        self.mlp_dropout = nn.Dropout(dropout, key=keys[4])

    def __call__(
        self, x: Float[Array, "batch time dim"]
    ) -> Float[Array, "batch time dim"]:
        h = self.attention_norm(x)
        x = x + self.attention_dropout(self.attention(h, h, h, causal=True))
        h = self.mlp_out(jax.nn.gelu(self.mlp_in(self.mlp_norm(x))))
        return x + self.mlp_dropout(h)


class CharLM(px.Module):
    """Embed bytes (and positions, unless the attention is rotary), run the blocks,
    normalise, predict the next byte.

    With key-value caches in its attention layers (`nn.init_cache`), a call takes the
    next bytes only, at the positions after those cached: a mutation of the caches.
    """

    token_embedding: nn.Embedding
    position_embedding: nn.Embedding | None
    blocks: px.Stacked[Block]
    final_norm: nn.LayerNorm
    head: nn.Linear

    def __init__(
        self,
        *,
        context: int,
        dim: int,
        heads: int,
        layers: int,
        dropout: float,
        rotary: bool = False,
        axis: str | None = None,
        key: PRNGKeyArray,
    ):
        keys = jax.random.split(key, 4)
        self.token_embedding = nn.Embedding(VOCAB, dim, key=keys[0])
        self.position_embedding = (
            None if rotary else nn.Embedding(context, dim, key=keys[1])
        )
        block = lambda k: Block(dim, heads, dropout, rotary=rotary, axis=axis, key=k)  # noqa: E731
        self.blocks = px.stack(block, jax.random.split(keys[2], layers))
        self.final_norm = nn.LayerNorm(dim)
        self.head = nn.Linear(
            dim, VOCAB, sharding=(None, axis), key=keys[3]
        )  # the vocabulary split

    def __call__(self, ids: Int[Array, "batch time"]) -> Float[Array, "batch time 256"]:
        x = self.token_embedding(ids)
        if self.position_embedding is not None:
            cache = (
                self.blocks.layers.attention.cache
            )  # every block's cache is at the same position
            start = 0 if cache is None else cache.index[0]
            x = x + self.position_embedding(start + jnp.arange(ids.shape[-1]))
        x = self.blocks(
            x
        )  # a mutation in training mode (the dropout keys advance), or with caches
        return self.head(self.final_norm(x))


class TrainState(px.Module):
    """Everything a checkpoint holds: model, optimizer and the number of steps taken."""

    model: CharLM
    optimizer: Optimizer
    step: Int[Array, ""]


def matrices(params: Any) -> Any:
    """Weight decay on matrices only, not on norms and biases: True for each matrix. The
    stack's arrays have a leading block axis, so there a matrix has three dimensions."""

    def is_matrix(path: tuple[Any, ...], p: jax.Array) -> bool:
        stacked = any(getattr(key, "name", None) == "blocks" for key in path)
        return p.ndim - stacked >= 2

    return jax.tree_util.tree_map_with_path(is_matrix, params)


def make_optimizer(model: CharLM, config: dict[str, Any]) -> Optimizer:
    schedule = optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=config["lr"],
        warmup_steps=config["warmup"],
        decay_steps=max(config["decay_steps"], config["warmup"] + 1),
        end_value=config["lr"] / 10,
    )
    tx = optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.adamw(schedule, weight_decay=0.1, mask=matrices),
    )
    return Optimizer(tx, model)


def new_state(config: dict[str, Any], mesh: Mesh | None = None) -> TrainState:
    """A fresh model, optimizer and step; on a mesh, laid out as their fields say."""
    axis = "model" if mesh is not None and "model" in mesh.axis_names else None
    model = CharLM(
        **{k: config[k] for k in MODEL_OPTIONS},
        axis=axis,
        key=jax.random.key(config["seed"]),
    )
    state = TrainState(model, make_optimizer(model, config), jnp.array(0))
    return state if mesh is None else px.shard(state, mesh)


# --- the steps ------------------------------------------------------------------------


def cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
    # One-hot targets: on a vocabulary split over Explicit mesh axes, picking out each
    # target's logit would be a gather that JAX asks an out_sharding for.
    return optax.softmax_cross_entropy(
        logits, jax.nn.one_hot(targets, logits.shape[-1])
    ).mean()


def loss_fn(model: CharLM, x: jax.Array, y: jax.Array) -> tuple[jax.Array, CharLM]:
    model, logits = px.purecall(model, x)  # training mode: dropout keys advance
    return cross_entropy(logits, y), model


def _train_step(
    model: CharLM, optimizer: Optimizer, x: jax.Array, y: jax.Array
) -> tuple[CharLM, Optimizer, jax.Array]:
    (loss, model), grads = px.value_and_grad(loss_fn, has_aux=True)(model, x, y)
    model, optimizer = optimizer.apply_gradients(model, grads)
    return model, optimizer, loss


train_step = px.jit(_train_step)


def sharded_train_step(state: TrainState, mesh: Mesh) -> Any:
    """The train step with its layouts fixed: model and optimizer as their fields say,
    batches split over the mesh's "data" axis, the loss replicated."""
    named = lambda tree: jax.tree.map(
        lambda spec: NamedSharding(mesh, spec), px.partition_specs(tree)
    )  # noqa: E731
    data = NamedSharding(mesh, P("data") if "data" in mesh.axis_names else P())
    model, optimizer = named(state.model), named(state.optimizer)
    return px.jit(
        _train_step,
        in_shardings=(model, optimizer, data, data),
        out_shardings=(model, optimizer, NamedSharding(mesh, P())),
    )


@px.jit
def eval_loss(model: CharLM, x: jax.Array, y: jax.Array) -> jax.Array:
    return cross_entropy(model(x), y)  # eval mode: a read-only call


class Devices:
    """Where a run's arrays live: the default device, or a mesh of every process's devices.

    On a mesh, each process puts its own rows of every batch on its own devices
    (`jax.make_array_from_process_local_data`); the model's layout comes from its fields.
    Without one, arrays go where JAX puts them by default.
    """

    def __init__(self, mesh: Mesh | None):
        self.mesh = mesh

    def rows(self, batch: int) -> slice:
        """This process's rows of every batch (all of them in one process)."""
        if self.mesh is None or jax.process_count() == 1:
            return slice(0, batch)
        indices = self._data.addressable_devices_indices_map((batch,)).values()
        bounds = [index[0].indices(batch)[:2] for index in indices if index is not None]
        return slice(min(start for start, _ in bounds), max(stop for _, stop in bounds))

    def batch(self, rows: jax.Array, batch: int) -> jax.Array:
        """This process's `rows` of a batch of `batch` rows, as one array over the mesh."""
        if self.mesh is None:
            return rows
        return jax.make_array_from_process_local_data(
            self._data, np.asarray(rows), (batch, *rows.shape[1:])
        )

    def replicated(self, value: Any) -> jax.Array:
        """`value` (the same on every process) on every device of the mesh."""
        if self.mesh is None:
            return jnp.asarray(value)
        return jax.make_array_from_process_local_data(
            NamedSharding(self.mesh, P()), np.asarray(value)
        )

    @property
    def _data(self) -> NamedSharding:
        assert self.mesh is not None
        return NamedSharding(
            self.mesh, P("data") if "data" in self.mesh.axis_names else P()
        )


def get_batch(
    data: jax.Array,
    seed: int,
    step: int,
    batch: int,
    context: int,
    rows: slice = slice(None),
) -> tuple[jax.Array, jax.Array]:
    """Batch `step` of a run: a pure function of `(seed, step)`, so resuming is exact.
    `rows`: only those rows of it (a process's share)."""
    key = jax.random.fold_in(jax.random.key(seed), step)
    return _batch(data, key, batch, context, *rows.indices(batch)[:2])


@px.jit(static_argnums=(2, 3, 4, 5))
def _batch(
    data: jax.Array, key: jax.Array, batch: int, context: int, first: int, stop: int
) -> tuple[jax.Array, jax.Array]:
    starts = jax.random.randint(key, (batch,), 0, data.shape[0] - context - 1)[
        first:stop
    ]
    windows = starts[:, None] + jnp.arange(context + 1)
    tokens = data[windows].astype(jnp.int32)
    return tokens[:, :-1], tokens[:, 1:]


def held_out_loss(
    model: CharLM,
    data: jax.Array,
    config: dict[str, Any],
    devices: Devices | None = None,
    batches: int = 8,
) -> float:
    """Mean loss on `batches` fixed batches of held-out text, in eval mode."""
    devices = devices or Devices(None)
    model = px.eval_mode(model)
    size, rows = config["batch"], devices.rows(config["batch"])
    losses = []
    for i in range(batches):
        x, y = get_batch(
            data, config["seed"] + 1_000_003, i, size, config["context"], rows
        )
        losses.append(
            float(eval_loss(model, devices.batch(x, size), devices.batch(y, size)))
        )
    return float(jnp.mean(jnp.asarray(losses, jnp.float32)))


def pick(
    logits: jax.Array, key: jax.Array, temperature: jax.Array, top_k: int | None
) -> jax.Array:
    """A byte drawn from `logits / temperature` (among the `top_k` likeliest), or the
    likeliest one at temperature 0."""
    if top_k is not None:
        kth = jax.lax.top_k(logits, top_k)[0][..., -1:]
        logits = jnp.where(logits < kth, -jnp.inf, logits)
    drawn = jax.random.categorical(key, logits / jnp.maximum(temperature, 1e-6))
    return jnp.where(temperature > 0, drawn, jnp.argmax(logits, axis=-1)).astype(
        jnp.int32
    )


@px.jit(static_argnames=("length", "context", "top_k"))
def generate(
    model: CharLM,
    prompt: jax.Array,
    key_data: jax.Array,
    temperature: jax.Array,
    *,
    length: int,
    context: int,
    top_k: int | None,
) -> jax.Array:
    """`length` bytes after `prompt` (at most `context` bytes), in one compiled loop.

    The prompt fills the attention layers' key-value caches (`context` positions) in one
    call; then each byte is drawn and fed alone, at a cost that does not grow with its
    position. When the caches are full, they are refilled with the last half of the
    context (llama.cpp's "context shift"), so every byte sees between `context // 2` and
    `context` bytes before it, and the learned positions stay within the context.
    """
    keep = max(1, context // 2)
    size = prompt.shape[0]
    decoder, logits = px.purecall(nn.init_cache(model, 1, context), prompt[None])

    def refill(
        decoder: CharLM, window: jax.Array, token: jax.Array
    ) -> tuple[CharLM, jax.Array]:
        decoder, logits = px.purecall(nn.init_cache(decoder, 1, context), window[None])
        return decoder, logits[:, -1]

    def step(
        decoder: CharLM, window: jax.Array, token: jax.Array
    ) -> tuple[CharLM, jax.Array]:
        decoder, logits = px.purecall(decoder, token[None, None])
        return decoder, logits[:, -1]

    def body(
        i: int, carry: tuple[CharLM, jax.Array, jax.Array, jax.Array]
    ) -> tuple[CharLM, jax.Array, jax.Array, jax.Array]:
        decoder, logits, out, key = carry
        key, sub = jax.random.split(key)
        token = pick(logits[0], sub, temperature, top_k)
        out = out.at[size + i].set(token)
        cache = decoder.blocks.layers.attention.cache
        assert cache is not None
        window = jax.lax.dynamic_slice_in_dim(out, size + i + 1 - keep, keep)
        decoder, logits = px.cond(
            cache.index[0] == context, refill, step, decoder, window, token
        )
        return decoder, logits, out, key

    out = jnp.concatenate([prompt, jnp.zeros(length, jnp.int32)])
    carry = (decoder, logits[:, -1], out, jax.random.wrap_key_data(key_data))
    return px.fori_loop(0, length, body, carry)[2][size:]


def _gathered(model: CharLM, mesh: Mesh) -> CharLM:
    """The whole model on this process's first device, off the mesh."""
    whole = px.jit(lambda m: m, out_shardings=NamedSharding(mesh, P()))(
        model
    )  # every device holds it all
    device = jax.local_devices()[0]
    gathered: CharLM = jax.tree.map(
        lambda a: jax.device_put(a.addressable_data(0), device), whole
    )
    return gathered


def sample(
    model: CharLM,
    prompt: bytes,
    length: int,
    context: int,
    seed: int,
    temperature: float = 0.8,
    top_k: int | None = None,
    devices: Devices | None = None,
) -> str:
    """Generate `length` bytes after `prompt` (eval mode, the last `context` bytes of it seen)."""
    devices = devices or Devices(None)
    if length == 0:
        return ""
    if devices.mesh is not None:
        # One sequence, decoded by each process on one device: the model is small, and the
        # caches are not laid out over the mesh (heads split over "model" would not fit them).
        model = _gathered(model, devices.mesh)
    tokens = jnp.asarray(np.frombuffer(prompt[-context:], np.uint8).astype(np.int32))
    key = jax.random.key_data(jax.random.key(seed))
    out = generate(
        px.eval_mode(model),
        tokens,
        key,
        jnp.float32(temperature),
        length=length,
        context=context,
        top_k=top_k,
    )
    return bytes(np.asarray(out).astype(np.uint8).tolist()).decode(
        "utf-8", errors="replace"
    )


# --- data -----------------------------------------------------------------------------


def split_text(text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The run's text as bytes, split 90% / 10% into training and held-out parts."""
    data = np.frombuffer(text, np.uint8)
    split = int(len(data) * 0.9)
    return data[:split], data[split:]


def unigram_loss(train: np.ndarray, held_out: np.ndarray) -> float:
    """Cross-entropy (nats per character) of the held-out text under train's byte frequencies."""
    counts = np.bincount(train, minlength=VOCAB) + 1.0  # add-one smoothing
    log_p = np.log(counts / counts.sum())
    return float(-log_p[held_out].mean())


# --- checkpoints and metrics ----------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_metrics(path: Path, up_to: int | None = None) -> list[dict[str, Any]]:
    """The metrics lines (complete, strict JSON ones only) with `step <= up_to`."""
    rows = []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line, parse_constant=_not_json)
            except ValueError:
                continue  # a line half-written when the process was killed
            if up_to is None or row["step"] <= up_to:
                rows.append(row)
    return rows


def plot(rows: list[dict[str, Any]], unigram: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    ax.plot([r["step"] for r in rows], [r["loss"] for r in rows], label="train")
    held = [r for r in rows if r.get("held_out_loss") is not None]
    ax.plot(
        [r["step"] for r in held],
        [r["held_out_loss"] for r in held],
        "o-",
        label="held-out",
    )
    ax.axhline(unigram, color="gray", linestyle="--", label="unigram baseline")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats per character)")
    ax.set_title("char_lm.py")
    ax.legend()
    fig.tight_layout()
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)


def start_files(out: Path, config: dict[str, Any], resumed_at: int | None) -> None:
    """Make the folder ready to train in: for a new run its config and empty metrics (the
    files of a run there before are deleted, --overwrite); when resuming, the metrics cut
    back to the checkpoint's step."""
    metrics = out / "metrics.jsonl"
    try:
        if resumed_at is not None:
            rows = read_metrics(
                metrics, up_to=resumed_at
            )  # drop what came after the checkpoint
            write_atomic(
                metrics, "".join(json.dumps(r, allow_nan=False) + "\n" for r in rows)
            )
            return
        out.mkdir(parents=True, exist_ok=True)
        for name in RUN_FILES:  # the checkpoint first: a folder never holds a config with another run's checkpoint
            (out / name).unlink(missing_ok=True)
        write_atomic(out / "config.json", json.dumps(config, indent=1))
        metrics.write_text("")
    except OSError as error:
        fail(
            f"cannot write the run in {out} ({error.strerror or error}); pass --out DIR in a folder you can "
            "write to."
        )


def load_checkpoint(path: Path, like: TrainState) -> TrainState:
    try:
        return px.load(path, like=like)  # values from the file, layout from `like`
    except px.CheckpointError as error:
        message = str(error).rsplit("\n(More:", 1)[
            0
        ]  # its docs section is for the library's users
        fail(
            f"{message} The run in {path.parent} cannot go on from it: restore a copy of {path.name}, or start "
            "afresh with --overwrite."
        )


def diverged(
    what: str, value: float, step: int, config: dict[str, Any], saved: int | None
) -> NoReturn:
    kept = (
        "nothing was saved"
        if saved is None
        else f"the checkpoint of step {saved} is kept"
    )
    fail(
        f"training stopped: the {what} at step {step} is {value} ({kept}). Start afresh with --overwrite and a "
        f"lower --lr (this run's: {config['lr']}), or check the data."
    )


# --- the script -----------------------------------------------------------------------


def launch_workers(argv: list[str], processes: int) -> None:
    """Run this script as `processes` local workers joined by `jax.distributed` and wait.

    Worker 0 prints the run; the others' output goes to a log shown if they fail, unless
    they all stopped with the one-line error that worker 0 has printed. Every worker is
    ended when one fails, when they are interrupted, or when this returns.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable,
        os.path.abspath(__file__),
        *argv,
        "--coordinator",
        f"127.0.0.1:{port}",
    ]
    logs: list[Any] = [None] + [
        tempfile.TemporaryFile("w+") for _ in range(processes - 1)
    ]
    workers = [
        subprocess.Popen(
            [*command, "--process-id", str(i)], stdout=logs[i], stderr=logs[i] or None
        )
        for i in range(processes)
    ]
    try:
        while all(w.poll() is None for w in workers):
            time.sleep(0.2)
        failed = [i for i, w in enumerate(workers) if w.wait() != 0]
    finally:
        for w in workers:  # none left behind, whatever happened
            if w.poll() is None:
                w.kill()
                w.wait()
    if not failed:
        return
    said = []
    for log in logs[1:]:
        log.seek(0)
        said.append(log.read())
    last_lines = {text.strip().rsplit("\n", 1)[-1] for text in said}
    if (
        len(failed) == processes
        and len(last_lines) == 1
        and last_lines.pop().startswith(f"{PROG}: error: ")
    ):
        sys.exit(
            workers[0].returncode
        )  # the same options, the same error: worker 0 has said it
    for i in failed:
        if i:
            print(f"--- worker {i} ---\n{said[i - 1][-4000:]}", file=sys.stderr)
    fail(f"worker(s) {failed} failed (their output is above).")


def make_mesh(spec: str | None, config: dict[str, Any]) -> Mesh | None:
    """The mesh `--mesh data=2,model=4` asks for, over all devices (checked against the model)."""
    if spec is None:
        if jax.process_count() == 1:
            return None
        spec = (
            f"data={jax.device_count()}"  # several processes: data-parallel by default
        )
    try:
        axes = {
            name: int(size)
            for name, size in (part.split("=") for part in spec.split(","))
        }
    except ValueError:
        sys.exit(f'--mesh {spec}: give axes as name=size, e.g. "data=2,model=4".')
    if not set(axes) <= {"data", "model"}:
        sys.exit(
            f'--mesh {spec}: the axes are "data" (splits batches) and "model" (splits heads and MLP units).'
        )
    if math.prod(axes.values()) != jax.device_count():
        sys.exit(
            f"--mesh {spec} needs {math.prod(axes.values())} devices, but there are {jax.device_count()} "
            f"({jax.devices()[0].platform}); --devices N forces N CPU devices."
        )
    data, model = axes.get("data", 1), axes.get("model", 1)
    if config["batch"] % data:
        sys.exit(
            f"--batch {config['batch']} must be a multiple of the data axis ({data})."
        )
    if config["heads"] % model or VOCAB % model:
        sys.exit(
            f"--heads {config['heads']} (and the vocabulary, {VOCAB}) must be multiples of the model axis ({model})."
        )
    return jax.make_mesh(tuple(axes.values()), tuple(axes))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args, config, text = read_command(argv)
    try:
        import matplotlib  # noqa: F401  (for the plot at the end)
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]  # tqdm ships no types
    except ImportError:
        fail('this example needs tqdm and matplotlib: pip install -e ".[examples]"')
    if not getattr(jax.config, "jax_threefry_partitionable", True):
        # Random numbers that do not depend on the layout: JAX's default since 0.5. Without
        # it, older JAX draws other dropout masks on a data x model mesh than on one device.
        jax.config.update("jax_threefry_partitionable", True)
    out: Path = args.out
    checkpoint, metrics_path = out / "checkpoint.px", out / "metrics.jsonl"
    if args.processes > 1 and args.process_id is None:
        return launch_workers(argv, args.processes)
    if args.process_id is not None:  # one of several local workers
        if os.environ.get("JAX_PLATFORMS") == "cpu":  # set by --devices
            jax.config.update("jax_cpu_collectives_implementation", "gloo")
        jax.distributed.initialize(
            coordinator_address=args.coordinator,
            num_processes=args.processes,
            process_id=args.process_id,
            initialization_timeout=120,
        )
    writer = jax.process_index() == 0  # the process that writes files and prints
    log = print if writer else (lambda *a, **k: None)

    try:
        mesh = make_mesh(args.mesh, config)
    except (
        SystemExit
    ) as refused:  # make_mesh says in one line why the mesh does not fit
        usage_error(str(refused.code))
    except ValueError:  # sizes whose product is right, but negative
        usage_error(
            f'--mesh {args.mesh}: the sizes must be positive, e.g. "data=2,model=4".'
        )
    devices = Devices(mesh)
    train_np, held_np = split_text(text)
    train_data, held_data = jnp.asarray(train_np), jnp.asarray(held_np)
    unigram = unigram_loss(train_np, held_np)
    state = new_state(config, mesh)
    if args.resume or args.eval_only:
        state = load_checkpoint(checkpoint, state)
    start = int(state.step)

    if args.eval_only:
        log(f"checkpoint at step {start}")
        report(state.model, held_np, held_data, unigram, config, args, devices, log)
        return
    if start >= args.steps:
        usage_error(
            f"--steps {args.steps}: the run in {out} is at step {start} already; pass a larger --steps to "
            "train it further, or --eval-only to evaluate it."
        )
    if writer:
        start_files(out, config, resumed_at=start if args.resume else None)

    log(
        f"{len(train_np):,} training and {len(held_np):,} held-out bytes; "
        f"{sum(p.size for p in jax.tree.leaves(px.parameters(state.model))):,} parameters"
    )
    if mesh is not None:
        log(
            f"mesh {dict(mesh.shape)} over {jax.device_count()} {jax.devices()[0].platform} devices, "
            f"{jax.process_count()} process(es)"
        )
    if args.resume:
        log(f"resumed at step {start}")

    step_fn = train_step if mesh is None else sharded_train_step(state, mesh)
    model, optimizer = state.model, state.optimizer
    size, mine = config["batch"], devices.rows(config["batch"])
    tokens_per_step = size * config["context"]
    saved = start if args.resume else None
    last_time, last_step, loss_value, tokens_per_s = (
        time.perf_counter(),
        start,
        math.nan,
        0.0,
    )
    # The other processes of a multi-process run write their metrics lines nowhere.
    with (
        tqdm(
            total=args.steps,
            initial=start,
            unit="step",
            dynamic_ncols=True,
            mininterval=0.5,
            file=sys.stdout,
            disable=not writer,
        ) as bar,
        metrics_path.open("a") if writer else open(os.devnull, "w") as metrics,
    ):
        for step in range(start, args.steps):
            x, y = get_batch(
                train_data, config["seed"], step, size, config["context"], mine
            )
            model, optimizer, loss = step_fn(
                model, optimizer, devices.batch(x, size), devices.batch(y, size)
            )
            done = step + 1
            bar.update(1)
            logged = (
                done % args.log_every == 0
                or done % args.eval_every == 0
                or done == args.steps
            )
            saving = done % args.save_every == 0 or done == args.steps
            if (
                done == start + 1 or logged or saving
            ):  # waits for the step: not on every one
                loss_value = float(loss)
                if not math.isfinite(loss_value):
                    bar.close()
                    diverged("loss", loss_value, done, config, saved)
            if logged:
                now = time.perf_counter()
                tokens_per_s = (done - last_step) * tokens_per_step / (now - last_time)
                row: dict[str, Any] = {
                    "step": done,
                    "loss": loss_value,
                    "tokens_per_s": round(tokens_per_s),
                }
                if done % args.eval_every == 0 or done == args.steps:
                    row["held_out_loss"] = held_out_loss(
                        model, held_data, config, devices
                    )
                    if not math.isfinite(row["held_out_loss"]):
                        bar.close()
                        diverged(
                            "held-out loss", row["held_out_loss"], done, config, saved
                        )
                metrics.write(json.dumps(row, allow_nan=False) + "\n")
                metrics.flush()
                last_time, last_step = time.perf_counter(), done
            if done == start + 1 or logged:
                postfix = {"loss": f"{loss_value:.3f}"}
                if tokens_per_s:  # measured from the first logged step on
                    postfix["tok_s"] = f"{tokens_per_s:,.0f}"
                bar.set_postfix(postfix)
            if saving:
                # Metrics first, then the checkpoint: lines after the checkpoint's step are dropped on resume.
                # Every process saves (the arrays are gathered); process 0 writes the file.
                px.save(checkpoint, TrainState(model, optimizer, jnp.array(done)))
                saved = done

    log(f"train loss at step {args.steps}: {loss_value:.3f} nats per character")
    if writer:
        plot(read_metrics(metrics_path), unigram, out / "loss.png")
    generated = report(model, held_np, held_data, unigram, config, args, devices, log)
    if writer:
        write_atomic(out / "sample.txt", generated + "\n")
    log(
        f"plot: {out / 'loss.png'}; sample: {out / 'sample.txt'}; metrics: {metrics_path}; checkpoint: {checkpoint}"
    )
    if jax.process_count() > 1:
        jax.distributed.shutdown()


def report(
    model: CharLM,
    held_np: np.ndarray,
    held_data: jax.Array,
    unigram: float,
    config: dict[str, Any],
    args: argparse.Namespace,
    devices: Devices,
    log: Any = print,
) -> str:
    """Print the held-out loss and a sample (a prompt from the held-out text and what
    follows it: --sample-length bytes at --temperature, among the --top-k likeliest);
    return the sample."""
    loss = held_out_loss(model, held_data, config, devices)
    log(
        f"held-out loss: {loss:.3f} nats per character (unigram baseline {unigram:.3f}, "
        f"perplexity {math.exp(loss):.2f} vs {math.exp(unigram):.2f})"
    )
    prompt = held_np[: config["context"]].tobytes()
    text = prompt.decode("utf-8", errors="replace") + sample(
        model,
        prompt,
        args.sample_length,
        config["context"],
        config["seed"],
        args.temperature,
        args.top_k,
        devices,
    )
    log("sample:\n" + text)
    return text


if __name__ == "__main__":
    main()
