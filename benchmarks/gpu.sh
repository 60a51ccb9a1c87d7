#!/usr/bin/env bash
# The GPU measurements of issue 13 (benchmarks/bench_gpu.py): XLA on/off, float32/bfloat16/float16, MirroredStrategy
# over the GPUs there, PyTorch eager and torch.compile on the same GPU. A few minutes on one GPU.
#
#   bash benchmarks/gpu.sh [OUT_DIR] [--dry-run]    # OUT_DIR defaults to $OUT, else benchmarks/gpu_results
#
# Needs TensorFlow with CUDA and PyTorch with CUDA in the Python on PATH (keras_gans is taken from this checkout).
# Writes OUT_DIR/gpu_results.json, OUT_DIR/GPU.md and OUT_DIR/environment.txt; a part that fails is recorded there.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-benchmarks/gpu_results}"
if [[ $# -gt 0 && "$1" != --* ]]; then
  out="$1"
  shift
fi
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
{
  date
  nvidia-smi || echo "nvidia-smi: not found"
  python -c "import tensorflow as tf; print('tensorflow', tf.__version__, tf.config.list_physical_devices())"
  python -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.version.cuda)"
  lscpu | grep -E 'Model name|^CPU\(s\)' || true
} >"$out/environment.txt" 2>&1
cat "$out/environment.txt"
timeout 840 python benchmarks/bench_gpu.py --out "$out" --timeout 300 "$@"
status=$?
echo "bench_gpu.py exit status $status; results in $out"
exit $status
