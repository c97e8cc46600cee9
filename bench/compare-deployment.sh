#!/bin/bash
# Deployment latency and inference overhead (issue 19), whole processes on this machine:
#   latency    a real Orthanc (Debian's orthanc, private folder, loopback ports, C-STORE only from AE MIRA) is the PACS;
#              mira serve has a rule "series from AE CT1 → ct-bone-threshold-baseline → ORTHANC". dcmtk's storescu sends
#              the bench CT (../shared/bench/gen_bench_data.py, SCALE 1.0 = 400 × 512 × 512 slices) as CT1; the time
#              from storescu's exit (the last C-STORE response) to the Segmentation being listed by Orthanc's REST API
#              is the latency, reported with and without the rule's settle time (SETTLE seconds of quiet that mark a
#              series as complete). A fresh series (new UIDs: another seed) each run.
#   overhead   the timing network of compare-evaluation.sh with a CT input (bench/evaluation/build_timing_model.py,
#              MODALITY=CT, WIDTHS) on an OVERHEAD_SLICES-slice CT: raw = Mira.Benchmarks raw-inference (the tensor made
#              before timing, InferenceSession.Run alone); deployed = the deployment job from its start to the result
#              accepted by Orthanc (job log), the worker process, DICOM reading, NIfTI and SEG writing and C-STORE included.
# Usage: bench/compare-deployment.sh [RUNS]      (RUNS default 3)
# Environment: SCALE (1.0), SETTLE (2), OVERHEAD_SLICES (24), WIDTHS (1,16,32,32,16), THREADS (2), MIRA_BIN, KEEP=dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
runs=${1:-${RUNS:-3}}
scale=${SCALE:-1.0}; settle=${SETTLE:-2}; slices=${OVERHEAD_SLICES:-24}; threads=${THREADS:-2}
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-deployment.XXXXXX")
out=${KEEP:-$work/out}; mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

mira=$("$here/mira-bin.sh" "$work")
echo "building bench/Mira.Benchmarks (Release) ..." >&2
dotnet build -c Release "$root/bench/Mira.Benchmarks" -v q -nologo > "$work/bench-build.log" 2>&1 || { cat "$work/bench-build.log" >&2; exit 1; }
bench="dotnet $root/bench/Mira.Benchmarks/bin/Release/net10.0/Mira.Benchmarks.dll"

# The PACS: Orthanc on free loopback ports, accepting C-STORE from MIRA only.
oport=$(free_port); ohttp=$(free_port); mkdir -p "$work/orthanc"
cat > "$work/orthanc/orthanc.json" <<JSON
{ "Name": "bench-pacs", "StorageDirectory": "$work/orthanc/storage", "IndexDirectory": "$work/orthanc/index",
  "HttpServerEnabled": true, "HttpPort": $ohttp, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $oport, "DicomCheckCalledAet": true,
  "DicomAlwaysAllowStore": false, "DicomAlwaysAllowEcho": false, "DicomCheckModalityHost": true,
  "DicomModalities": { "mira": ["MIRA", "127.0.0.1", 104] }, "SaveJobs": false }
JSON
setsid Orthanc "$work/orthanc/orthanc.json" > "$work/orthanc/orthanc.log" 2>&1 < /dev/null &
pids+=($!); disown
for i in $(seq 1 300); do curl -sf "http://127.0.0.1:$ohttp/system" > /dev/null && break; sleep 0.1; done

# Mira: the AE table, the models, the rules, then serve.
data=$work/mira-data; dport=$(free_port); mhttp=$(free_port)
"$mira" ae add CT1 --host 127.0.0.1 --port 104 --allow store --data "$data" > /dev/null
"$mira" ae add CT2 --host 127.0.0.1 --port 104 --allow store --data "$data" > /dev/null
"$mira" ae add ORTHANC --host 127.0.0.1 --port "$oport" --allow none --data "$data" > /dev/null
MODALITY=CT "$py" "$here/evaluation/build_timing_model.py" "$work/timing-model" "${WIDTHS:-1,16,32,32,16}"
"$mira" model push "$root/models/ct-bone-threshold-baseline" --data "$data" > /dev/null
"$mira" model push "$work/timing-model" --data "$data" > /dev/null
"$mira" deploy add ct-latency --model ct-bone-threshold-baseline@1.0.0 --from-ae CT1 --modality CT --send-to ORTHANC --settle "$settle" --data "$data" > /dev/null
"$mira" deploy add ct-overhead --model ct-timing-convnet3d@1.0.0 --from-ae CT2 --modality CT --send-to ORTHANC --settle 1 --data "$data" > /dev/null
MIRA_ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9') setsid "$mira" serve --data "$data" --urls "http://127.0.0.1:$mhttp" \
  --dimse-port "$dport" > "$work/mira.log" 2>&1 < /dev/null &
pids+=($!); disown
for i in $(seq 1 600); do curl -sf "http://127.0.0.1:$mhttp/health" > /dev/null && break; sleep 0.1; done

echo "$(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"
"$py" "$here/deployment/run_latency.py" --gen "$shared/bench/gen_bench_data.py" --work "$work/runs" --scale "$scale" --runs "$runs" \
  --mira-port "$dport" --orthanc "http://127.0.0.1:$ohttp" --settle "$settle" | tee "$out/latency.txt"

# Overhead: one CT of OVERHEAD_SLICES slices, raw ONNX Runtime first, then the same series through the rule.
"$py" "$shared/bench/gen_bench_data.py" "$work/ovh" --only ct --seed 9001 --scale "$("$py" -c "print($slices/400)")" > /dev/null
mkdir -p "$work/ovh-images" && ln -s "$work/ovh/ct" "$work/ovh-images/series"
$bench raw-inference "$work/timing-model" "$work/ovh-images" "$threads" > "$out/raw.txt"
"$py" "$here/deployment/run_overhead.py" --series "$work/ovh/ct" --mira "$mira" --data "$data" --mira-port "$dport" \
  --orthanc "http://127.0.0.1:$ohttp" --raw "$out/raw.txt" | tee "$out/overhead.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
# The jobs' logs (timestamps of each step: where the latency goes).
"$mira" jobs list --kind deployment.infer --data "$data" > "$out/jobs.tsv"
for id in $(tail -n +2 "$out/jobs.tsv" | cut -f1); do "$mira" jobs log "$id" --data "$data" > "$out/job-$id.log"; done
