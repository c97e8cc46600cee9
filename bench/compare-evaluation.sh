#!/bin/bash
# Evaluation overhead over raw ONNX Runtime inference (issue 18): `mira eval offline` as a whole process against
# InferenceSession.Run alone, on the same cases, the same model, the same thread count.
# Usage: bench/compare-evaluation.sh [RUNS]          (RUNS default 5)
# Environment: CASES (8), SEED (1), THREADS (2), WIDTHS (the network's channels, 1,16,32,32,16), MIRA_BIN (skip the publish), KEEP=dir (logs, predictions, reports).
#
# In a temporary folder it makes
#   data/   a synthetic PET test set (Mira.Benchmarks gen-pet-cohort: DemoCohort.PetLesions, 128×128×16 voxels a case,
#           images/<case>/*.dcm, labels/<case>.nii.gz with the exact lesion spheres, cases.tsv);
#   model/  a model package whose network costs real compute (bench/evaluation/build_timing_model.py: four 3×3×3
#           convolutions 1-16-32-32-16 and a 1×1×1 head, random fixed weights, argmax label map; a timing workload,
#           not a model: about 14.6 G multiply-adds a case);
# publishes mira (bench/mira-bin.sh) and builds bench/Mira.Benchmarks (Release), then runs, one warm-up each and RUNS
# pairs one after the other (bench/evaluation/run_compare.py):
#   raw         Mira.Benchmarks raw-inference MODEL IMAGES THREADS: every case decoded and made into its input tensor
#               BEFORE timing; then one InferenceSession (CPU, the worker's options) and InferenceSession.Run timed per
#               case. Raw inference R = the sum of the Run times.
#   evaluation  mira eval offline --model MODEL --images --labels --cases --out --predictions --threads THREADS, timed
#               as a whole process (E), with its own breakdown (runner total, worker wall, the worker's
#               predictions.json timings, scoring).
# and prints a table: overhead (E − R) / R, and with both process starts excluded, median and spread.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-${RUNS:-5}}
cases=${CASES:-8}; seed=${SEED:-1}; threads=${THREADS:-2}
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-evaluation.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
out=${KEEP:-$work/runs}; mkdir -p "$out"

MIRA_BIN=$("$here/mira-bin.sh" "$work")
echo "building bench/Mira.Benchmarks (Release) ..." >&2
dotnet build -c Release "$root/bench/Mira.Benchmarks" -v q -nologo > "$work/bench-build.log" 2>&1 || { cat "$work/bench-build.log" >&2; exit 1; }
bench="dotnet $root/bench/Mira.Benchmarks/bin/Release/net10.0/Mira.Benchmarks.dll"

echo "generating $cases PET cases (seed $seed) and the timing model ..." >&2
$bench gen-pet-cohort "$cases" "$seed" "$work/data"
"$py" "$here/evaluation/build_timing_model.py" "$work/model" "${WIDTHS:-1,16,32,32,16}"

echo "$(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"
"$py" "$here/evaluation/run_compare.py" --mira "$MIRA_BIN" --raw "$bench" --package "$work/model" --data "$work/data" \
  --work "$out" --threads "$threads" --runs "$runs" | tee "$out/table.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
