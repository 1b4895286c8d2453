#!/usr/bin/env bash
# The benchmarks with something to say on a GPU, one after another, each under its own time
# limit; every output is kept in "$OUT" (default runs/gpu). Needs a CUDA build of JAX with
# equinox, flax and optax beside it (the baselines), run from the repository's root:
#
#     bash benchmarks/on_gpu.sh
#
# docs/performance.md gives the figures of its last run and the machine they came from.
set -u
out=${OUT:-runs/gpu}
mkdir -p "$out"
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 JAX_PLATFORMS=cuda
python3 -c "import jax, jaxlib, flax, equinox, optax, purepax; print('jax', jax.__version__, 'flax', flax.__version__, \
'equinox', equinox.__version__, 'optax', optax.__version__, jax.devices())" 2>&1 | tee "$out/versions.txt"
nvidia-smi -L 2>&1 | tee -a "$out/versions.txt"
# issue 13: the stack's first call against the loop, the peers and raw JAX (12 blocks)
timeout 240 python3 benchmarks/stacked.py --compile-rounds 3 --rounds 3 --steps 20 2>&1 | tee "$out/stacked_12.txt"
# issue 15: the main job's train step against raw JAX, Equinox and Flax NNX (default APIs and fast paths)
timeout 160 python3 benchmarks/train_step.py --rounds 15 --steps 50 2>&1 | tee "$out/train_step.txt"
# the main job itself on the GPU, a short run
timeout 80 python3 examples/char_lm.py --steps 300 --eval-every 300 --out /tmp/char_lm_gpu 2>&1 \
    | tr '\r' '\n' | grep -av "step/s\]$" | tee "$out/char_lm.txt"
# the stack at 24 blocks: first call only against the loop and raw JAX's floor
timeout 150 python3 benchmarks/stacked.py --blocks 24 --compile-rounds 2 --rounds 2 --steps 10 \
    --only "px.stack,px loop (tuple),raw JAX lax.scan" 2>&1 | tee "$out/stacked_24.txt"
