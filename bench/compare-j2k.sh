#!/bin/sh
# Whole-process JPEG 2000 decode: `mira pixels` (one process over all files) vs `opj_decompress -ImgDir` (one process
# over the same codestreams, extracted with pydicom) on the corpus files in .4.90/.4.91/.4.201.
# Usage: bench/compare-j2k.sh [RUNS]     (RUNS default 5, after one warm-up of each)
# Environment: SHARED=the shared folder (default ../shared beside the repository root); MIRA_BIN=an already built
#   mira (else tools/publish.sh builds the native one); PYTHON=a python with pydicom (default /usr/bin/python3).
# Needs libopenjp2-7, libopenjp2-tools and python3-pydicom. Prints the median wall seconds of each and their ratio.
# Caveats: opj_decompress also writes a PNM file per frame (beside the codestreams, under TMPDIR); mira hashes
# nothing without --sha256 but does lay out the pydicom array; mira decodes files in parallel (one per core),
# opj_decompress one after the other with one thread; process start-up (.NET vs C) is included on purpose.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-5}
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
corpus=$shared/corpus
py=${PYTHON:-/usr/bin/python3}
command -v opj_decompress >/dev/null || { echo "opj_decompress missing: apt-get install libopenjp2-tools" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-j2k.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/cs"

# The corpus files in the JPEG 2000 / HTJ2K syntaxes that decode, and one codestream file per frame.
"$py" - "$corpus" "$work" <<'PY'
import os, sys
import warnings
warnings.simplefilter("ignore")
import pydicom
from pydicom.encaps import generate_pixel_data_frame
corpus, work = sys.argv[1], sys.argv[2]
syntaxes = {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201"}
skip = {"dicom/edge/JPEG2000-embedded-sequence-delimiter.dcm", "dicom/edge/emri_small_jpeg_2k_lossless_too_short.dcm"}
files = []
with open(os.path.join(corpus, "MANIFEST.tsv")) as m:
    next(m)
    for line in m:
        path = line.split("\t")[0]
        if path in skip or not path.endswith(".dcm"):
            continue
        full = os.path.join(corpus, path)
        try:
            ds = pydicom.dcmread(full)
        except Exception:
            continue
        if str(getattr(ds.file_meta, "TransferSyntaxUID", "")) not in syntaxes or "PixelData" not in ds:
            continue
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        for i, frame in enumerate(generate_pixel_data_frame(ds.PixelData, frames)):
            ext = ".jp2" if frame[:4] == b"\x00\x00\x00\x0c" else ".j2k"
            with open(os.path.join(work, "cs", "%03d_%02d%s" % (len(files), i, ext)), "wb") as f:
                f.write(frame)
        files.append(full)
with open(os.path.join(work, "files.txt"), "w") as f:
    f.write("\n".join(files) + "\n")
PY
nfiles=$(wc -l <"$work/files.txt")
nframes=$(ls "$work/cs" | wc -l)

mira=$("$here/mira-bin.sh" "$work")

# median of RUNS wall-clock timings of a command (after one warm-up)
median() {
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2; exit 1; }
  i=0
  while [ "$i" -lt "$runs" ]; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
    i=$((i + 1))
  done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'
}
mira_pixels() { xargs "$mira" pixels <"$work/files.txt"; }
opj_all() {
  rm -f "$work/cs/"*.pnm # -ImgDir writes each image beside its codestream
  opj_decompress -ImgDir "$work/cs" -OutFor PNM -quiet
}

t_mira=$(median mira_pixels)
t_opj=$(median opj_all)
echo "files: $nfiles ($nframes frames), runs: $runs (median wall seconds, one process each)"
printf '%-40s %8s\n' "mira pixels" "$t_mira" "opj_decompress -ImgDir (PNM out)" "$t_opj"
printf '%-40s %8s\n' "mira / opj_decompress" "$(echo "$t_mira / $t_opj" | bc -l | xargs printf '%.2f')"
