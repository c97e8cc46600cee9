#!/bin/sh
# Whole-browser viewer benchmark: click → first image, and the browser's peak memory, opening a CT in the OHIF Viewer
# that `mira serve` serves (docs/viewer.md; figures in docs/benchmarks.md).
# Usage: bench/viewer/run.sh [SCALE] [RUNS]
#   SCALE: ../shared/bench/gen_bench_data.py --only ct --scale SCALE (1.0: 400 slices of 512×512, about 200 MB;
#          7.5: 3,000 slices, about 1.5 GB); default 1.0. RUNS: browsers started, one after another (cold cache); default 3.
# Environment: SHARED (default ../shared beside the repository), DATA (an existing generated folder), PYTHON,
#              MIRA_CHROMIUM (default /usr/bin/chromium), MIRA_BIN (the mira to serve with, e.g. the release build of
#              tools/publish.sh OUT: OUT/mira; default the debug build of dotnet build Mira.slnx).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scale=${1:-1.0}
runs=${2:-3}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/viewer-bench.XXXXXX")
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
data=${DATA:-$work/data}
if [ ! -d "$data/ct" ]; then
  echo "generating the bench CT (scale $scale) into $data ..." >&2
  "$py" "$shared/bench/gen_bench_data.py" "$data" --scale "$scale" --only ct --jobs 2 >"$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; exit 1; }
fi
mira=${MIRA_BIN:-"dotnet $root/src/Mira.Cli/bin/Debug/net10.0/mira.dll"}
dotnet build "$here/ViewerBench" -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bench="$here/ViewerBench/bin/Debug/net10.0/ViewerBench"
export MIRA_ADMIN_PASSWORD=viewer-bench-pw
echo "importing $(ls "$data/ct" | wc -l) files ..." >&2
$mira import --data "$work/archive" "$data/ct" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$mira serve --data "$work/archive" --urls "http://127.0.0.1:$port" --dimse-port 0 >"$work/serve.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.5; done
study=$(curl -sf -u "admin:$MIRA_ADMIN_PASSWORD" "http://127.0.0.1:$port/dicomweb/studies" | $py -c 'import json,sys; print(json.load(sys.stdin)[0]["0020000D"]["Value"][0])')
echo "study $study, $runs runs, $(nproc) cores" >&2
"$bench" "http://127.0.0.1:$port/" admin "$MIRA_ADMIN_PASSWORD" "$study" "$runs"
