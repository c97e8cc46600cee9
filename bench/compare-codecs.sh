#!/bin/sh
# Whole-process pixel decode: `mira pixels --decode-only DIR` vs dcmtk's dcmdrle / dcmdjpeg / dcmdjpls on the same
# files, made here from the CT series of a data set from
#   ../shared/bench/gen_bench_data.py DATA --only ct --scale 0.25      (512x512, 12 bits stored in 16, unsigned)
# compressed with dcmtk: dcmcrle (RLE Lossless), dcmcjpeg +e1 (JPEG Lossless SV1, .4.70), dcmcjpeg +ee (JPEG Extended
# 12-bit lossy, .4.51), dcmcjpls (JPEG-LS Lossless, .4.80).
# Usage: bench/compare-codecs.sh DATA [RUNS]     (RUNS default 3, after one warm-up of each command)
# Environment:
#   SHARED=the shared folder (default ../shared beside the repository root); PYTHON=python3 for the timer
#   MIRA_BIN=an already built mira (skips the build; default: tools/publish.sh, the native build)
#   CODECS="rle sv1 ext12 jls" selects sets; SINGLE=0 skips the one-core mira rows; KEEP=dir keeps raw timer reports
# Fairness, stated in the table's notes: dcmtk's tools take one file per process, so the dcmtk side is a shell loop
# of one process per file writing the decoded file to /dev/null (it still encodes a full uncompressed data set);
# mira is one process over the folder that decodes each frame into a buffer and writes nothing, with files decoded
# in parallel (one per core). The "mira 1 core" rows (DOTNET_PROCESSOR_COUNT=1) remove the parallelism.
# Process start-up (.NET vs C, once vs per file) is included on purpose: this is a whole-process comparison.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$(cd "${1:?usage: compare-codecs.sh DATA [RUNS]}" && pwd)
runs=${2:-${RUNS:-3}}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
py=${PYTHON:-/usr/bin/python3}
timer="$py $shared/bench/wholeproc.py"
codecs=${CODECS:-rle sv1 ext12 jls}
[ -d "$data/ct" ] || { echo "missing $data/ct (make it with gen_bench_data.py DATA --only ct --scale 0.25)" >&2; exit 2; }
for t in dcmcrle dcmdrle dcmcjpeg dcmdjpeg dcmcjpls dcmdjpls; do
  command -v $t >/dev/null || { echo "$t missing: apt-get install dcmtk" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-codecs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
raw=${KEEP:-$work/raw}
mkdir -p "$raw"

mira=$("$here/mira-bin.sh" "$work")

# encoder and decoder per set
enc() { case $1 in rle) echo "dcmcrle" ;; sv1) echo "dcmcjpeg +e1" ;; ext12) echo "dcmcjpeg +ee" ;; jls) echo "dcmcjpls" ;; esac; }
dec() { case $1 in rle) echo dcmdrle ;; sv1|ext12) echo dcmdjpeg ;; jls) echo dcmdjpls ;; esac; }
label() { case $1 in rle) echo "RLE Lossless" ;; sv1) echo "JPEG Lossless SV1" ;; ext12) echo "JPEG Extended 12-bit" ;; jls) echo "JPEG-LS Lossless" ;; esac; }

printf '#!/bin/sh\nexec "%s" pixels --decode-only "$@" >/dev/null\n' "$mira" >"$work/mira-decode"
printf '#!/bin/sh\nDOTNET_PROCESSOR_COUNT=1 exec "%s" pixels --decode-only "$@" >/dev/null\n' "$mira" >"$work/mira-decode-1"
# dcmtk-loop TOOL DIR: one process per file, decoded data set written to /dev/null; stops at the first failure.
cat >"$work/dcmtk-loop" <<'SH'
#!/bin/sh
tool=$1; dir=$2
for f in "$dir"/*.dcm; do "$tool" "$f" /dev/null || exit 1; done
SH
chmod +x "$work/mira-decode" "$work/mira-decode-1" "$work/dcmtk-loop"

field() { awk -v row="$2" 'substr($0, 1, 16) ~ "^" row " *$" { print $(NF-1) }' "$1"; }

# Reference hashes of the uncompressed series, to check that the lossless sets decode to the same pixels.
"$mira" pixels --sha256 "$data/ct" | cut -f1,5 | sed 's|.*/||' | sort >"$work/ref.sha"
nref=$(wc -l <"$work/ref.sha")

rows=""
for c in $codecs; do
  set_dir=$work/sets/$c
  mkdir -p "$set_dir"
  echo "encoding $c ($(enc $c)) ..." >&2
  for f in "$data"/ct/*.dcm; do
    # shellcheck disable=SC2046 # the encoder's options are split on purpose
    $(enc $c) "$f" "$set_dir/$(basename "$f")" || { echo "$(enc $c) failed on $f" >&2; exit 1; }
  done
  nfiles=$(ls "$set_dir" | wc -l)
  inbytes=$(cat "$set_dir"/*.dcm | wc -c)
  # mira must decode every frame of every file
  summary=$("$mira" pixels --decode-only "$set_dir")
  echo "$c: $summary" >&2
  case $summary in "decoded $nfiles files, $nfiles frames, "*) ;; *) echo "mira did not decode every frame of $c: $summary" >&2; exit 1 ;; esac
  outbytes=$(echo "$summary" | awk '{ print $6 }')
  if [ "$c" != ext12 ]; then
    "$mira" pixels --sha256 "$set_dir" | cut -f1,5 | sed 's|.*/||' | sort >"$work/$c.sha"
    cmp -s "$work/ref.sha" "$work/$c.sha" || { echo "$c: mira's pixels differ from the uncompressed series" >&2; exit 1; }
  fi
  "$work/dcmtk-loop" "$(dec $c)" "$set_dir" || { echo "$(dec $c) failed on $c" >&2; exit 1; }
  echo "timing $c ..." >&2
  $timer -n "$runs" --warmup 1 --timeout 3600 --vs "$work/dcmtk-loop $(dec $c) $set_dir" -- "$work/mira-decode" "$set_dir" >"$raw/$c.txt"
  if [ "${SINGLE:-1}" != 0 ]; then
    $timer -n "$runs" --warmup 1 --timeout 3600 --vs "$work/dcmtk-loop $(dec $c) $set_dir" -- "$work/mira-decode-1" "$set_dir" >"$raw/$c-1.txt"
  fi
  rows="$rows $c:$nfiles:$inbytes:$outbytes"
done

echo
echo "data: $data/ct compressed by dcmtk ($nref files); runs: $runs counted + 1 warm-up per command; $(nproc) CPUs; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %5s %8s %8s %9s %9s %8s %9s %9s %8s\n' codec files "MB in" "MB out" "mira s" "dcmtk s" "ratio" "mira1 s" "dcmtk s" "ratio1"
for r in $rows; do
  c=${r%%:*}; rest=${r#*:}; n=${rest%%:*}; rest=${rest#*:}; ib=${rest%%:*}; ob=${rest#*:}
  f=$raw/$c.txt; f1=$raw/$c-1.txt
  if [ -f "$f1" ]; then m1=$(field "$f1" 'A wall s'); d1=$(field "$f1" 'B wall s'); r1=$(field "$f1" 'A/B wall'); else m1=-; d1=-; r1=-; fi
  printf '%-22s %5s %8.1f %8.1f %9s %9s %8s %9s %9s %8s\n' "$(label "$c")" "$n" "$(echo "$ib / 1000000" | bc -l)" "$(echo "$ob / 1000000" | bc -l)" \
    "$(field "$f" 'A wall s')" "$(field "$f" 'B wall s')" "$(field "$f" 'A/B wall')" "$m1" "$d1" "$r1"
done
echo
echo "wall seconds are medians; ratio = mira/dcmtk wall, median of the pairs (< 1: mira faster). MB out = decoded pixel bytes."
echo "mira: one process, files in parallel (ratio) or DOTNET_PROCESSOR_COUNT=1 (ratio1); dcmtk: one process per file, output to /dev/null."
