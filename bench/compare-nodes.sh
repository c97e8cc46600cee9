#!/bin/bash
# Ingest with one node vs two (issue 20), whole processes on this machine: a private PostgreSQL, a real S3 protocol
# server (npm s3rver, the test fixture's copy), haproxy in front, and one or two `mira serve` nodes over them. The
# bench studies (../shared/bench/gen_bench_data.py DATA --scale SCALE --only ct,mr,pet) are posted as STOW-RS bodies of
# STOW_BATCH instances, CLIENTS requests at a time, through the balancer into an empty database and bucket prefix.
# Reports, per node count: instances/s (median of RUNS), and the CPU seconds per instance of each node, of PostgreSQL,
# of s3rver and of haproxy (from /proc: utime + stime before and after the ingest).
# Usage: bench/compare-nodes.sh [RUNS]        (RUNS default 3)
# Environment: SCALE (1.0), STOW_BATCH (10), CLIENTS (4), MIRA_BIN, SHARED, KEEP=dir (logs), S3RVER_DIR (the folder
#              whose node_modules holds s3rver; default tests/Mira.Testing/s3rver, where the tests' `npm ci` puts it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
runs=${1:-${RUNS:-3}}
scale=${SCALE:-1.0}; batch=${STOW_BATCH:-10}; clients=${CLIENTS:-4}
py=${PYTHON:-/usr/bin/python3}
s3dir=${S3RVER_DIR:-$root/tests/Mira.Testing/s3rver}
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-nodes.XXXXXX")
out=${KEEP:-$work/out}; mkdir -p "$out"
pids=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# CPU seconds (utime + stime) of a set of processes.
cpu_of() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
ticks=$(getconf CLK_TCK)

[ -d "$s3dir/node_modules/s3rver" ] || (cd "$s3dir" && npm ci --no-audit --no-fund > /dev/null)
mira=$("$here/mira-bin.sh" "$work")

echo "generating the bench studies (scale $scale) and STOW bodies of $batch ..." >&2
"$py" "$shared/bench/gen_bench_data.py" "$work/data" --scale "$scale" --only ct,mr,pet > /dev/null
STOW_BATCH=$batch "$shared/bench/stow_prep.sh" "$work/bodies" "$work/data" > /dev/null
instances=$(find "$work/data" -name '*.dcm' | wc -l)
# A warm-up set (other patients: another seed), posted through the balancer before each measurement, so that every
# node has compiled its ingest path (tiered JIT) and opened its connections: the figures are of warm nodes.
"$py" "$shared/bench/gen_bench_data.py" "$work/warm" --scale 0.1 --seed 99 --only ct,mr > /dev/null
STOW_BATCH=$batch "$shared/bench/stow_prep.sh" "$work/warm-bodies" "$work/warm" > /dev/null
warm=$(find "$work/warm" -name '*.dcm' | wc -l)
boundary=BenchBoundary7d3f0e1a

# PostgreSQL: private, loopback, default durability (synchronous commit on).
pgport=$(free_port); mkdir -p "$work/pg"; [ "$(id -u)" = 0 ] && chown postgres "$work" "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 > /dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=300" -l "$work/pg/log" -w start > /dev/null
# PostgreSQL's CPU: every backend, including those started during the ingest (pid:ticks lines, differenced by pid).
pg_snapshot() { local m p; m=$(head -1 "$work/pg/postmaster.pid"); for p in $m $(pgrep -P "$m"); do echo "$p:$(cpu_of "$p")"; done; }
pg_delta() { awk -F: 'NR == FNR { b[$1] = $2; next } { t += $2 - ($1 in b ? b[$1] : 0) } END { print t + 0 }' "$1" "$2"; }

# s3rver: one bucket; each run writes under its own prefix.
s3port=$(free_port); mkdir -p "$work/s3"
setsid node "$s3dir/node_modules/s3rver/bin/s3rver.js" --address 127.0.0.1 --port "$s3port" --directory "$work/s3" \
  --configure-bucket bench > "$out/s3rver.log" 2>&1 < /dev/null &
s3pid=$!; pids+=($s3pid); disown
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1

run_once() { # NODES RUN → prints "rate cpu_node1 [cpu_node2] cpu_pg cpu_s3 cpu_haproxy" (CPU in s/instance)
  local n=$1 r=$2 db="bench_${1}_${2}" node_pids=() ports=() i
  as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qc "CREATE DATABASE $db" > /dev/null
  local cs="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=$db"
  local password; password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  for i in $(seq 1 "$n"); do
    local port; port=$(free_port); ports+=("$port")
    MIRA_ADMIN_PASSWORD=$password setsid "$mira" serve --data "$work/node-$n-$r-$i" --db "$cs" --blobs "s3://bench/run-$n-$r" \
      --s3-endpoint "http://127.0.0.1:$s3port" --urls "http://127.0.0.1:$port" --dimse-port 0 > "$out/node-$n-$r-$i.log" 2>&1 < /dev/null &
    node_pids+=($!); pids+=($!); disown
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.1; done
  done
  local lb; lb=$(free_port)
  { printf 'global\n  maxconn 512\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 300s\n  timeout server 300s\n'
    printf 'frontend web\n  bind 127.0.0.1:%s\n  default_backend nodes\nbackend nodes\n  balance roundrobin\n' "$lb"
    for i in "${!ports[@]}"; do printf '  server n%s 127.0.0.1:%s\n' "$i" "${ports[$i]}"; done; } > "$work/haproxy-$n-$r.cfg"
  setsid haproxy -db -f "$work/haproxy-$n-$r.cfg" > "$out/haproxy-$n-$r.log" 2>&1 < /dev/null &
  local hpid=$!; pids+=($hpid); disown
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$lb/health" && break; sleep 0.1; done
  local auth="admin:$password"
  post_all() { find "$1" -name '*.body' | sort | xargs -P "$clients" -I{} curl -sf -o /dev/null -u "$auth" -X POST -H 'Expect:' \
    -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$boundary" -H 'Accept: application/dicom+json' \
    --data-binary @{} "http://127.0.0.1:$lb/dicomweb/studies"; }
  post_all "$work/warm-bodies"
  local before=() after=() b_pg b_s3 b_hp
  for p in "${node_pids[@]}"; do before+=("$(cpu_of "$p")"); done
  pg_snapshot > "$work/pg-before"; b_pg=0; b_s3=$(cpu_of $s3pid); b_hp=$(cpu_of $hpid)
  local t0 t1; t0=$(date +%s.%N)
  post_all "$work/bodies"
  t1=$(date +%s.%N)
  for p in "${node_pids[@]}"; do after+=("$(cpu_of "$p")"); done
  pg_snapshot > "$work/pg-after"
  local a_pg a_s3 a_hp; a_pg=$(pg_delta "$work/pg-before" "$work/pg-after"); a_s3=$(cpu_of $s3pid); a_hp=$(cpu_of $hpid)
  local stored; stored=$(curl -sf -u "$auth" "http://127.0.0.1:${ports[0]}/dicomweb/studies?includefield=00201208" |
    "$py" -c 'import json,sys; print(sum(int(s.get("00201208",{}).get("Value",[0])[0]) for s in json.load(sys.stdin)))')
  [ "$stored" = "$((instances + warm))" ] || { echo "run $n/$r stored $stored of $((instances + warm)) instances" >&2; exit 1; }
  local line; line=$(awk -v a="$t0" -v b="$t1" -v n="$instances" 'BEGIN { printf "%.1f", n / (b - a) }')
  for i in "${!node_pids[@]}"; do line+=" $(awk -v x="${before[$i]}" -v y="${after[$i]}" -v t="$ticks" -v n="$instances" 'BEGIN { printf "%.4f", (y - x) / t / n }')"; done
  for pair in "$b_pg $a_pg" "$b_s3 $a_s3" "$b_hp $a_hp"; do
    line+=" $(echo "$pair" | awk -v t="$ticks" -v n="$instances" '{ printf "%.4f", ($2 - $1) / t / n }')"
  done
  for p in "${node_pids[@]}" "$hpid"; do kill -KILL "$p" 2>/dev/null || true; done
  echo "$line"
}

echo "instances: $instances (scale $scale), STOW bodies of $batch, $clients clients, $(nproc) cores" | tee "$out/summary.txt"
for n in 1 2; do
  for r in $(seq 1 "$runs"); do
    res=$(run_once "$n" "$r"); echo "nodes=$n run=$r $res" | tee -a "$out/runs.txt"
  done
done
"$py" - "$out/runs.txt" <<'PY' | tee -a "$out/summary.txt"
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split(); n = int(f[0].split("=")[1]); rows.setdefault(n, []).append([float(x) for x in f[2:]])
# CPU per instance of all nodes together (each node's CPU divided by every instance of the run), and its split.
print("| nodes | instances/s (median) | Mira CPU per instance, all nodes (split) | PostgreSQL | s3rver | haproxy |")
print("| --- | --- | --- | --- | --- | --- |")
for n, rs in sorted(rows.items()):
    med = lambda i: statistics.median(r[i] for r in rs)
    total = statistics.median(sum(r[1:1 + n]) for r in rs)
    split = " + ".join(f"{med(1 + i) * 1000:.2f}" for i in range(n))
    print(f"| {n} | {med(0):.1f} | {total * 1000:.2f} ms ({split}) | {med(1 + n) * 1000:.2f} ms | {med(2 + n) * 1000:.2f} ms | {med(3 + n) * 1000:.2f} ms |")
PY
