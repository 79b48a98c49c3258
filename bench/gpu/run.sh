#!/bin/bash
# Train `skfer reproduce` experiments on a lent GPU machine (the device tool).
#
# That machine has JAX with CUDA but no TensorFlow, so skfer runs there on
# Keras' JAX backend; Keras, scikeras and their small missing dependencies
# travel as wheels, the data packed by facepack.py (both in .gpu/, ignored by
# git). Prepare here, once:
#
#   python bench/gpu/facepack.py pack --fer2013 ../shared/data/fer2013.npz \
#       --ckplus ../shared/data/ckplus48.npz --out .gpu/data
#   python -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux_2_28_x86_64 -d .gpu/whl \
#       keras==3.15.1 namex==0.1.0 optree==0.20.0 scikeras==0.13.0
#
# then call the device tool with carry [".gpu"] and a command such as
#
#   SKFER_GPU_SECONDS=420 SKFER_GPU_KEEP=fer2013-v2-crossentropy-aug \
#       bash bench/gpu/run.sh fer2013-v2-crossentropy-aug --epochs 50
#
# Arguments are passed to `skfer reproduce`; the data, runs and report paths
# and the time limit are added here. The time limit is what is left of
# SKFER_GPU_SECONDS (default 480) after start-up, so the command ends inside
# the tool's 600 s per call with time to evaluate and copy back. The tool
# brings back only 8 files of at most 16 MiB from $OUT, so the runs and the
# report are written under /tmp and bringback.py packs them into
# $OUT/results.tar.gz (checkpoints left out), plus the best.keras of the
# experiments named in SKFER_GPU_KEEP (one Model 2 network at most), cut into
# parts. Everything is printed to $OUT/log.txt as well. Here, afterwards:
#
#   python bench/gpu/bringback.py unpack FILES_AT --runs ~/skfer_runs_gpu
#   skfer reproduce --report-only --runs ~/skfer_runs_gpu --output DIR
#
# To try it on a CPU machine with JAX installed: SKFER_GPU_LOCAL=1 PY=python.
set -o pipefail
t0=$(date +%s)
budget=${SKFER_GPU_SECONDS:-480}
PY=${PY:-python3}
OUT=${OUT:-/tmp/skfer-gpu-out}
mkdir -p "$OUT"
if [ -z "$SKFER_GPU_LOCAL" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --upgrade --target /tmp/site .gpu/whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" KERAS_BACKEND=jax PYTHONUNBUFFERED=1
data=${SKFER_GPU_DATA:-/tmp/skfer-data}
runs=${SKFER_GPU_RUNS:-/tmp/skfer-gpu-runs}
report=${SKFER_GPU_REPORT:-/tmp/skfer-gpu-report}
$PY bench/gpu/facepack.py unpack .gpu/data "$data" || exit 1
{
  nvidia-smi --query-gpu=name,memory.total --format=csv 2>/dev/null
  $PY -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
  left=$((budget - ($(date +%s) - t0)))
  echo "time limit for training: ${left} s"
  $PY -m skfer.cli reproduce "$@" --fer2013 "$data/fer2013.npz" \
    --ckplus "$data/ckplus48.npz" --runs "$runs" --output "$report" \
    --time-limit "$left"
  echo "exit $? after $(($(date +%s) - t0)) s"
  # shellcheck disable=SC2086  # SKFER_GPU_KEEP is a list of names
  $PY bench/gpu/bringback.py pack "$OUT" --runs "$runs" --report "$report" \
    --keep $SKFER_GPU_KEEP
} 2>&1 | tee "$OUT/log.txt"
