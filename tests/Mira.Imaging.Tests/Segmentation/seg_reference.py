#!/usr/bin/env python3
"""Independent reference for DicomSegReader: places each SEG frame on a grid with pydicom + numpy only.

For each file prints: grid size (columns, rows, slices), origin, slice step, and per segment the number of
foreground voxels and the slice index of each frame. Usage: seg_reference.py FILE.dcm...
"""
import sys
import numpy as np
import pydicom

for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    px = ds.pixel_array
    if px.ndim == 2:
        px = px[None]
    shared = ds.SharedFunctionalGroupsSequence[0]
    iop = np.array(shared.PlaneOrientationSequence[0].ImageOrientationPatient, float)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    frames = ds.PerFrameFunctionalGroupsSequence
    pos = np.array([f.PlanePositionSequence[0].ImagePositionPatient for f in frames], float)
    seg = [int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber) for f in frames]
    d = pos @ normal
    distinct = np.unique(np.round(d, 3))
    gaps = np.diff(distinct)
    step = gaps.min() if len(gaps) else float(shared.PixelMeasuresSequence[0].get("SpacingBetweenSlices", 1))
    k = np.rint((d - distinct[0]) / step).astype(int)
    nz = k.max() + 1
    if ds.SegmentationType == "FRACTIONAL":
        fg = px >= ds.MaximumFractionalValue / 2
    else:
        fg = px != 0
    origin = pos[np.argmin(d)]
    print(f"{path}: size {ds.Columns} {ds.Rows} {nz} origin {origin.round(4).tolist()} step {step:.4f}")
    for s in sorted(set(seg)):
        idx = [i for i in range(len(seg)) if seg[i] == s]
        vol = np.zeros((nz, ds.Rows, ds.Columns), bool)
        for i in idx:
            vol[k[i]] |= fg[i]
        print(f"  segment {s}: {int(vol.sum())} voxels, frames {[i + 1 for i in idx]} at slices {[int(k[i]) for i in idx]}")
