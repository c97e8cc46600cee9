#!/usr/bin/python3
"""Latency runs of bench/compare-deployment.sh: per run a fresh bench CT (another seed), storescu as CT1 to Mira,
then Orthanc's /instances polled every 20 ms until one more instance is listed. Prints one line per run and the median."""
import argparse
import json
import statistics
import subprocess
import time
import urllib.request


def count(orthanc):
    with urllib.request.urlopen(orthanc + "/instances") as r:
        return len(json.load(r))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen"); ap.add_argument("--work"); ap.add_argument("--scale"); ap.add_argument("--runs", type=int)
    ap.add_argument("--mira-port"); ap.add_argument("--orthanc"); ap.add_argument("--settle", type=float)
    a = ap.parse_args()
    latencies = []
    for run in range(a.runs):
        data = f"{a.work}/ct-{run}"
        subprocess.run(["/usr/bin/python3", a.gen, data, "--only", "ct", "--seed", str(7000 + run), "--scale", a.scale, "--jobs", "2"],
                       check=True, stdout=subprocess.DEVNULL)
        before = count(a.orthanc)
        started = time.monotonic()
        subprocess.run(["storescu", "-aet", "CT1", "-aec", "MIRA", "+sd", "127.0.0.1", a.mira_port, f"{data}/ct"], check=True)
        sent = time.monotonic()
        deadline = sent + 1800
        while count(a.orthanc) <= before:
            if time.monotonic() > deadline:
                raise SystemExit("no result at Orthanc within 30 minutes")
            time.sleep(0.02)
        arrived = time.monotonic()
        latency = arrived - sent
        latencies.append(latency)
        print(f"run {run + 1}: storescu {sent - started:.2f} s; last C-STORE response → result at Orthanc {latency:.2f} s "
              f"({latency - a.settle:.2f} s without the {a.settle:g} s settle time)", flush=True)
    m = statistics.median(latencies)
    print(f"median latency {m:.2f} s ({m - a.settle:.2f} s without the settle time) over {len(latencies)} runs "
          f"(min {min(latencies):.2f}, max {max(latencies):.2f})")


if __name__ == "__main__":
    main()
