#!/usr/bin/python3
"""Builds the model package that bench/compare-evaluation.sh times: a TIMING WORKLOAD, NOT A MODEL.

  /usr/bin/python3 bench/evaluation/build_timing_model.py OUT_FOLDER [WIDTHS]

OUT_FOLDER receives model.onnx and mira-model.json (a package as docs/models.md describes it). The network is a 3D
convolutional net of realistic width over the whole PET volume (NCDHW, any size: fully convolutional, padding 1):

  suv -> Conv3d 1->16 -> ReLU -> Conv3d 16->32 -> ReLU -> Conv3d 32->32 -> ReLU -> Conv3d 32->16 -> ReLU   (3x3x3)
      -> Conv3d 16->2 (1x1x1) = head;  logits = head + [0, suv - 2.5];  labels = ArgMax over the 2 channels

about 55,700 multiply-adds per voxel (14.6 G for a 128 x 128 x 16 volume). WIDTHS (default 1,16,32,32,16) sets the
channels of the 3x3x3 layers: 1,32,64,64,32 costs four times as much (221,000 per voxel). The weights are random (He-scaled, numpy
seed 2026) and fixed, never trained: they make the convolutions cost what a real network's do. The skip path (SUV minus
2.5, the classic SUV threshold) dominates the small head, so the label maps look like lesion masks (hot spheres plus
some myocardium) and the evaluation scores ordinary masks, not noise. Debian python3-onnx 1.12, opset 17, IR 8; the
file is byte for byte the same on every run.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 2026
WIDTHS = [1, 16, 32, 32, 16]
SUV_THRESHOLD = 2.5
HEAD_STD = 0.25  # the head's output is ~ this many SUV units: a perturbation of the threshold, not the decision


def build(widths):
    rng = np.random.RandomState(SEED)
    dims = ["N", 1, "D", "H", "W"]
    suv = helper.make_tensor_value_info("suv", TensorProto.FLOAT, dims)
    labels = helper.make_tensor_value_info("labels", TensorProto.INT64, dims)
    inits, nodes, x = [], [], "suv"
    for i, (cin, cout) in enumerate(zip(widths[:-1], widths[1:])):
        w = (rng.standard_normal((cout, cin, 3, 3, 3)) * np.sqrt(2.0 / (cin * 27))).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.01).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"conv{i}.w"), numpy_helper.from_array(b, f"conv{i}.b")]
        nodes += [helper.make_node("Conv", [x, f"conv{i}.w", f"conv{i}.b"], [f"conv{i}"], pads=[1] * 6, name=f"conv{i}"),
                  helper.make_node("Relu", [f"conv{i}"], [f"relu{i}"], name=f"relu{i}")]
        x = f"relu{i}"
    cin = widths[-1]
    head = (rng.standard_normal((2, cin, 1, 1, 1)) * HEAD_STD / np.sqrt(cin)).astype(np.float32)
    skip_w = np.array([0.0, 1.0], np.float32).reshape(2, 1, 1, 1, 1)
    skip_b = np.array([0.0, -SUV_THRESHOLD], np.float32)
    inits += [numpy_helper.from_array(head, "head.w"), numpy_helper.from_array(np.zeros(2, np.float32), "head.b"),
              numpy_helper.from_array(skip_w, "skip.w"), numpy_helper.from_array(skip_b, "skip.b")]
    nodes += [helper.make_node("Conv", [x, "head.w", "head.b"], ["head"], name="head"),
              helper.make_node("Conv", ["suv", "skip.w", "skip.b"], ["skip"], name="skip"),
              helper.make_node("Add", ["head", "skip"], ["logits"], name="logits"),
              helper.make_node("ArgMax", ["logits"], ["labels"], axis=1, keepdims=1, name="labels")]
    graph = helper.make_graph(nodes, "pet_timing_convnet3d", [suv], [labels], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="mira bench/evaluation/build_timing_model.py",
                              producer_version="1.0.0", doc_string="Timing workload: random fixed 3D conv net (1-16-32-32-16-2) + SUV>2.5 skip, argmax")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


# The input modality of the manifest: PT (compare-evaluation.sh) or CT (compare-deployment.sh), from the environment.
MODALITY = os.environ.get("MODALITY", "PT")


def manifest(widths):
    widths = "-".join(str(w) for w in widths) + "-2"
    return {
        "schemaVersion": "1.0",
        "name": "pet-timing-convnet3d" if MODALITY == "PT" else "ct-timing-convnet3d",
        "version": "1.0.0",
        "task": "segmentation",
        "protocol": "petct-tumour-metabolism",
        "description": "Timing workload for bench/compare-evaluation.sh: a 3D conv net of realistic width with random, fixed, untrained weights.",
        "input": {"name": "suv", "modality": "PT", "layout": "NCDHW", "dtype": "float32", "resampling": "none",
                  "intensity": {"source": "suvbw", "clip": [0, 50], "scale": 1, "offset": 0}}
        if MODALITY == "PT" else
        # MODALITY=CT (bench/compare-deployment.sh): HU scaled to about the range of SUVs, so the same graph costs the same.
        {"name": "suv", "modality": "CT", "layout": "NCDHW", "dtype": "float32", "resampling": "none",
         "intensity": {"source": "modality", "clip": [-1024, 3071], "scale": 0.01, "offset": 10}},
        "output": {"name": "labels", "kind": "labelmap",
                   "labels": [{"value": 1, "name": "LESION", "code": {"scheme": "SCT", "code": "108369006", "meaning": "Neoplasm"}}]},
        "card": {
            "summary": f"NOT A MODEL: a timing workload. Four 3x3x3 convolutions ({widths} channels, ReLU) with random weights (numpy seed {SEED}) "
                       f"plus a skip path SUV - {SUV_THRESHOLD}, argmax over background and lesion. It costs the compute of a small real 3D "
                       "segmentation network (about 55,700 multiply-adds per voxel) so that an evaluation's overhead can be measured against real inference work.",
            "baseline": False,
            "intendedUse": "Benchmarking Mira's evaluation pipeline against raw ONNX Runtime inference (bench/compare-evaluation.sh, docs/benchmarks.md).",
            "intendedUsers": ["Mira developers"],
            "outOfScopeUse": ["any clinical use", "any use as a segmentation model: its output is a fixed SUV threshold perturbed by random features"],
            "trainingReleases": [],
            "trainingData": "None: the weights are random and were never trained.",
            "metrics": [],
            "calibration": "Not applicable: the output is an argmax label map of an untrained network.",
            "knownFailureModes": ["Everything hotter than SUV 2.5 (myocardium included) is called lesion, give or take the random head's perturbation."],
            "licence": "Apache-2.0",
            "authors": ["Mira contributors"],
            "regulatoryClass": None,
            "references": ["bench/evaluation/build_timing_model.py rebuilds model.onnx byte for byte (Debian python3-onnx 1.12)."],
        },
    }


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    widths = [int(w) for w in sys.argv[2].split(",")] if len(sys.argv) == 3 else WIDTHS
    if widths[0] != 1 or len(widths) < 2:
        sys.exit("WIDTHS starts with 1 (one input channel) and has at least two numbers")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(build(widths).SerializeToString())
    with open(os.path.join(out, "mira-model.json"), "w", encoding="utf-8") as f:
        json.dump(manifest(widths), f, indent=2)
        f.write("\n")
