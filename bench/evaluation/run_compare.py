#!/usr/bin/python3
"""Times `mira eval offline` against raw ONNX Runtime inference on the same cases (bench/compare-evaluation.sh).

  run_compare.py --mira MIRA --raw 'COMMAND ...' --package PKG --data DATA --work DIR [--threads 2] [--runs 5]

DATA is a test set folder (images/, labels/, cases.tsv). --raw is the raw baseline's command line without its
arguments (e.g. 'dotnet bench/.../Mira.Benchmarks.dll'); it gets `raw-inference PKG DATA/images THREADS`.
One uncounted warm-up of each, then RUNS pairs, raw then evaluation, one after the other. Each evaluation keeps its
predictions (predictions.json: the worker's own timings) and must give, case by case, the label voxel counts the raw
run gave (the same inputs through the same model). Prints the figures per run and the median / min / max.
"""
import argparse
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time

SUMMARY = re.compile(r"worker ([0-9.]+) s \(ONNX Runtime ([0-9.]+) s\), scoring ([0-9.]+) s, total ([0-9.]+) s(.*)$", re.M)


def timed(cmd, log):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timed.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)  # the process and the children it waited for
    with open(log, "w") as f:
        f.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + p.stdout + p.stderr)
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s%s" % (p.returncode, " ".join(cmd), p.stdout[-2000:], p.stderr[-4000:]))
    return wall, p.stdout


def raw_run(a, i):
    wall, out = timed(shlex.split(a.raw) + ["raw-inference", a.package, os.path.join(a.data, "images"), str(a.threads)],
                      os.path.join(a.work, "raw-%d.log" % i))
    r = {"process_s": wall, "process_cpu_s": timed.cpu, "labels": {}}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "case":
            r["labels"][f[1]] = int(f[3])
        elif len(f) == 2:
            r[f[0].replace("_ms", "_s")] = float(f[1]) / 1000
    return r


def eval_run(a, i):
    report, predictions = os.path.join(a.work, "report-%d" % i), os.path.join(a.work, "predictions-%d" % i)
    cmd = [a.mira, "eval", "offline", "--model", a.package, "--images", os.path.join(a.data, "images"),
           "--labels", os.path.join(a.data, "labels"), "--cases", os.path.join(a.data, "cases.tsv"), "--out", report,
           "--predictions", predictions, "--threads", str(a.threads), "--key", os.path.join(a.work, "signing.pem")]
    wall, out = timed(cmd, os.path.join(a.work, "eval-%d.log" % i))
    m = SUMMARY.search(out)
    if not m:
        sys.exit("mira eval offline printed no timing line:\n" + out)
    p = json.load(open(os.path.join(predictions, "predictions.json")))
    t = p["totals"]
    r = {"process_s": wall, "process_cpu_s": timed.cpu, "worker_s": float(m.group(1)), "runner_total_s": float(m.group(4)), "scoring_s": float(m.group(3)),
         "isolated": "WITH network" not in m.group(5), "printed": out.strip().splitlines()[1:2]}
    for k in ("wallMs", "sessionMs", "loadMs", "preprocessMs", "inferenceMs", "postprocessMs"):
        r[k.replace("Ms", "_s")] = t[k] / 1000
    r["labels"] = {c["case"]: int(c.get("labelVoxels", {}).get("1", 0)) for c in p["cases"] if c["status"] == "ok"}
    if t["failed"]:
        sys.exit("the worker failed %d case(s): %s" % (t["failed"], predictions))
    return r


def stats(v):
    return statistics.median(v), min(v), max(v)


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--mira", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    print("warm-up (uncounted): raw, then evaluation ...", file=sys.stderr)
    raw_run(a, 0)
    eval_run(a, 0)
    pairs = []
    for i in range(1, a.runs + 1):
        r, e = raw_run(a, i), eval_run(a, i)
        if r["labels"] != e["labels"]:
            sys.exit("run %d: the evaluation's label maps differ from the raw run's:\nraw  %s\neval %s" % (i, r["labels"], e["labels"]))
        pairs.append((r, e))
        print("run %d: raw Run %.2f s, evaluation %.2f s, ratio %.3f" % (i, r["run_s"], e["process_s"], e["process_s"] / r["run_s"]), file=sys.stderr)
    json.dump([{"raw": r, "eval": e} for r, e in pairs], open(os.path.join(a.work, "runs.json"), "w"), indent=1)

    cases = len(pairs[0][0]["labels"])
    rows = [
        ("raw: InferenceSession.Run, summed over the cases  (R)", [r["run_s"] for r, _ in pairs]),
        ("raw: decode + tensors (untimed part, for reference)", [r["decode_s"] for r, _ in pairs]),
        ("raw: session creation (not in R)", [r["session_s"] for r, _ in pairs]),
        ("raw: whole process", [r["process_s"] for r, _ in pairs]),
        ("raw: Run, CPU seconds (user + sys, all threads)", [r["run_cpu_s"] for r, _ in pairs]),
        ("raw: whole process, CPU seconds", [r["process_cpu_s"] for r, _ in pairs]),
        ("evaluation: whole process `mira eval offline`  (E)", [e["process_s"] for _, e in pairs]),
        ("evaluation: whole process, CPU seconds (with the worker)", [e["process_cpu_s"] for _, e in pairs]),
        ("  eval process start + exit (E - runner total)", [e["process_s"] - e["runner_total_s"] for _, e in pairs]),
        ("  runner total, in process  (T)", [e["runner_total_s"] for _, e in pairs]),
        ("    worker process, wall  (W)", [e["worker_s"] for _, e in pairs]),
        ("      worker process start + exit (W - w)", [e["worker_s"] - e["wall_s"] for _, e in pairs]),
        ("      worker in process  (w, predictions.json wallMs)", [e["wall_s"] for _, e in pairs]),
        ("        session creation", [e["session_s"] for _, e in pairs]),
        ("        DICOM load + SUVbw", [e["load_s"] for _, e in pairs]),
        ("        preprocess", [e["preprocess_s"] for _, e in pairs]),
        ("        ONNX Runtime (inferenceMs)  (I)", [e["inference_s"] for _, e in pairs]),
        ("        postprocess", [e["postprocess_s"] for _, e in pairs]),
        ("        rest: NIfTI writes, predictions.json", [e["wall_s"] - e["session_s"] - e["load_s"] - e["preprocess_s"] - e["inference_s"] - e["postprocess_s"] for _, e in pairs]),
        ("    scoring (engine, bootstrap CIs)", [e["scoring_s"] for _, e in pairs]),
        ("    rest: package, test set read + hash, report, signing", [e["runner_total_s"] - e["worker_s"] - e["scoring_s"] for _, e in pairs]),
    ]
    print("%d cases, --threads %d, %d runs (+1 warm-up each); seconds: median (min - max)" % (cases, a.threads, len(pairs)))
    print("| %-62s | %-24s |" % ("measurement", "s"))
    print("| %s | %s |" % ("-" * 62, "-" * 24))
    for name, v in rows:
        md, lo, hi = stats(v)
        print("| %-62s | %7.3f (%.3f - %.3f) |" % (name, md, lo, hi))
    ov = [(e["process_s"] - r["run_s"]) / r["run_s"] for r, e in pairs]
    ov_nostart = [(e["runner_total_s"] - (e["worker_s"] - e["wall_s"]) - r["run_s"]) / r["run_s"] for r, e in pairs]
    ort = [e["inference_s"] / r["run_s"] for r, e in pairs]
    from_dicom = [r["run_s"] + r["decode_s"] + r["session_s"] for r, _ in pairs]
    ov_dicom = [(e["process_s"] - d) / d for (_, e), d in zip(pairs, from_dicom)]
    ov_same = [(e["process_s"] - e["inference_s"]) / e["inference_s"] for _, e in pairs]
    non_inference = [e["process_s"] - e["inference_s"] for _, e in pairs]
    print()
    for name, v in [("overhead (E - R) / R", ov), ("overhead, both process starts excluded (T - (W - w) - R) / R", ov_nostart),
                    ("overhead over raw from DICOM (decode + session + Run)", ov_dicom),
                    ("overhead over the run's own ONNX Runtime time (E - I) / I", ov_same),
                    ("ONNX Runtime in the worker / raw (I / R - 1)", [x - 1 for x in ort])]:
        md, lo, hi = stats(v)
        print("%-66s %+7.1f %%  (min %+.1f %%, max %+.1f %%)" % (name, 100 * md, 100 * lo, 100 * hi))
    md, lo, hi = stats(non_inference)
    print("%-66s %7.3f s (min %.3f, max %.3f)" % ("evaluation time outside ONNX Runtime (E - I)", md, lo, hi))
    print("worker network isolation (unshare --net): %s" % ("yes" if all(e["isolated"] for _, e in pairs) else "NO (no user namespaces here)"))
    md = statistics.median(ov)
    print("target overhead <= 10 %%: %s" % ("met" if md <= 0.10 else "NOT met"))


if __name__ == "__main__":
    main()
