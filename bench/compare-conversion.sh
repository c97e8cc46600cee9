#!/bin/bash
# Whole-slide conversion at intake against copying the file: `mira import SLIDE --data D` (read the TIFF, copy every
# JPEG tile with its tables merged into VL Whole Slide Microscopy objects, one per level, hash and store them durably)
# against `cp SLIDE D/copy` followed by `sync` (the same bytes made durable, no conversion). Reports the median wall
# time of each, the throughput in MB/s of source, their ratio, and mira's peak resident memory (/usr/bin/time -v).
# Usage: bench/compare-conversion.sh [RUNS] [WIDTH HEIGHT]     (defaults 3, 40000 30000: a 7-level pyramid of 512² tiles)
# Environment: MIRA_BIN (skip the build), SLIDE (an existing slide to use instead of generating one), KEEP=dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-3}; width=${2:-40000}; height=${3:-30000}
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-conversion.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
MIRA_BIN=$("$here/mira-bin.sh" "$work")

slide=${SLIDE:-}
if [ -z "$slide" ]; then
  echo "generating a ${width} x ${height} JPEG-tiled pyramid ..." >&2
  mkdir -p "$work/tiles"
  "$py" - "$work/tiles" <<'PY'
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(16)
y, x = np.mgrid[0:512, 0:512]
for i in range(16):
    base = np.stack([(x + 37 * i) % 256, (y * 2 + 11 * i) % 256, ((x + y) // 2 + 53 * i) % 256], -1)
    noisy = np.clip(base + rng.normal(0, 24, base.shape), 0, 255).astype(np.uint8)  # tissue-like texture: ~40-60 KB a tile
    Image.fromarray(noisy).save(f"{sys.argv[1]}/tile{i:02d}.jpg", quality=85)
PY
  dotnet run -c Release --project "$root/bench/Mira.Benchmarks" -- gen-slide "$work/tiles" "$work/slide.tif" "$width" "$height" >&2
  slide=$work/slide.tif
fi
bytes=$(stat -c %s "$slide")
echo "source: $slide, $bytes bytes" >&2

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
: > "$work/mira.times"; : > "$work/cp.times"; : > "$work/mira.rss"
for r in $(seq 1 "$runs"); do
  rm -rf "$work/data" "$work/copy"; mkdir -p "$work/copy"; sync
  s=$(date +%s.%N); cp "$slide" "$work/copy/slide.tif"; sync; e=$(date +%s.%N)
  echo "$e - $s" | bc >> "$work/cp.times"
  sync
  s=$(date +%s.%N)
  /usr/bin/time -v "$MIRA_BIN" import "$slide" --data "$work/data" > "$work/import.out" 2> "$work/import.err"
  e=$(date +%s.%N)
  echo "$e - $s" | bc >> "$work/mira.times"
  awk -F': ' '/Maximum resident set size/ {print $2}' "$work/import.err" >> "$work/mira.rss"
  grep -q "stored: [1-9]" "$work/import.out" || { cat "$work/import.out" "$work/import.err" >&2; exit 1; }
done
m=$(median < "$work/mira.times"); c=$(median < "$work/cp.times"); rss=$(median < "$work/mira.rss")
printf 'runs %s, load %s\n' "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'cp + sync:   %.2f s  %.0f MB/s\n' "$c" "$(echo "$bytes / $c / 1000000" | bc -l)"
printf 'mira import: %.2f s  %.0f MB/s  peak RSS %d MiB\n' "$m" "$(echo "$bytes / $m / 1000000" | bc -l)" "$((rss / 1024))"
printf 'mira / cp time: %.2f\n' "$(echo "$m / $c" | bc -l)"
grep "converted\|whole-slide" "$work/import.out" | head -3
