#!/bin/sh
# Whole-process comparison: mira dump vs dcmdump vs pydicom over the CT/MR/PET folders of a data set made by
#   ../shared/bench/gen_bench_data.py DATA --scale S --only ct,mr,pet
# Usage: bench/compare-parse.sh DATA [RUNS]        (run from anywhere; RUNS default 3, 1 warm-up each)
# Environment:
#   SHARED=path to the shared folder (default: ../shared beside the repository root)
#   MIRA_BIN=an already built mira (skips the build; default: tools/publish.sh, the native build)
#   JSON=0 skips the JSON pair (mira --format json vs dcm2json, one process per file)
#   KEEP=dir keeps the raw wholeproc.py reports there
# Prints one table: median wall (and cpu) seconds of each command and the ratios taken pair by pair
# (mira/dcmdump and pydicom/mira), as wholeproc.py --vs computes them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$(cd "${1:?usage: compare-parse.sh DATA [RUNS]}" && pwd)
runs=${2:-${RUNS:-3}}
shared=${SHARED:-$root/../shared}
shared=$(cd "$shared" && pwd)
py=${PYTHON:-/usr/bin/python3}
timer="$py $shared/bench/wholeproc.py"
dirs="$data/ct $data/mr $data/pet"
for d in $dirs; do [ -d "$d" ] || { echo "missing $d (make it with gen_bench_data.py --only ct,mr,pet)" >&2; exit 2; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-parse.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
raw=${KEEP:-$work}
mkdir -p "$raw"

mira=$("$here/mira-bin.sh" "$work")

nfiles=$(find $dirs -name '*.dcm' | wc -l)
nbytes=$(find $dirs -name '*.dcm' -exec cat {} + | wc -c)

# pair NAME 'A' 'B': A and B alternate (A B A B ...), RUNS counted after one warm-up each.
pair() {
  name=$1; a=$2; b=$3
  echo "timing $name ..." >&2
  # shellcheck disable=SC2086 # A is split into words on purpose, as wholeproc.py splits --vs (paths without spaces)
  $timer -n "$runs" --warmup 1 --timeout 3600 --vs "$b" -- $a >"$raw/$name.txt"
}
# field FILE ROW: the median column of a row ("A wall s", "A/B wall", ...)
field() { awk -v row="$2" 'substr($0, 1, 16) ~ "^" row " *$" { print $(NF-1) }' "$1"; }

# mira prints to stdout; the peers' scripts send theirs to /dev/null, so mira gets a wrapper that does the same.
printf '#!/bin/sh\nexec "%s" dump --stop-before-pixels -q "$@" >/dev/null\n' "$mira" >"$work/mira-headers"
printf '#!/bin/sh\nexec "%s" dump --format json --stop-before-pixels -q "$@" >/dev/null\n' "$mira" >"$work/mira-json"
chmod +x "$work/mira-headers" "$work/mira-json"

pair mira-vs-dcmdump "$work/mira-headers $dirs" "$shared/bench/parse_bench.sh dcmdump-headers $dirs"
pair pydicom-vs-mira "$shared/bench/parse_bench.sh pydicom-headers $dirs" "$work/mira-headers $dirs"
if [ "${JSON:-1}" != 0 ]; then
  # dcm2json takes one file per process and always inlines Pixel Data; mira reads every file in one process.
  pair mirajson-vs-dcm2json "$work/mira-json $dirs" "$shared/bench/parse_bench.sh dcm2json $dirs"
fi
m=$raw/mira-vs-dcmdump.txt p=$raw/pydicom-vs-mira.txt j=$raw/mirajson-vs-dcm2json.txt
echo
echo "data: $data ($nfiles files, $nbytes bytes); runs: $runs counted + 1 warm-up per command; $(nproc) CPUs"
printf '%-52s %10s %10s %10s\n' "command" "wall med" "cpu med" "peak MiB"
printf '%-52s %10s %10s %10s\n' "mira dump --stop-before-pixels -q (vs dcmdump)" "$(field "$m" 'A wall s')" "$(field "$m" 'A cpu s')" "$(field "$m" 'A peak MiB')"
printf '%-52s %10s %10s %10s\n' "parse_bench.sh dcmdump-headers" "$(field "$m" 'B wall s')" "$(field "$m" 'B cpu s')" "$(field "$m" 'B peak MiB')"
printf '%-52s %10s %10s %10s\n' "mira dump --stop-before-pixels -q (vs pydicom)" "$(field "$p" 'B wall s')" "$(field "$p" 'B cpu s')" "$(field "$p" 'B peak MiB')"
printf '%-52s %10s %10s %10s\n' "parse_bench.sh pydicom-headers" "$(field "$p" 'A wall s')" "$(field "$p" 'A cpu s')" "$(field "$p" 'A peak MiB')"
if [ -f "$j" ]; then
  printf '%-52s %10s %10s %10s\n' "mira dump --format json --stop-before-pixels -q" "$(field "$j" 'A wall s')" "$(field "$j" 'A cpu s')" "$(field "$j" 'A peak MiB')"
  printf '%-52s %10s %10s %10s\n' "parse_bench.sh dcm2json (1 process per file)" "$(field "$j" 'B wall s')" "$(field "$j" 'B cpu s')" "$(field "$j" 'B peak MiB')"
fi
echo
printf '%-40s %10s %10s   %s\n' "ratio (median of pairs)" "wall" "cpu" "target"
printf '%-40s %10s %10s   %s\n' "mira / dcmdump" "$(field "$m" 'A/B wall')" "$(field "$m" 'A/B cpu')" "<= 1"
printf '%-40s %10s %10s   %s\n' "pydicom / mira" "$(field "$p" 'A/B wall')" "$(field "$p" 'A/B cpu')" ">= 5"
[ -f "$j" ] && printf '%-40s %10s %10s   %s\n' "mira json / dcm2json" "$(field "$j" 'A/B wall')" "$(field "$j" 'A/B cpu')" "-"
exit 0
