#!/bin/bash
# QIDO-RS at scale on PostgreSQL: a private server, Mira's schema made by Mira's own migrations (mira serve --db),
# the index rows generated in PostgreSQL by generate.sql, then a real `mira serve --db` timed per query shape over HTTP.
# Usage: bench/qido-scale/run.sh [--instances N] [--reps R] [--out DIR] [--keep]
#   --instances  index size (default 10000000; 200 instances per patient, so N/200 patients)
#   --reps       timed requests per shape after a warm-up pass over the same keys (default 200)
#   --out        where results go (default bench/qido-scale/results-N); the database lives in a temp folder
#   --keep       keep the database folder (printed) instead of deleting it
#   --reuse DIR  time the shapes again on a database kept by --keep (after a change to Mira; no load)
# Environment: MIRA_BIN (else bench/.mira-build/mira, published once like bench/mira_ctl.sh), PGBIN,
#              QIDO_SHAPES (a regular expression: time only the shapes whose names match).
# Results in OUT: summary.txt (load time, sizes, per-shape latencies), sizes.tsv, latencies.tsv, plans.txt
# (auto_explain: EXPLAIN ANALYZE BUFFERS of every statement Mira ran for one request per shape), pg.log, mira.log.
# PostgreSQL settings: shared_buffers 1GB, effective_cache_size 12GB, random_page_cost 1.1 (SSD), work_mem 16MB for
# the queries; during the load only, maintenance_work_mem 1GB, synchronous_commit off, the table's secondary indexes
# dropped and rebuilt from their own definitions afterwards, and foreign-key triggers off (session_replication_role).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
instances=10000000; reps=200; out=; keep=0; reuse=
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) instances=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --reuse) reuse=$(cd "$2" && pwd); keep=1; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
patients=$(( (instances + 199) / 200 ))
out=${out:-$here/results-$instances}; mkdir -p "$out"; out=$(cd "$out" && pwd)
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
work=${reuse:-$(mktemp -d "${TMPDIR:-/tmp}/qido-scale.XXXXXX")}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
mira_pid=
cleanup() {
  [ -n "$mira_pid" ] && kill "$mira_pid" 2>/dev/null && wait "$mira_pid" 2>/dev/null || true
  [ -f "$work/pg.log" ] && cp "$work/pg.log" "$out/pg.log" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/pgdata" -m fast -w stop > /dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then echo "database kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

mira=${MIRA_BIN:-$root/bench/.mira-build/mira}
if [ ! -x "$mira" ]; then
  log "publishing mira (Release) to $root/bench/.mira-build ..."
  dotnet publish "$root/src/Mira.Cli" -c Release -r linux-x64 --self-contained false -o "$root/bench/.mira-build" > "$out/publish.log" 2>&1
fi

if [ -n "$reuse" ]; then
  port=$(cat "$work/port")
  as_pg "$pgbin/pg_ctl" -D "$work/pgdata" -l "$work/pg.log" -w -t 120 start > /dev/null
else
log "PostgreSQL: initdb in $work ($patients patients, $instances instances)"
as_pg "$pgbin/initdb" -D "$work/pgdata" -U postgres --auth=trust -E UTF8 > "$out/initdb.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >> "$work/pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
max_connections = 200
shared_buffers = 1GB
effective_cache_size = 12GB
work_mem = 16MB
maintenance_work_mem = 1GB
random_page_cost = 1.1
max_wal_size = 16GB
checkpoint_timeout = 30min
wal_level = minimal
max_wal_senders = 0
synchronous_commit = off
shared_preload_libraries = 'auto_explain,pg_stat_statements'
auto_explain.log_min_duration = -1
log_line_prefix = '%m [%p] '
CONF
as_pg "$pgbin/pg_ctl" -D "$work/pgdata" -l "$work/pg.log" -w -t 120 start > /dev/null
echo "$port" > "$work/port"
fi
psqlc() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
[ -n "$reuse" ] || psqlc -d postgres -c "CREATE DATABASE mira ENCODING 'UTF8' TEMPLATE template0"
psqlc -d mira -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" > /dev/null
db="Host=127.0.0.1;Port=$port;Username=postgres;Database=mira;Maximum Pool Size=50"

start_mira() {
  : > "$out/mira.log"
  MIRA_ADMIN_PASSWORD=${pw:-} setsid "$mira" serve --data "$work/data" --db "$db" --urls "http://127.0.0.1:0" --dimse-port 0 \
    >> "$out/mira.log" 2>&1 < /dev/null &
  mira_pid=$!
  base=
  for _ in $(seq 1 1200); do
    p=$(sed -n 's|^Mira is serving .* on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out/mira.log" | head -1 || true)
    if [ -n "$p" ] && curl -sf -o /dev/null "http://127.0.0.1:$p/health"; then base=http://127.0.0.1:$p; break; fi
    kill -0 "$mira_pid" 2>/dev/null || { cat "$out/mira.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$base" ] || { echo "mira did not start; see $out/mira.log" >&2; exit 1; }
}
stop_mira() { kill "$mira_pid"; wait "$mira_pid" 2>/dev/null || true; mira_pid=; }

if [ -n "$reuse" ]; then
  token=$(cat "$work/token"); rows=$(cat "$work/rows"); t0=0; t1=0; t2=0; t3=0
else
log "schema: mira serve --db runs Mira's migrations"
mkdir -p "$work/data"
pw=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
start_mira
token=$("$mira" token issue --user admin --data "$work/data" --db "$db" --label qido-scale --days 2 2>/dev/null | head -1)
[ -n "$token" ] || { echo "mira token issue failed" >&2; exit 1; }
stop_mira
psqlc -d mira -At -c "SELECT version || ' ' || name FROM mira_schema_migrations ORDER BY version" > "$out/migrations.txt" 2>/dev/null || true

log "load: generate.sql (secondary indexes dropped, rebuilt after)"
t0=$(date +%s.%N)
psqlc -d mira -At > "$work/indexdefs.sql" <<'SQL'
SELECT indexdef || ';' FROM pg_indexes i
WHERE schemaname = 'public' AND tablename IN ('patients', 'studies', 'series', 'instances')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
ORDER BY tablename, indexname;
SQL
sed -E 's/^CREATE (UNIQUE )?INDEX ([a-z0-9_]+) .*/DROP INDEX \2;/' "$work/indexdefs.sql" > "$work/dropindexes.sql"
cp "$work/indexdefs.sql" "$out/secondary-indexes.sql"
psqlc -d mira -f "$work/dropindexes.sql"
{ echo "SET session_replication_role = replica; SET qido.patients = '$patients';"; cat "$here/generate.sql"; } \
  | psqlc -d mira -At > /dev/null
t1=$(date +%s.%N)
psqlc -d mira -c "SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2;" -f "$work/indexdefs.sql"
t2=$(date +%s.%N)
psqlc -d mira -c "VACUUM (ANALYZE)"
t3=$(date +%s.%N)
psqlc -d postgres -c "ALTER SYSTEM SET synchronous_commit = on" -c "ALTER SYSTEM SET maintenance_work_mem = '256MB'" -c "SELECT pg_reload_conf()" > /dev/null
rows=$(psqlc -d mira -At -c "SELECT (SELECT count(*) FROM patients) || ' patients, ' || (SELECT count(*) FROM studies) || ' studies, ' || (SELECT count(*) FROM series) || ' series, ' || (SELECT count(*) FROM instances) || ' instances'")
log "loaded: $rows"

log "query keys: random samples"
psqlc -d mira -At -F $'\t' > "$work/keys.tsv" <<SQL
SELECT 'series', st.study_uid, se.series_uid FROM series se JOIN studies st ON st.id = se.study_fk
  WHERE se.id IN (SELECT 1 + (g * 7919 * 104729::bigint) % (SELECT max(id) FROM series) FROM generate_series(1, $reps) g)
UNION ALL
SELECT 'study', st.study_uid, st.accession_number || chr(9) || p.patient_id || chr(9) || st.study_date || chr(9) || p.patient_name
  FROM studies st JOIN patients p ON p.id = st.patient_fk
  WHERE st.id IN (SELECT 1 + (g * 7907 * 15485863::bigint) % (SELECT max(id) FROM studies) FROM generate_series(1, $reps) g);
SQL

echo "$token" > "$work/token"; echo "$rows" > "$work/rows"
fi
psqlc -d mira -At -F $'\t' > "$out/sizes.tsv" <<'SQL'
WITH n AS (SELECT count(*)::float AS n FROM instances)
SELECT 'relation', 'kind', 'bytes', 'bytes_per_instance'
UNION ALL
SELECT c.relname, CASE c.relkind WHEN 'r' THEN 'table (heap+toast)' ELSE 'index' END,
       (CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END)::text,
       round(((CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END) / n.n)::numeric, 1)::text
FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace, n
WHERE s.nspname = 'public' AND c.relkind IN ('r', 'i')
  AND (c.relname IN ('patients', 'studies', 'series', 'instances')
       OR c.oid IN (SELECT indexrelid FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname IN ('patients', 'studies', 'series', 'instances')))
UNION ALL
SELECT 'all four tables with indexes', 'total', sum(pg_total_relation_size(t))::text, round((sum(pg_total_relation_size(t)) / max(n.n))::numeric, 1)::text
FROM unnest(ARRAY['patients', 'studies', 'series', 'instances']::regclass[]) t, n;
SQL

start_mira
log "mira serving on $base; timing $reps requests per shape"
python3 "$here/qido_times.py" "$base/dicomweb" "$token" "$work/keys.tsv" "$reps" "$((instances / 200))" "$out" \
  "$pgbin/psql -X -q -At -h 127.0.0.1 -p $port -U postgres -d mira" "$work/pg.log"
stop_mira

{
  echo "QIDO-RS scale run, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $("$pgbin/postgres" --version)"
  echo "index: $rows"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -n "$reuse" ]; then echo "load: not repeated (--reuse of a kept database)"; else
  printf 'load: generate %.0f s, secondary indexes %.0f s, vacuum analyze %.0f s, total %.0f s\n' \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)" "$(echo "$t3 - $t0" | bc)"; fi
  echo; echo "sizes (bytes; per instance):"; column -t -s $'\t' "$out/sizes.tsv"
  echo; echo "latencies (ms; warm = after one pass over the same keys):"; column -t -s $'\t' "$out/latencies.tsv"
} > "$out/summary.txt"
cat "$out/summary.txt"
