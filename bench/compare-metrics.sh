#!/bin/bash
# Whole-process comparison of `mira metrics seg` with `plastimatch dice --all` on the 256³ bench masks, with the
# peer harness in ../shared/bench (gen_bench_data.py for the masks, wholeproc.py as the timer).
# Usage: bench/compare-metrics.sh [RUNS]          (RUNS default 7)
# Environment: EXT (mha, the default, or nii.gz), SHARED (default ../shared beside the repository), MIRA_BIN (skip the build), DATA (a folder that
#              already holds masks/ from gen_bench_data.py --only masks), KEEP=dir (raw logs).
# Checks first that both tools report the same Dice and boundary Hausdorff (and Mira the manifest's HD95s and ASSD),
# then runs the two commands alternately, RUNS times after one warm-up each, and prints the medians of wall and
# CPU time and the Mira/plastimatch ratios taken pair by pair (wholeproc.py --vs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-${RUNS:-7}}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
sb=$shared/bench
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-metrics.XXXXXX")
raw=${KEEP:-$work/raw}; mkdir -p "$raw"
trap 'rm -rf "$work"' EXIT INT TERM
command -v plastimatch >/dev/null || { echo "plastimatch is not installed (apt-get install plastimatch)" >&2; exit 1; }

if [ -z "${DATA:-}" ]; then
  echo "generating the 256³ bench masks ..." >&2
  "$py" "$sb/gen_bench_data.py" "$work/data" --only masks > "$raw/gen.log" 2>&1
  DATA=$work/data
fi
ext=${EXT:-mha}  # EXT=nii.gz times the same masks as gzip'd NIfTI (gen_bench_data.py writes both)
a=$DATA/masks/mask_a.$ext; b=$DATA/masks/mask_b.$ext
MIRA_BIN=$("$here/mira-bin.sh" "$work")

# Correctness: the same figures from both, and Mira's equal to the manifest's references.
"$MIRA_BIN" metrics seg --ref "$a" --pred "$b" > "$raw/mira.txt"
plastimatch dice --all "$a" "$b" > "$raw/plastimatch.txt"
"$py" - "$raw/mira.txt" "$raw/plastimatch.txt" "$DATA/manifest.json" <<'PY'
import json, re, sys
m = dict(l.split("\t") for l in open(sys.argv[1]).read().splitlines())
p = dict((k.strip(), float(v)) for k, v in re.findall(r"^\s*([A-Za-z][A-Za-z ().0-9]*?)\s*[:=]\s*([-+0-9.eE]+)\s*$", open(sys.argv[2]).read(), re.M))
ref = json.load(open(sys.argv[3]))["datasets"]["masks"]
checks = [("Dice vs plastimatch", float(m["dice"]), p["DICE"], 5e-7),
          ("boundary Hausdorff vs plastimatch", float(m["hausdorff_mm"]), p["Hausdorff distance (boundary)"], 5e-7),
          ("TP vs plastimatch", float(m["intersection_voxels"]), p["TP"], 0),
          ("Dice vs manifest", float(m["dice"]), ref["dice"], 1e-12),
          ("HD95 pooled vs manifest", float(m["hd95_pooled_mm"]), ref["hd95_boundary_pooled_mm"], 1e-9),
          ("HD95 max of directed vs manifest", float(m["hd95_max_of_directed_mm"]), ref["hd95_boundary_max_of_directed_mm"], 1e-9),
          ("ASSD vs manifest", float(m["assd_mm"]), ref["avg_surface_distance_mm"], 1e-9)]
bad = [c for c in checks if abs(c[1] - c[2]) > c[3]]
for name, mine, theirs, tol in checks:
    print("%-34s mira %-20.12g reference %-20.12g %s" % (name, mine, theirs, "ok" if abs(mine - theirs) <= tol else "DIFFERENT"))
sys.exit(1 if bad else 0)
PY

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs" | tee "$raw/load.txt"
"$py" "$sb/wholeproc.py" -n "$runs" --warmup 1 --vs "plastimatch dice --all $a $b" -- \
  "$MIRA_BIN" metrics seg --ref "$a" --pred "$b" | tee "$raw/wholeproc.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$raw/load.txt"
awk '/^A wall s/ {a=$5} /^B wall s/ {b=$5} /^A\/B wall/ {r=$4}
     END {printf "median wall: mira %.3f s, plastimatch %.3f s; mira is %.2fx faster (median of pairwise ratios)\n", a, b, 1/r}' "$raw/wholeproc.txt"
