#!/bin/bash
# Whole-process C-STORE ingest: Mira's listener against Orthanc's, with the peer harness in ../shared/bench,
# on the CT/MR/PET studies of a data set made by
#   ../shared/bench/gen_bench_data.py DATA --scale S --only ct,mr,pet
# Usage: bench/compare-dimse.sh DATA [RUNS]     (RUNS default 3; needs root for Orthanc's namespace)
# Environment: SHARED (default ../shared beside the repository), MIRA_BIN (skip the build), KEEP=dir (raw logs),
#              ASSOCIATIONS (mira send, default 4).
# Each cycle starts an empty server, sends every file, and is timed around the send alone (ingest_cycle.sh):
#   mira-send   mira send over ASSOCIATIONS associations to mira serve (AE MIRASCU)
#   storescu-mira     dcmtk storescu, one association, to mira serve     (ingest_cycle.sh mira_ctl.sh storescu)
#   storescu-orthanc  dcmtk storescu, one association, to Orthanc        (ingest_cycle.sh orthanc_ctl.sh storescu)
# Every cycle is verified: the server holds every instance (QIDO NumberOfStudyRelatedInstances sum).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$(cd "${1:?usage: compare-dimse.sh DATA [RUNS]}" && pwd)
runs=${2:-${RUNS:-3}}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
sb=$shared/bench
assoc=${ASSOCIATIONS:-4}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-dimse.XXXXXX")
raw=${KEEP:-$work/raw}; mkdir -p "$raw"
trap 'rm -rf "$work"' EXIT INT TERM

MIRA_BIN=$("$here/mira-bin.sh" "$work")
export MIRA_BIN
mctl=$here/mira_ctl.sh; octl=$sb/orthanc_ctl.sh
dirs=("$data/ct" "$data/mr" "$data/pet")
nfiles=$(find "${dirs[@]}" -name '*.dcm' | wc -l)
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'; }

# One mira-send cycle, shaped like ingest_cycle.sh: start, send (timed), verify, kill.
mira_send_cycle() {
  local w; w=$(mktemp -d "$work/cycle.XXXXXX")
  "$mctl" start "$w" > /dev/null
  . "$w/server.env"
  local t0 t1
  t0=$(date +%s.%N)
  "$MIRA_BIN" send "$DICOM_HOST" "$DICOM_PORT" --call "$DICOM_AET" --aet MIRASCU -j "$assoc" -q "${dirs[@]}" > "$w/send.txt"
  t1=$(date +%s.%N)
  echo "ingest_wall_s=$(echo "$t1 - $t0" | awk '{print $1 - $3}')"
  CURL_HOME=$w curl -s "$DICOMWEB_BASE/studies?includefield=00201208" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("instances_stored=%d" % sum(int(s.get("00201208",{}).get("Value",[0])[0]) for s in d))'
  "$mctl" kill "$w" > /dev/null 2>&1 || true
  rm -rf "$w"
}

for mode in mira-send storescu-mira storescu-orthanc; do : > "$raw/$mode.txt"; done
for r in $(seq 1 "$runs"); do
  mira_send_cycle >> "$raw/mira-send.txt"
  VERIFY=1 "$sb/ingest_cycle.sh" "$mctl" storescu "$work/cycles" "${dirs[@]}" >> "$raw/storescu-mira.txt"
  VERIFY=1 "$sb/ingest_cycle.sh" "$octl" storescu "$work/cycles" "${dirs[@]}" >> "$raw/storescu-orthanc.txt"
done

echo "files: $nfiles   runs: $runs   load: $(cut -d' ' -f1-3 /proc/loadavg)   cpus: $(nproc)"
declare -A rate
for mode in mira-send storescu-mira storescu-orthanc; do
  stored=$(grep -o 'instances_stored=[0-9]*' "$raw/$mode.txt" | cut -d= -f2 | sort -u | tr '\n' ' ')
  t=$(grep -o 'ingest_wall_s=[0-9.]*' "$raw/$mode.txt" | cut -d= -f2 | median)
  rate[$mode]=$(awk -v n="$nfiles" -v t="$t" 'BEGIN {printf "%.1f", n / t}')
  printf '%-17s median %7.3f s  %7s instances/s  stored: %s\n' "$mode" "$t" "${rate[$mode]}" "$stored"
done
awk -v A="$assoc" -v a="${rate[mira-send]}" -v b="${rate[storescu-mira]}" -v c="${rate[storescu-orthanc]}" 'BEGIN {
  printf "mira send (" A " assoc) / storescu->Orthanc: %.1fx   storescu->Mira / storescu->Orthanc: %.1fx   mira send / storescu->Mira: %.1fx\n", a / c, b / c, a / b }'
