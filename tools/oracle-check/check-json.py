#!/usr/bin/env python3
"""Compare `mira dump --format json` with pydicom and dcmtk (dcm2json) on DICOM files outside the corpus.

    check-json.py MIRA FILE_OR_DIR... [--skip-corpus] [--keep DIR]

For each file it builds the two oracles exactly as ../shared/corpus/tools/make-oracles.py does (same
normalisation: long InlineBinary as sha256 BulkDataURIs, encapsulated Pixel Data as a placeholder), runs
mira once over all files, and judges each file as the corpus test does: equal to one oracle, or, where the
oracles disagree with each other, every element equal to one of them. Prints one line per failure and a
summary. Needs Debian's python3-pydicom and dcmtk; run it with /usr/bin/python3.
"""
import argparse, glob, hashlib, importlib.util, json, os, shutil, subprocess, sys, tempfile, warnings

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get("MIRA_SHARED") or os.path.join(here, "..", "..", "..", "shared")
spec = importlib.util.spec_from_file_location("make_oracles", os.path.join(shared, "corpus", "tools", "make-oracles.py"))
oracles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oracles)
warnings.simplefilter("ignore")


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(f for f in glob.glob(os.path.join(p, "**", "*"), recursive=True) if os.path.isfile(f))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mira")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--skip-corpus", action="store_true", help="leave out files whose SHA-256 is in the corpus manifest")
    ap.add_argument("--keep", help="folder for inputs, oracles and mira's output (default: a temporary one)")
    a = ap.parse_args()

    work = a.keep or tempfile.mkdtemp(prefix="mira-oracle-check-")
    inputs = os.path.join(work, "in")
    shutil.rmtree(inputs, ignore_errors=True)
    os.makedirs(inputs)
    known = set()
    if a.skip_corpus:
        with open(os.path.join(shared, "corpus", "MANIFEST.tsv")) as fh:
            known = {line.split("\t")[3] for line in fh.read().splitlines()[1:] if line}
    names = {}
    for f in collect(a.paths):
        with open(f, "rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() in known or len(data) < 132:
            continue
        name = "%04d_%s" % (len(names), os.path.basename(f))
        names[name] = f
        with open(os.path.join(inputs, name), "wb") as fh:
            fh.write(data)

    out = os.path.join(work, "mira")
    shutil.rmtree(out, ignore_errors=True)
    run = subprocess.run([a.mira, "dump", "-q", "--format", "json", "--out", out, inputs], capture_output=True, text=True)
    errors = {}
    for line in run.stderr.splitlines():
        path, _, msg = line.partition(": ")
        errors[os.path.basename(path)] = msg

    tally = {"pydicom": 0, "dcmtk": 0, "per element": 0, "no oracle": 0, "rejected by all": 0, "FAIL": 0, "mira error": 0}
    scratch = tempfile.mkdtemp()
    for name, original in sorted(names.items()):
        rec = oracles.dicom_oracle(os.path.join(inputs, name), name, os.path.join(work, "oracle"), scratch)
        mine = os.path.join(out, name + ".json")
        # As the corpus README says of no_meta.dcm: a file dcmtk rejects and pydicom only "reads" with force=True is
        # not DICOM; mira must reject it too.
        if rec.get("dcmtk_parse") != "ok" and "force=True" in rec.get("pydicom_parse", ""):
            if os.path.exists(mine):
                print("FAIL %s: mira read a file neither tool reads" % original)
                tally["FAIL"] += 1
            else:
                tally["rejected by all"] += 1
            continue
        found = {}
        for tool in ("pydicom", "dcmtk"):
            p = os.path.join(work, "oracle", "dicom-json", tool, name + ".json")
            if os.path.exists(p):
                with open(p) as fh:
                    o = json.load(fh)
                if o.get("7FE00010") == oracles.ENCAPSULATED_PLACEHOLDER:
                    del o["7FE00010"]  # mira leaves encapsulated Pixel Data out of its JSON
                found[tool] = o
        if not found:
            tally["no oracle"] += 1
            if os.path.exists(mine):
                print("mira read a file neither tool reads:", original)
            continue
        if not os.path.exists(mine):
            tally["mira error"] += 1
            print("MIRA ERROR %s: %s (oracles: %s)" % (original, errors.get(name, "?"), ", ".join(found)))
            continue
        with open(mine) as fh:
            m = oracles.normalise_bulk(json.load(fh))
        diffs = {tool: oracles.json_diff_tags(o, m) for tool, o in found.items()}
        equal = [tool for tool, d in diffs.items() if not d]
        if equal:
            tally[equal[0]] += 1
            continue
        if len(diffs) == 2:
            paths = [{d.split(" (")[0] for d in diffs[t]} for t in ("pydicom", "dcmtk")]
            if not paths[0] & paths[1]:
                tally["per element"] += 1
                continue
        tally["FAIL"] += 1
        print("FAIL %s: %s" % (original, {t: d[:8] for t, d in diffs.items()}))
    print("summary:", json.dumps(tally))
    return 1 if tally["FAIL"] or tally["mira error"] else 0


if __name__ == "__main__":
    sys.exit(main())
