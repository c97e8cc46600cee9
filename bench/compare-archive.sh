#!/bin/bash
# Whole-process comparison of Mira's archive with Orthanc (+ DICOMweb plugin), with the peer harness in
# ../shared/bench, on the CT/MR/PET studies of a data set made by
#   ../shared/bench/gen_bench_data.py DATA --scale S --only ct,mr,pet
# Usage: bench/compare-archive.sh DATA [RUNS]          (RUNS default 5; needs root for Orthanc's namespace)
# Environment: SHARED (default ../shared beside the repository), MIRA_BIN (skip the build), KEEP=dir (raw logs),
#              QIDO_N (repetitions per QIDO shape, default 50).
# Measures, pair by pair (Mira run, then Orthanc run, RUNS times):
#   ingest   STOW-RS of all studies into an empty server (ingest_cycle.sh stow), instances/s from ingest_wall_s
#   qido     the three query shapes of dicomweb_query.sh on the CT and MR studies, median latency per shape
#   wado     WADO-RS of the CT series (multipart/related, application/dicom), MB/s
# and checks correctness first: both servers hold every instance, and the studies/series/instances each QIDO
# shape finds (for every patient, study and series of the manifest) are the same on both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$(cd "${1:?usage: compare-archive.sh DATA [RUNS]}" && pwd)
runs=${2:-${RUNS:-5}}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
sb=$shared/bench
py=${PYTHON:-/usr/bin/python3}
qn=${QIDO_N:-50}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-archive.XXXXXX")
raw=${KEEP:-$work/raw}; mkdir -p "$raw"
servers=()
cleanup() { for w in "${servers[@]}"; do "${w%%|*}" stop "${w#*|}" >/dev/null 2>&1 || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

MIRA_BIN=$("$here/mira-bin.sh" "$work")
export MIRA_BIN
mctl=$here/mira_ctl.sh; octl=$sb/orthanc_ctl.sh
nfiles=$(find "$data/ct" "$data/mr" "$data/pet" -name '*.dcm' | wc -l)
"$sb/stow_prep.sh" "$work/bodies" "$data/ct" "$data/mr" "$data/pet" > "$raw/stow_prep.txt"

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'; }

echo "ingest: $runs paired STOW cycles of $nfiles instances ..." >&2
for i in $(seq 1 "$runs"); do
  "$sb/ingest_cycle.sh" "$mctl" stow "$work/cycles" "$work"/bodies/*.body | sed -n 's/^ingest_wall_s=//p' >> "$raw/ingest_mira.txt"
  "$sb/ingest_cycle.sh" "$octl" stow "$work/cycles" "$work"/bodies/*.body | sed -n 's/^ingest_wall_s=//p' >> "$raw/ingest_orthanc.txt"
done
im=$(median < "$raw/ingest_mira.txt"); io=$(median < "$raw/ingest_orthanc.txt")

echo "query: loading both servers ..." >&2
for c in "$mctl" "$octl"; do
  w=$work/$(basename "$c" .sh); "$c" start "$w" > /dev/null; servers+=("$c|$w")
  "$sb/server_exec.sh" "$w" "$sb/stow_post.sh" "$work"/bodies/*.body
done
wm=$work/mira_ctl; wo=$work/orthanc_ctl

# Correctness: the same UIDs found by each query shape on both servers, for everything in the manifest.
"$py" - "$data/manifest.json" "$wm" "$wo" "$sb/server_exec.sh" > "$raw/qido_compare.txt" <<'PY'
import json, subprocess, sys
manifest, wm, wo, sx = sys.argv[1:5]
d = json.load(open(manifest))["datasets"]
def q(w, path):
    out = subprocess.run([sx, w, "sh", "-c", 'curl -sf -H "Accept: application/dicom+json" "$DICOMWEB_BASE/$1"', "sh", path],
                         capture_output=True, check=True).stdout
    return json.loads(out) if out.strip() else []
def uids(items, tag): return sorted(i[tag]["Value"][0] for i in items)
checks = []
for name, ds in d.items():
    checks.append((f"studies?PatientID={ds['patient_id']}", "0020000D"))
    checks.append((f"studies/{ds['study_uid']}/series", "0020000E"))
    for se in ds["series_uids"]:
        checks.append((f"studies/{ds['study_uid']}/series/{se}/instances?limit=1000", "00080018"))
ok = 0
for path, tag in checks:
    a, b = uids(q(wm, path), tag), uids(q(wo, path), tag)
    same = a == b and len(a) > 0
    ok += same
    print(f"{'same' if same else 'DIFFERENT'}\t{path}\tmira={len(a)}\torthanc={len(b)}")
print(f"qido_answers_equal={ok}/{len(checks)}")
PY
qido_ok=$(sed -n 's/^qido_answers_equal=//p' "$raw/qido_compare.txt")
eval "$("$py" - "$data/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["datasets"]
print("PID=%s ST=%s SE=%s" % (m["ct"]["patient_id"], m["ct"]["study_uid"], m["ct"]["series_uids"][0]))
PY
)"
echo "query: $runs rounds of QIDO ($qn per shape) and WADO, alternating servers ..." >&2
for i in $(seq 1 "$runs"); do
  for s in mira:$wm orthanc:$wo; do
    "$sb/server_exec.sh" "${s#*:}" "$sb/dicomweb_query.sh" qido "$qn" "$PID" "$ST" "$SE" >> "$raw/qido_${s%%:*}.txt"
    "$sb/server_exec.sh" "${s#*:}" "$sb/dicomweb_query.sh" wado "$ST" "$SE" 1 >> "$raw/wado_${s%%:*}.txt"
  done
done
lat() { awk -v k="$2" '$1 == k { sub("median_ms=", "", $3); print $3 }' "$raw/qido_$1.txt" | median; }
mbs() { sed -n 's/.*MB_per_s=\([0-9.]*\).*/\1/p' "$raw/wado_$1.txt" | median; }
{
  echo "Mira $("$MIRA_BIN" --version | head -1) vs Orthanc $(sed -n 's/^SERVER_VERSION=//p' "$wo/server.env"); $nfiles instances, $runs runs, medians"
  printf '%-34s %12s %12s %10s\n' measurement mira orthanc ratio
  printf '%-34s %12.1f %12.1f %9.2fx\n' "STOW ingest (instances/s)" "$(echo "$nfiles $im" | awk '{print $1/$2}')" \
    "$(echo "$nfiles $io" | awk '{print $1/$2}')" "$(echo "$io $im" | awk '{print $1/$2}')"
  for k in studies_by_patientid series_of_study instances_of_series; do
    a=$(lat mira "$k"); b=$(lat orthanc "$k")
    printf '%-34s %12.2f %12.2f %9.2fx\n' "QIDO $k (ms)" "$a" "$b" "$(echo "$b $a" | awk '{print $1/$2}')"
  done
  a=$(mbs mira); b=$(mbs orthanc)
  printf '%-34s %12.1f %12.1f %9.2fx\n' "WADO CT series (MB/s)" "$a" "$b" "$(echo "$a $b" | awk '{print $1/$2}')"
  echo "QIDO answers equal to Orthanc's: $qido_ok (details: qido_compare.txt)"
  echo "(ratios: speed-up of Mira; latency ratio = Orthanc ms / Mira ms)"
} | tee "$raw/summary.txt"
