#!/bin/sh
# Whole-process comparison of de-identification: mira deid vs the peers' deid_dcmodify.sh (dcmtk dcmodify, no UID
# remapping) and deid_pydicom.py, on the CT/MR/PET studies made by ../shared/bench/gen_bench_data.py.
# Usage: bench/compare-deid.sh [DATA] [RUNS]   (DATA is generated when absent: --scale ${SCALE:-0.5} --only ct,mr,pet;
#                                             RUNS default 5, 1 warm-up each; run from anywhere)
# Environment: SHARED (default ../shared beside the repository), MIRA_BIN (skip the build), KEEP=dir (raw reports),
#              SCALE (data scale when DATA is generated), PYTHON (default /usr/bin/python3).
# Pairs, alternating A B A B (wholeproc.py --vs), each command starting from an empty output folder:
#   mira deid --recipe research          vs deid_dcmodify.sh phi_attributes.tsv     (full Basic Profile + 4 options)
#   mira deid --recipe bench-phi-list    vs deid_dcmodify.sh phi_attributes.tsv     (the peers' list as a recipe)
#   mira deid --recipe research          vs deid_pydicom.py phi_attributes.tsv
# then checks correctness once per output with deid_check.py (the peers' list) and mira phi-scan.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${2:-${RUNS:-5}}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
sb=$shared/bench
py=${PYTHON:-/usr/bin/python3}
timer="$py $sb/wholeproc.py"
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-deid.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
raw=${KEEP:-$work/raw}; mkdir -p "$raw"

data=${1:-$work/data}
if [ ! -d "$data/ct" ]; then
  echo "generating bench studies (scale ${SCALE:-0.5}) into $data ..." >&2
  "$py" "$sb/gen_bench_data.py" "$data" --scale "${SCALE:-0.5}" --only ct,mr,pet --jobs 2 >"$work/gen.log" 2>&1 \
    || { cat "$work/gen.log" >&2; exit 1; }
fi
data=$(cd "$data" && pwd)

mira=$("$here/mira-bin.sh" "$work")

# IN is DATA itself (the peers de-identify every .dcm under it; make DATA with --only ct,mr,pet). Not a tree of
# symbolic links: deid_dcmodify.sh copies IN with cp -r and then edits the copy in place.
in=$data
nfiles=$(find "$in" -name '*.dcm' | wc -l)
nbytes=$(find "$in" -name '*.dcm' -exec cat {} + | wc -c)
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/project.key"
tsv=$sb/phi_attributes.tsv
benchrecipe=$root/src/Mira.Deid/Recipes/bench-phi-list.json

# mira-deid RECIPE OUT: a wrapper that, like the peers' scripts, starts from an empty OUT.
wrap() {
  printf '#!/bin/sh\nrm -rf "%s"\nexec "%s" deid --recipe "%s" --key-file "%s" --record /dev/null "%s" --out "%s" 2>/dev/null\n' \
    "$3" "$mira" "$2" "$work/project.key" "$in" "$3" >"$work/$1"
  chmod +x "$work/$1"
}
wrap mira-research research "$work/out-mira-research"
wrap mira-bench "$benchrecipe" "$work/out-mira-bench"

pair() {
  name=$1; a=$2; b=$3
  echo "timing $name ..." >&2
  # shellcheck disable=SC2086 # A is split into words on purpose, as wholeproc.py splits --vs
  $timer -n "$runs" --warmup 1 --timeout 3600 --vs "$b" -- $a >"$raw/$name.txt"
}
field() { awk -v row="$2" 'substr($0, 1, 16) ~ "^" row " *$" { print $(NF-1) }' "$1"; }

pair research-vs-dcmodify "$work/mira-research" "$sb/deid_dcmodify.sh $tsv $in $work/out-dcmodify"
pair bench-vs-dcmodify "$work/mira-bench" "$sb/deid_dcmodify.sh $tsv $in $work/out-dcmodify"
pair research-vs-pydicom "$work/mira-research" "$py $sb/deid_pydicom.py $tsv $in $work/out-pydicom"

a=$raw/research-vs-dcmodify.txt b=$raw/bench-vs-dcmodify.txt c=$raw/research-vs-pydicom.txt
echo
echo "data: $data ($nfiles files, $nbytes bytes); runs: $runs counted + 1 warm-up per command; $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %10s %10s %10s %10s\n' "command" "wall med" "cpu med" "peak MiB" "files/s"
row() { w=$(field "$1" "$2 wall s"); printf '%-48s %10s %10s %10s %10s\n' "$3" "$w" "$(field "$1" "$2 cpu s")" "$(field "$1" "$2 peak MiB")" "$(awk -v n="$nfiles" -v w="$w" 'BEGIN { printf "%.0f", n / w }')"; }
row "$a" A "mira deid --recipe research (vs dcmodify)"
row "$a" B "deid_dcmodify.sh"
row "$b" A "mira deid --recipe bench-phi-list (vs dcmodify)"
row "$b" B "deid_dcmodify.sh (second pair)"
row "$c" A "mira deid --recipe research (vs pydicom)"
row "$c" B "deid_pydicom.py"
echo
printf '%-44s %10s %10s\n' "speed-up, median of pairs (peer/mira)" "wall" "cpu"
inv() { awk -v r="$1" 'BEGIN { printf "%.2f", 1 / r }'; }
printf '%-44s %10s %10s\n' "dcmodify / mira research" "$(inv "$(field "$a" 'A/B wall')")" "$(inv "$(field "$a" 'A/B cpu')")"
printf '%-44s %10s %10s\n' "dcmodify / mira bench-phi-list" "$(inv "$(field "$b" 'A/B wall')")" "$(inv "$(field "$b" 'A/B cpu')")"
printf '%-44s %10s %10s\n' "pydicom / mira research" "$(inv "$(field "$c" 'A/B wall')")" "$(inv "$(field "$c" 'A/B cpu')")"

echo
echo "correctness (deid_check.py with the peers' list; mira phi-scan against the originals):"
"$work/mira-research"; "$work/mira-bench"
for o in out-mira-research out-mira-bench out-dcmodify out-pydicom; do
  [ -d "$work/$o" ] || continue
  s=$("$py" "$sb/deid_check.py" "$tsv" "$in" "$work/$o" | "$py" -c 'import json,sys; r=json.load(sys.stdin); print("leaks", sum(r["leaks_by_attribute"].values()), dict(r["leaks_by_attribute"]), "private_left", r["private_elements_left"], "uids_changed", r["study_uids_changed"], "weight_kept", r["patient_weight_kept"])')
  p=$("$mira" phi-scan "$work/$o" --originals "$in" 2>/dev/null | wc -l)
  echo "  $o: $s; phi-scan findings $p"
done
# The research recipe checked against its own attribute list (all of Table E.1-1 as the recipe resolves it).
"$mira" deid-recipe research --tsv >"$work/research.tsv"
s=$("$py" "$sb/deid_check.py" "$work/research.tsv" "$in" "$work/out-mira-research" | "$py" -c 'import json,sys; r=json.load(sys.stdin); print("leaks", sum(r["leaks_by_attribute"].values()), dict(r["leaks_by_attribute"]), "files", r["files_checked"])')
echo "  out-mira-research with its own list ($(grep -vc '^#' "$work/research.tsv") attributes): $s"
exit 0
