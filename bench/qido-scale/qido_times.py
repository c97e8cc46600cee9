#!/usr/bin/env python3
"""Times QIDO-RS shapes against a running mira serve (bench/qido-scale/run.sh calls it).
Usage: qido_times.py BASE TOKEN KEYS.tsv REPS NSTUDIES OUT "PSQL COMMAND" PG.LOG   (environment: QIDO_SHAPES=REGEX)
For each shape: one request with auto_explain on (EXPLAIN ANALYZE BUFFERS of every statement, kept in OUT/plans.txt),
a first pass over REPS keys (mostly cold cache at large scale), then a timed warm pass over the same keys.
Writes OUT/latencies.tsv: shape, results of the first request, first-pass median, warm median, p95, max (ms), and the
database's own time per request in the warm pass (pg_stat_statements: the QIDO statements' execution time summed,
divided by the requests; the rest of a request is token check, audit record, JSON and HTTP)."""
import datetime, http.client, json, re, statistics, subprocess, sys, time, urllib.parse

base, token, keys_file, reps, nstudies, out, psql, pglog = sys.argv[1:9]
reps, nstudies = int(reps), int(nstudies)
u = urllib.parse.urlsplit(base)
series, studies = [], []
for line in open(keys_file):
    f = line.rstrip("\n").split("\t")
    if f[0] == "series": series.append((f[1], f[2]))
    else: studies.append(dict(uid=f[1], acc=f[2], pid=f[3], date=f[4], name=f[5]))

def d30(d):
    x = datetime.date(int(d[:4]), int(d[4:6]), int(d[6:8]))
    return f"{d}-{(x + datetime.timedelta(days=30)):%Y%m%d}"

q = urllib.parse.quote
shapes = [
    ("no match (StudyInstanceUID not in the index): the floor of a request (token, audit, HTTP)", lambda i: "/studies?StudyInstanceUID=1.2.3.%d" % i),
    ("instances in one series", lambda i: "/studies/%s/series/%s/instances" % series[i % len(series)]),
    ("series of one study", lambda i: "/studies/%s/series" % studies[i % len(studies)]["uid"]),
    ("instances of one study", lambda i: "/studies/%s/instances" % studies[i % len(studies)]["uid"]),
    ("studies by PatientID", lambda i: "/studies?PatientID=" + q(studies[i % len(studies)]["pid"])),
    ("studies by StudyInstanceUID", lambda i: "/studies?StudyInstanceUID=" + studies[i % len(studies)]["uid"]),
    ("studies by AccessionNumber", lambda i: "/studies?AccessionNumber=" + studies[i % len(studies)]["acc"]),
    ("studies by PatientName (exact, case-insensitive)", lambda i: "/studies?PatientName=" + q(studies[i % len(studies)]["name"].lower())),
    ("studies by PatientName surname^initial* (limit 100)", lambda i: "/studies?limit=100&PatientName=" + q(studies[i % len(studies)]["name"][:studies[i % len(studies)]["name"].index("^") + 2] + "*")),
    ("studies by PatientName prefix (3 letters*, limit 100)", lambda i: "/studies?limit=100&PatientName=" + q(studies[i % len(studies)]["name"][:3] + "*")),
    ("studies by StudyDate 30-day range + ModalitiesInStudy=MR (limit 100)", lambda i: "/studies?limit=100&ModalitiesInStudy=MR&StudyDate=" + d30(studies[i % len(studies)]["date"])),
    ("studies, first page (limit 100)", lambda i: "/studies?limit=100"),
    ("studies, page at offset 10000-11000 (limit 100)", lambda i: "/studies?limit=100&offset=%d" % min(10000 + i * 7 % 1000, max(nstudies - 100, 0))),
    ("studies, page at a random offset in the first half (limit 100)", lambda i: "/studies?limit=100&offset=%d" % ((i * 7919 * 104729) % max(nstudies // 2, 1))),
]

# QIDO_SHAPES (a regular expression) times only the shapes whose names match, e.g. to re-time two of them.
import os
shapes = [s for s in shapes if re.search(os.environ.get("QIDO_SHAPES", ""), s[0])]

conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
headers = {"Authorization": "Bearer " + token, "Accept": "application/dicom+json"}

def get(path):
    t = time.perf_counter()
    conn.request("GET", u.path + path, headers=headers)
    r = conn.getresponse(); body = r.read()
    ms = (time.perf_counter() - t) * 1000
    if r.status not in (200, 204): raise SystemExit(f"{path}: HTTP {r.status} {body[:300]!r}")
    return ms, (len(json.loads(body)) if body.strip() else 0)

def sql(*s): return subprocess.run(psql.split() + [a for x in s for a in ("-c", x)], check=True, capture_output=True, text=True).stdout

QIDO_SQL = "query LIKE 'SELECT st.id AS Id%' OR query LIKE 'SELECT se.id AS Id%' OR query LIKE 'SELECT i.id AS Id%' OR query LIKE 'SELECT DISTINCT study_fk%'"

def p95(xs): return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]

# One request per shape with auto_explain (ANALYZE, BUFFERS) on; pg.log gets the plans of the SQL Mira sends.
offset = len(open(pglog, "rb").read())
sql("ALTER SYSTEM SET auto_explain.log_min_duration = 0", "ALTER SYSTEM SET auto_explain.log_analyze = on", "ALTER SYSTEM SET auto_explain.log_buffers = on")
sql("SELECT pg_reload_conf()"); time.sleep(1)
counts = {}
for name, path in shapes:
    sql(f"DO $$BEGIN RAISE LOG 'qido-scale shape: {name}'; END$$")
    _, counts[name] = get(path(0))
    time.sleep(0.2)
sql("ALTER SYSTEM SET auto_explain.log_min_duration = -1", "ALTER SYSTEM SET auto_explain.log_analyze = off", "ALTER SYSTEM SET auto_explain.log_buffers = off")
sql("SELECT pg_reload_conf()"); time.sleep(1)
with open(pglog, "rb") as f, open(out + "/plans.txt", "wb") as o:  # the token's hash is left out of the record
    f.seek(offset); o.write(re.sub(rb"(token_hash = )'[0-9a-f]{64}'", rb"\1'<sha-256 of the run's bearer token>'", f.read()))

with open(out + "/latencies.tsv", "w") as o:
    o.write("shape\tresults\tfirst_pass_median_ms\twarm_median_ms\twarm_p95_ms\twarm_max_ms\tdb_ms_per_request\tpath_example\n")
    for name, path in shapes:
        first = [get(path(i))[0] for i in range(reps)]
        sql("SELECT pg_stat_statements_reset()")
        warm = [get(path(i))[0] for i in range(reps)]
        db = float(sql(f"SELECT COALESCE(sum(total_exec_time), 0) FROM pg_stat_statements WHERE {QIDO_SQL}").strip() or 0) / reps
        row = f"{name}\t{counts[name]}\t{statistics.median(first):.2f}\t{statistics.median(warm):.2f}\t{p95(warm):.2f}\t{max(warm):.2f}\t{db:.2f}\t{path(0)[:90]}"
        print(row, flush=True); o.write(row + "\n")
