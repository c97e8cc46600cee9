#!/usr/bin/python3
"""Overhead run of bench/compare-deployment.sh: the series sent as CT2 (rule ct-overhead, the timing network), the
deployment job found with `mira jobs list`, its wall time taken from its log (the worker started → the result sent)
and from the job table (claimed → succeeded), against raw ONNX Runtime's run_ms for the same series."""
import argparse
import datetime
import json
import subprocess
import time
import urllib.request


def count(orthanc):
    with urllib.request.urlopen(orthanc + "/instances") as r:
        return len(json.load(r))


def stamp(line):
    return datetime.datetime.fromisoformat(line.split(" ", 1)[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--series"); ap.add_argument("--mira"); ap.add_argument("--data"); ap.add_argument("--mira-port")
    ap.add_argument("--orthanc"); ap.add_argument("--raw")
    a = ap.parse_args()
    raw = {k: float(v) for k, v in (l.split("\t") for l in open(a.raw) if "\t" in l and l.split("\t")[0].endswith("_ms"))}
    before = count(a.orthanc)
    subprocess.run(["storescu", "-aet", "CT2", "-aec", "MIRA", "+sd", "127.0.0.1", a.mira_port, a.series], check=True)
    deadline = time.monotonic() + 3600
    while count(a.orthanc) <= before:
        if time.monotonic() > deadline:
            raise SystemExit("no result at Orthanc within an hour")
        time.sleep(0.05)
    jobs = subprocess.run([a.mira, "jobs", "list", "--kind", "deployment.infer", "--data", a.data], check=True, capture_output=True, text=True).stdout
    job = [l.split("\t")[0] for l in jobs.splitlines()[1:] if "\tae:CT2\t" in l][-1]
    time.sleep(1)
    log = subprocess.run([a.mira, "jobs", "log", job, "--data", a.data], check=True, capture_output=True, text=True).stdout.splitlines()
    start = next(stamp(l) for l in log if " running " in l and " in a worker" in l)
    end = next(stamp(l) for l in log if "C-STORE to ORTHANC" in l)
    deployed_ms = (end - start).total_seconds() * 1000
    run_ms = raw["run_ms"]
    print(f"raw ONNX Runtime: InferenceSession.Run {run_ms:.0f} ms (tensor made before timing: decode {raw.get('decode_ms', 0):.0f} ms, "
          f"session {raw.get('session_ms', 0):.0f} ms)")
    print(f"deployed: worker start → result accepted by Orthanc {deployed_ms:.0f} ms")
    print(f"inference overhead (deployed − raw) / raw: {(deployed_ms - run_ms) / run_ms * 100:+.1f} %")


if __name__ == "__main__":
    main()
